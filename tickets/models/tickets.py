"""The rectification ticket and its state machine.

The state changes only through the @transition methods below; each names who
may take it (``permission``, from tickets.rules) and what it needs
(``conditions``). Services in tickets.services call them under a row lock.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, Q, Subquery
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .. import rules
from .attachments import AttachmentKind
from .events import EventKind


class TicketState(models.TextChoices):
    REPORTED = "reported", _("待交办")
    ASSIGNED = "assigned", _("已交办")
    RECTIFYING = "rectifying", _("整改中")
    SUBMITTED = "submitted", _("待核查")
    VERIFIED = "verified", _("已核查")
    CLOSED = "closed", _("已销号")
    CANCELLED = "cancelled", _("已撤销")


OPEN_STATES = [TicketState.REPORTED, TicketState.ASSIGNED, TicketState.RECTIFYING, TicketState.SUBMITTED]
# While the chief still has to act, the deadline is running.
CLOCK_RUNNING_STATES = [TicketState.ASSIGNED, TicketState.RECTIFYING]

# Ticket.deadline_rule for a date the office typed; deadlines/ writes its own codes ("policy:<code>", ...).
DEADLINE_RULE_MANUAL = "manual"


class Source(models.TextChoices):
    SUPERVISOR_FEEDBACK = "supervisor_feedback", _("监督反馈")
    PROCURATORATE_ADVICE = "procuratorate_advice", _("检察建议")
    PROVINCIAL_NOTICE = "provincial_notice", _("省级督办")
    PATROL_FINDING = "patrol_finding", _("巡河发现")
    PUBLIC_REPORT = "public_report", _("群众举报")


class Category(models.TextChoices):
    ILLEGAL_OCCUPATION = "illegal_occupation", _("乱占")
    ILLEGAL_EXTRACTION = "illegal_extraction", _("乱采")
    ILLEGAL_DUMPING = "illegal_dumping", _("乱堆")
    ILLEGAL_CONSTRUCTION = "illegal_construction", _("乱建")
    GARBAGE = "garbage", _("河道垃圾")
    BANK_DAMAGE = "bank_damage", _("堤岸及设施损毁")
    SEWAGE_OUTFALL = "sewage_outfall", _("排污口")
    OTHER = "other", _("其他")


class Severity(models.TextChoices):
    MINOR = "minor", _("一般")
    SERIOUS = "serious", _("较重")
    MAJOR = "major", _("严重")


class TicketCounter(models.Model):
    """The last number handed out per year; locked row, so numbers never repeat."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


def has_after_photo(ticket):
    """An "after" photo of this round: a rejection or a reopening asks for the work to be done again,
    so the photos taken before it no longer prove anything."""
    round_start = (
        ticket.events.filter(kind__in=[EventKind.REJECTED, EventKind.REOPENED]).order_by("-seq").values("created_at")[:1]
    )
    photos = ticket.attachments.filter(kind=AttachmentKind.AFTER)
    return photos.filter(Q(uploaded_at__gt=Subquery(round_start)) | ~Exists(round_start)).exists()


has_after_photo.field = "attachments"
has_after_photo.message = _("提交整改须至少上传一张整改后照片(退回或重新整改后须上传新的照片)。")


class Ticket(ConcurrentTransitionMixin, models.Model):
    number = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    state = FSMField(
        _("状态"), default=TicketState.REPORTED, choices=TicketState.choices, protected=True, db_index=True
    )

    source = models.CharField(_("问题来源"), max_length=32, choices=Source.choices)
    source_reference = models.CharField(_("来源文号"), max_length=100, blank=True)
    received_on = models.DateField(_("收到日期"))
    category = models.CharField(_("问题类别"), max_length=32, choices=Category.choices)
    severity = models.CharField(_("严重程度"), max_length=16, choices=Severity.choices, default=Severity.MINOR)
    segment = models.ForeignKey(
        "tickets.Segment", verbose_name=_("河段"), on_delete=models.PROTECT, related_name="tickets"
    )
    latitude = models.DecimalField(
        _("纬度"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    address = models.CharField(_("地点描述"), max_length=200, blank=True)
    description = models.TextField(_("问题描述"))
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上报人"), on_delete=models.PROTECT,
        related_name="reported_tickets",
    )

    responsible_chief = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("责任河长"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="responsible_tickets",
    )
    responsible_level = models.CharField(_("责任层级"), max_length=16, blank=True)
    instructions = models.TextField(_("交办要求"), blank=True)
    due_at = models.DateTimeField(_("整改期限"), null=True, blank=True)
    # Which rule produced due_at, and whether it was counted on a year whose holidays are not known yet.
    deadline_rule = models.CharField(_("期限依据"), max_length=100, blank=True)
    deadline_provisional = models.BooleanField(_("临时期限"), default=False)
    measures = models.TextField(_("整改措施"), blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("整改提交人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("核查人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    escalation_level = models.PositiveSmallIntegerField(_("督办层级"), default=0)
    rejection_count = models.PositiveIntegerField(_("退回次数"), default=0)

    reported_at = models.DateTimeField(_("上报时间"))
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始整改时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    verified_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("整改工单")
        verbose_name_plural = _("整改工单")
        ordering = ["-reported_at"]
        indexes = [
            models.Index(fields=["responsible_chief", "state"]),
            models.Index(fields=["segment", "state"]),
            models.Index(fields=["reporter", "-reported_at"]),
            models.Index(fields=["-reported_at"]),
            models.Index(
                fields=["due_at"], name="ticket_open_due_idx",
                condition=Q(state__in=["assigned", "rectifying"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="reported") | Q(state="cancelled") | Q(responsible_chief__isnull=False),
                name="assigned_ticket_has_chief",
            ),
        ]

    def __str__(self):
        return self.number

    # The transitions. Services pass the values; the methods only move state and fields.

    @transition(
        field=state, source=TicketState.REPORTED, target=TicketState.ASSIGNED, permission=rules.may_assign
    )
    def assign(self, *, chief, level, due_at, instructions, at):
        self.responsible_chief = chief
        self.responsible_level = level
        self.due_at = due_at
        self.instructions = instructions
        self.assigned_at = at

    @transition(
        field=state, source=TicketState.ASSIGNED, target=TicketState.RECTIFYING, permission=rules.may_rectify
    )
    def start(self, *, at):
        self.started_at = at

    @transition(
        field=state, source=TicketState.RECTIFYING, target=TicketState.SUBMITTED,
        permission=rules.may_rectify, conditions=[has_after_photo],
    )
    def submit(self, *, measures, by, at):
        self.measures = measures
        self.rectified_by = by
        self.submitted_at = at

    @transition(
        field=state, source=TicketState.SUBMITTED, target=TicketState.RECTIFYING, permission=rules.may_verify
    )
    def reject(self, *, at):
        self.rejection_count += 1
        self.submitted_at = None

    @transition(
        field=state, source=TicketState.SUBMITTED, target=TicketState.VERIFIED, permission=rules.may_verify
    )
    def verify(self, *, by, at):
        self.verified_by = by
        self.verified_at = at

    @transition(field=state, source=TicketState.VERIFIED, target=TicketState.CLOSED, permission=rules.may_close)
    def close(self, *, at):
        self.closed_at = at

    @transition(
        field=state, source=[TicketState.REPORTED, TicketState.ASSIGNED], target=TicketState.CANCELLED,
        permission=rules.may_cancel,
    )
    def cancel(self, *, at):
        self.cancelled_at = at

    @transition(
        field=state, source=TicketState.CLOSED, target=TicketState.RECTIFYING, permission=rules.may_reopen
    )
    def reopen(self, *, at):
        self.closed_at = None
        self.verified_at = None
        self.verified_by = None
        self.submitted_at = None

    @property
    def is_open(self):
        return self.state in OPEN_STATES
