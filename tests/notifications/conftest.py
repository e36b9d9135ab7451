import hashlib
import hmac
import importlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from notifications.models import NotificationRule, WebhookEndpoint, WebhookKind


def ensure_default_rules():
    """The migration's rules; a transactional test elsewhere may have flushed them before ours runs."""
    defaults = importlib.import_module("notifications.migrations.0002_default_rules").DEFAULT_RULES
    for kind, recipient, note in defaults:
        NotificationRule.objects.get_or_create(event_kind=kind, recipient=recipient, defaults={"note": note})



class WebhookServer:
    """A real HTTP server on 127.0.0.1 that records requests and checks the generic webhook's HMAC.

    ``answers`` is a list of (status, json body) handed out in order (the last one repeats);
    ``by_path`` maps a path to a fixed (status, json body) for that path;
    ``on_request`` runs before answering (a test uses it to kill the worker mid-send).
    """

    def __init__(self, secret="s3cret"):
        self.secret = secret
        self.requests = []
        self.answers = [(200, {"errcode": 0, "errmsg": "ok"})]
        self.by_path = {}
        self.on_request = None
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                record = {"path": self.path, "headers": dict(self.headers), "body": body}
                signature = self.headers.get("X-Hezhang-Signature")
                if signature is not None:
                    expected = "sha256=" + hmac.new(server.secret.encode(), body, hashlib.sha256).hexdigest()
                    record["signature_ok"] = hmac.compare_digest(signature, expected)
                with server.lock:
                    server.requests.append(record)
                    index = min(len(server.requests), len(server.answers)) - 1
                    status, answer = server.answers[index]
                    status, answer = server.by_path.get(self.path.split("?")[0], (status, answer))
                if server.on_request:
                    server.on_request(record)
                if signature is not None and not record["signature_ok"]:
                    status, answer = 401, {"error": "bad signature"}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def to(self, path):
        return [r for r in self.requests if r["path"].split("?")[0] == path]

    def json_bodies(self):
        return [json.loads(r["body"]) for r in self.requests]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def webhook_server():
    server = WebhookServer()
    yield server
    server.close()


@pytest.fixture
def make_endpoint(db, webhook_server):
    def make(kind=WebhookKind.GENERIC, path="/hook", secret=None, **fields):
        if secret is None:
            secret = webhook_server.secret if kind == WebhookKind.GENERIC else ""
        return WebhookEndpoint.objects.create(
            name=f"{kind}{path}", kind=kind, url=webhook_server.url + path, secret=secret, **fields
        )

    return make
