"""Whether a patrol counts: the office's minimum duration and distance, and the track's length."""

import math

from django.utils.translation import gettext as _

from .models import PatrolRules, ValidityMode

EARTH_RADIUS_M = 6_371_000


def track_length_m(points):
    """Great-circle length of a track [{"lat", "lng", ...}, ...] in metres (haversine)."""
    total = 0.0
    for a, b in zip(points, points[1:], strict=False):
        lat1, lng1, lat2, lng2 = map(math.radians, (a["lat"], a["lng"], b["lat"], b["lng"]))
        h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
        total += 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))
    return int(round(total))


def judge(*, duration_minutes, distance_m, rules=None):
    """(is_valid, reason) under the office's rules."""
    rules = rules or PatrolRules.current()
    short_time = rules.min_duration_minutes and duration_minutes < rules.min_duration_minutes
    short_distance = rules.min_distance_m and distance_m < rules.min_distance_m
    failures = []
    if short_time:
        failures.append(_("时长 %(got)s 分钟,不足 %(min)s 分钟") % {"got": duration_minutes, "min": rules.min_duration_minutes})
    if short_distance:
        failures.append(_("里程 %(got)s 米,不足 %(min)s 米") % {"got": distance_m, "min": rules.min_distance_m})
    if rules.mode == ValidityMode.ANY:
        checks = [c for c in (rules.min_duration_minutes, rules.min_distance_m) if c]
        invalid = bool(checks) and len(failures) == len(checks)
    else:
        invalid = bool(failures)
    return (not invalid), ("; ".join(failures) if invalid else "")
