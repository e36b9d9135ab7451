import datetime as dt

import pytest

from deadlines.models import DeadlinePolicy
from deadlines.policies import add_months, compute_deadline, default_deadline, resolve_deadline, rule_label
from tests.factories import open_ticket
from tickets.errors import TicketValidationError
from tickets.models import TicketEvent

from .conftest import assign, end_of, local

D = dt.date


def ticket_of(office, segment, **fields):
    return open_ticket(reporter=office, segment=segment, **fields)


class TestWorkingDayPolicies:
    def test_patrol_finding_across_national_day_counts_the_make_up_saturday(self, clock, office, segment):
        clock.set(local(2026, 9, 28, 10))
        ticket = ticket_of(office, segment, source="patrol_finding", severity="minor")
        deadline = default_deadline(ticket)
        assert deadline == (end_of(2026, 10, 13), "policy:patrol-finding-minor", False)

    @pytest.mark.parametrize(
        ("severity", "due"),
        [("minor", D(2026, 11, 11)), ("serious", D(2026, 11, 23)), ("major", D(2026, 12, 14))],
    )
    def test_supervisor_feedback_by_severity(self, clock, office, segment, severity, due):
        ticket = ticket_of(office, segment, source="supervisor_feedback", severity=severity)
        assert default_deadline(ticket).due_at == end_of(due.year, due.month, due.day)

    def test_the_office_can_change_a_policy(self, clock, office, segment):
        DeadlinePolicy.objects.filter(code="public-report-minor").update(amount=3)
        ticket = ticket_of(office, segment, source="public_report", severity="minor")
        assert default_deadline(ticket).due_at == end_of(2026, 11, 5)


class TestProcuratorateAdvice:
    def test_two_months_from_receipt_moved_off_the_national_day_holiday(self, clock, office, segment):
        ticket = ticket_of(office, segment, source="procuratorate_advice", source_reference="检建〔2026〕1号",
                           received_on=D(2026, 8, 1))
        # Aug 1 + 2 months = Oct 1, a holiday: the next working day is Oct 8.
        assert default_deadline(ticket) == (end_of(2026, 10, 8), "policy:procuratorate-advice", False)

    def test_a_date_stated_in_the_letter_is_entered_by_hand(self, clock, office, segment):
        ticket = ticket_of(office, segment, source="procuratorate_advice", source_reference="检建〔2026〕2号")
        deadline = resolve_deadline(ticket=ticket, due_at=D(2026, 11, 20))
        assert deadline == (end_of(2026, 11, 20), "manual", False)


class TestProvincialNotice:
    def test_the_date_on_the_notice_is_required(self, clock, office, segment):
        ticket = ticket_of(office, segment, source="provincial_notice", source_reference="省督〔2026〕9号")
        with pytest.raises(TicketValidationError) as excinfo:
            resolve_deadline(ticket=ticket, due_at=None)
        assert "due_at" in excinfo.value.errors

    def test_with_the_date_it_is_assigned(self, clock, office, chief, segment):
        ticket = assign(office=office, chief=chief, segment=segment, due_at=D(2026, 11, 30),
                        source="provincial_notice", source_reference="省督〔2026〕9号")
        assert (ticket.due_at, ticket.deadline_rule, ticket.deadline_provisional) == (
            end_of(2026, 11, 30), "manual", False
        )


def test_no_policy_asks_for_a_date(clock, office, segment):
    DeadlinePolicy.objects.filter(source="public_report").delete()
    ticket = ticket_of(office, segment, source="public_report")
    with pytest.raises(TicketValidationError) as excinfo:
        default_deadline(ticket)
    assert "due_at" in excinfo.value.errors


def test_a_policy_for_the_whole_source_is_the_fallback(clock, office, segment):
    DeadlinePolicy.objects.filter(source="public_report").delete()
    DeadlinePolicy.objects.create(code="public-report", source="public_report", severity="", amount=10,
                                  unit="calendar_days", count_from="assigned", on_non_working_day="previous")
    ticket = ticket_of(office, segment, source="public_report", severity="major")
    # Nov 2 + 10 days = Thu Nov 12, a working day.
    assert default_deadline(ticket).due_at == end_of(2026, 11, 12)
    DeadlinePolicy.objects.filter(code="public-report").update(amount=12)
    # Nov 14 is a Saturday: the rule says the working day before.
    assert default_deadline(ticket).due_at == end_of(2026, 11, 13)
    DeadlinePolicy.objects.filter(code="public-report").update(on_non_working_day="keep")
    assert default_deadline(ticket).due_at == end_of(2026, 11, 14)


def test_a_deadline_in_2027_is_provisional(clock, office, segment):
    clock.set(local(2026, 12, 21, 10))
    ticket = ticket_of(office, segment, source="patrol_finding", severity="serious")
    deadline = compute_deadline(ticket, D(2026, 12, 21))
    # 15 weekdays from Dec 21: Dec 22-25, 28-31, Jan 1 (a holiday no-one has entered yet), 4-8, 11.
    assert deadline == (end_of(2027, 1, 11), "policy:patrol-finding-serious", True)


def test_assignment_records_the_rule_on_the_ticket_and_in_the_event(clock, office, chief, segment):
    clock.set(local(2026, 12, 21, 10))
    ticket = assign(office=office, chief=chief, segment=segment, source="patrol_finding", severity="serious")
    assert (ticket.deadline_rule, ticket.deadline_provisional) == ("policy:patrol-finding-serious", True)
    payload = TicketEvent.objects.get(ticket=ticket, kind="assigned").payload
    assert (payload["deadline_rule"], payload["deadline_provisional"]) == ("policy:patrol-finding-serious", True)
    assert rule_label(ticket.deadline_rule) == "巡河发现·较重:交办之日起15个工作日"
    assert rule_label("manual") == "河长办指定"


def test_add_months_clamps_to_the_month_end():
    assert add_months(D(2026, 12, 31), 2) == D(2027, 2, 28)
    assert add_months(D(2026, 11, 30), 2) == D(2027, 1, 30)
