"""Deadline policies: how long a chief has, per source and severity. Edited by the office in the admin."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.models import Severity, Source


class Unit(models.TextChoices):
    WORKING_DAYS = "working_days", _("个工作日")
    CALENDAR_DAYS = "calendar_days", _("日(自然日)")
    MONTHS = "months", _("个月")
    # The document itself carries the date (a provincial supervision notice): the office must enter it.
    STATED = "stated", _("以来文载明的期限为准")


class CountFrom(models.TextChoices):
    RECEIVED = "received", _("收到来文之日")
    ASSIGNED = "assigned", _("交办之日")


class NonWorkingDayRule(models.TextChoices):
    NEXT = "next", _("顺延至下一个工作日")
    PREVIOUS = "previous", _("提前至上一个工作日")
    KEEP = "keep", _("不调整")


class DeadlinePolicy(models.Model):
    code = models.SlugField(
        _("规则代码"), max_length=40, unique=True,
        help_text=_("记入工单的“期限依据”,创建后不要修改。"),
    )
    source = models.CharField(_("问题来源"), max_length=32, choices=Source.choices)
    severity = models.CharField(
        _("严重程度"), max_length=16, choices=Severity.choices, blank=True,
        help_text=_("留空表示该来源的所有严重程度。"),
    )
    amount = models.PositiveSmallIntegerField(_("期限长度"), null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=16, choices=Unit.choices, default=Unit.WORKING_DAYS)
    count_from = models.CharField(_("起算日"), max_length=16, choices=CountFrom.choices, default=CountFrom.ASSIGNED)
    on_non_working_day = models.CharField(
        _("到期日遇节假日"), max_length=16, choices=NonWorkingDayRule.choices, default=NonWorkingDayRule.NEXT,
        help_text=_("按自然日或月计算时适用;按工作日计算的期限总是落在工作日。"),
    )
    note = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("期限规则")
        verbose_name_plural = _("期限规则")
        ordering = ["source", "severity"]
        constraints = [
            models.UniqueConstraint(fields=["source", "severity"], name="one_policy_per_source_severity"),
            models.CheckConstraint(
                condition=Q(unit="stated") | Q(amount__gte=1), name="policy_has_a_length_unless_stated"
            ),
        ]

    def __str__(self):
        return self.describe()

    def describe(self):
        head = self.get_source_display()
        if self.severity:
            head = f"{head}·{self.get_severity_display()}"
        if self.unit == Unit.STATED:
            return f"{head}:{self.get_unit_display()}"
        return f"{head}:{self.get_count_from_display()}起{self.amount}{self.get_unit_display()}"
