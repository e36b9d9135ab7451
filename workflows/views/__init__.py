"""The web UI: each view parses input, calls one service in workflows.services, renders."""
