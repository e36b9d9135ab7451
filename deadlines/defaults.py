"""The defaults the office starts with (GLOSSARY.md "Rules taken from public sources"); all editable in the admin.

- Procuratorate advice: two months from receipt (《人民检察院检察建议工作规定》); a shorter date stated
  in the letter is entered by hand. A last day on a holiday moves to the next working day, as legal
  time limits do.
- Provincial supervision notice: the date on the notice, which the office must enter.
- Supervisor feedback, patrol findings and public reports: working days from the assignment, more
  for heavier problems because their work is heavier (a demolition, a bank repair): 7 / 15 / 30.
- Reminders 3 and 1 working days before, and on the day.
- Ladder: level 1 when the deadline passes (chief and superior), level 2 five working days later
  (county chief and office head; flagged for the monthly bulletin), level 3 ten working days after
  that (general chief). The chief hears of every level.
"""

WORKING_DAYS_BY_SEVERITY = {"minor": 7, "serious": 15, "major": 30}

POLICIES = [
    {"code": "procuratorate-advice", "source": "procuratorate_advice", "severity": "", "amount": 2,
     "unit": "months", "count_from": "received", "on_non_working_day": "next",
     "note": "《人民检察院检察建议工作规定》:收到检察建议后二个月内书面回复;来文另有期限的按来文填写"},
    {"code": "provincial-notice", "source": "provincial_notice", "severity": "", "amount": None,
     "unit": "stated", "count_from": "received", "on_non_working_day": "keep",
     "note": "督办通知逐件载明整改期限"},
] + [
    {"code": f"{prefix}-{severity}", "source": source, "severity": severity, "amount": days,
     "unit": "working_days", "count_from": "assigned", "on_non_working_day": "next", "note": ""}
    for source, prefix in (
        ("supervisor_feedback", "supervisor-feedback"),
        ("patrol_finding", "patrol-finding"),
        ("public_report", "public-report"),
    )
    for severity, days in WORKING_DAYS_BY_SEVERITY.items()
]

REMINDER_DAYS = [3, 1, 0]

LEVELS = [
    {"level": 1, "working_days_after": 0, "notify_chief": True, "notify_superior": True},
    {"level": 2, "working_days_after": 5, "notify_chief": True, "notify_county_chief": True,
     "notify_office_head": True},
    {"level": 3, "working_days_after": 15, "notify_chief": True, "notify_general_chief": True},
]

SWEEP_TASK = "deadlines.sweep"
SWEEP_EVERY_SECONDS = 60


def seed(DeadlinePolicy, ReminderStep, EscalationStep):
    """Create the defaults that are missing; rows the office already has are left as they are."""
    for row in POLICIES:
        if not DeadlinePolicy.objects.filter(source=row["source"], severity=row["severity"]).exists():
            DeadlinePolicy.objects.get_or_create(code=row["code"], defaults=row)
    for days in REMINDER_DAYS:
        ReminderStep.objects.get_or_create(days_before=days)
    for row in LEVELS:
        EscalationStep.objects.get_or_create(level=row["level"], defaults=row)


def seed_schedule(IntervalSchedule, PeriodicTask, every=SWEEP_EVERY_SECONDS):
    """The beat entry that runs the sweep; idempotent."""
    interval = IntervalSchedule.objects.filter(every=every, period="seconds").first()
    if interval is None:
        interval = IntervalSchedule.objects.create(every=every, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=SWEEP_TASK, defaults={"task": SWEEP_TASK, "interval": interval, "enabled": True}
    )
