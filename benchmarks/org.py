"""The few people and places every benchmark needs; created once, found again on later runs."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tickets.models import Area, AreaLevel, ChiefAppointment, River, Segment


def user(username, *roles):
    account, created = get_user_model().objects.get_or_create(username=username)
    if created:
        account.set_password("bench-password-1")
        account.save(update_fields=["password"])
        account.groups.add(*[Group.objects.get_or_create(name=role)[0] for role in roles])
    return account


def bench_org():
    county, _ = Area.objects.get_or_create(code="BENCH-C", defaults={"name": "基准县", "level": AreaLevel.COUNTY})
    village, _ = Area.objects.get_or_create(
        code="BENCH-V", defaults={"name": "基准村", "level": AreaLevel.VILLAGE, "parent": county}
    )
    river, _ = River.objects.get_or_create(code="BENCH-R", defaults={"name": "基准河"})
    segment, _ = Segment.objects.get_or_create(
        code="BENCH-S", defaults={"name": "基准段", "river": river, "area": village}
    )
    chief = user("bench_chief", "chief")
    ChiefAppointment.objects.get_or_create(
        segment=segment, level=AreaLevel.VILLAGE, end_date=None,
        defaults={"chief": chief, "start_date": dt.date(2020, 1, 1)},
    )
    return {
        "segment": segment,
        "chief": chief,
        "office": user("bench_office", "office"),
        "verifier": user("bench_verifier", "verifier"),
        "supervisor": user("bench_supervisor", "social_supervisor"),
    }
