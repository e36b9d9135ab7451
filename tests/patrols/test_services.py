"""Recording patrols: validity flags, findings open tickets, permission, retries by client id."""

import datetime as dt
import uuid

import pytest

from patrols.models import Patrol, PatrolFinding, PatrolRules, ValidityMode
from patrols.services import patrol_record
from patrols.validity import judge, track_length_m
from tests.factories import AppointmentFactory, UserFactory
from tests.oversight.scenario import at, clock
from tickets.errors import TicketPermissionDenied, TicketValidationError
from workflows.selectors import open_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def chief(segment):
    return AppointmentFactory(segment=segment, chief__username="chief").chief


def _record(chief, segment, minutes=45, metres=2500, **extra):
    with clock(at(3, 20, 12)):
        start = at(3, 20, 9)
        return patrol_record(actor=extra.pop("actor", chief), chief=chief, segment=segment, started_at=start,
                             ended_at=start + dt.timedelta(minutes=minutes), distance_m=metres, **extra)


def test_valid_patrol(chief, segment):
    patrol, created = _record(chief, segment)
    assert created and patrol.is_valid and patrol.level == "village" and patrol.recorded_by == chief


def test_invalid_patrol_is_stored_and_flagged(chief, segment):
    patrol, created = _record(chief, segment, minutes=20, metres=800)
    assert created and not patrol.is_valid
    assert "20 分钟" in patrol.invalid_reason and "800 米" in patrol.invalid_reason
    assert Patrol.objects.filter(pk=patrol.pk).exists()


def test_rules_are_the_offices(db):
    rules = PatrolRules.current()
    assert (rules.min_duration_minutes, rules.min_distance_m, rules.mode) == (30, 2000, "all")
    assert judge(duration_minutes=40, distance_m=1000, rules=rules)[0] is False
    rules.mode = ValidityMode.ANY
    assert judge(duration_minutes=40, distance_m=1000, rules=rules) == (True, "")
    assert judge(duration_minutes=10, distance_m=1000, rules=rules)[0] is False
    rules.min_distance_m = 0
    rules.mode = ValidityMode.ALL
    assert judge(duration_minutes=40, distance_m=0, rules=rules) == (True, "")


def test_distance_from_track_when_not_given(chief, segment):
    track = [{"lat": 30.0, "lng": 120.0}, {"lat": 30.0, "lng": 120.03}]  # about 2.9 km along a parallel
    assert 2850 < track_length_m(track) < 2950
    patrol, _ = _record(chief, segment, metres=None, track=track)
    assert patrol.distance_m == track_length_m(track) and patrol.is_valid and len(patrol.track) == 2


def test_finding_opens_a_patrol_finding_ticket_in_the_flow(chief, segment):
    patrol, _ = _record(chief, segment, findings=[{"category": "illegal_dumping", "description": "桥下堆放垃圾"}])
    finding = PatrolFinding.objects.get(patrol=patrol)
    ticket = finding.ticket
    assert (ticket.source, ticket.category, ticket.reporter, ticket.segment) == (
        "patrol_finding", "illegal_dumping", chief, segment)
    assert str(patrol.pk) in ticket.source_reference
    assert open_task(ticket).flow_task.name == "assign"


def test_bad_finding_saves_nothing(chief, segment):
    with pytest.raises(TicketValidationError) as caught:
        _record(chief, segment, findings=[{"category": "nonsense", "description": "x"}])
    assert "findings[0].category" in caught.value.errors
    assert not Patrol.objects.exists()


def test_retry_with_the_same_client_id_returns_the_first(chief, segment):
    key = uuid.uuid4()
    first, created = _record(chief, segment, client_uuid=key, findings=[{"category": "garbage", "description": "垃圾"}])
    again, created_again = _record(chief, segment, client_uuid=key, findings=[{"category": "garbage", "description": "垃圾"}])
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Patrol.objects.count() == 1 and PatrolFinding.objects.count() == 1


def test_only_the_chief_or_the_office_records(chief, segment):
    stranger = UserFactory(username="stranger", roles=["chief"])
    with pytest.raises(TicketPermissionDenied):
        _record(chief, segment, actor=stranger)
    office = UserFactory(username="office", roles=["office"])
    patrol, _ = _record(chief, segment, actor=office)
    assert patrol.recorded_by == office and patrol.chief == chief


def test_not_appointed_on_that_segment(segment):
    other = AppointmentFactory(chief__username="other").chief
    with pytest.raises(TicketValidationError) as caught:
        _record(other, segment)
    assert "segment" in caught.value.errors


def test_end_before_start_is_refused(chief, segment):
    with pytest.raises(TicketValidationError) as caught:
        _record(chief, segment, minutes=-5)
    assert "ended_at" in caught.value.errors
