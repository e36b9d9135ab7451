"""The assessment (考核): a weighted score per chief for a quarter or a year, ranked.

Components, each a share between 0 and 1:
- patrol rate; resolution rate; on-time rate (see figures.py);
- escalation: 1 - escalated tickets / the chief's workload (closed + still open).
score = 100 × Σ weight·component / Σ weight over the components that apply to the chief
(a chief with no tickets is scored on patrols alone, not given a free 100% for tickets).
"""

from .models import AssessmentWeights
from .reports import build_report

COMPONENTS = ["patrol_rate", "resolution_rate", "on_time_rate", "escalation"]


def escalation_component(row):
    workload = row["closed"] + row["still_open"]
    if not workload:
        return None
    return max(0.0, 1 - row["escalated"] / workload)


def score(row, weights):
    values = {
        "patrol_rate": row["patrol_rate"],
        "resolution_rate": row["resolution_rate"],
        "on_time_rate": row["on_time_rate"],
        "escalation": escalation_component(row),
    }
    applied = {name: getattr(weights, name) for name, value in values.items() if value is not None}
    total_weight = sum(applied.values())
    if not total_weight:
        return values, None
    return values, round(100 * sum(values[n] * w for n, w in applied.items()) / total_weight, 1)


def assess(period, area=None, weights=None):
    """Rows (chief, components, score, rank) best first; equal scores share a rank."""
    weights = weights or AssessmentWeights.current()
    rows = []
    for chief in build_report(period, area)["chiefs"]:
        components, value = score(chief, weights)
        rows.append({**chief, "components": components, "score": value})
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["name"]))
    rank, previous = 0, object()
    for position, row in enumerate(rows, start=1):
        if row["score"] != previous:
            rank, previous = position, row["score"]
        row["rank"] = rank if row["score"] is not None else None
    return rows
