"""When to remind the chief and how the escalation ladder climbs. Edited by the office in the admin."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReminderStep(models.Model):
    days_before = models.PositiveSmallIntegerField(
        _("提前工作日数"), unique=True, help_text=_("0 表示到期当天。提醒在当天上午发出。")
    )

    class Meta:
        verbose_name = _("到期提醒")
        verbose_name_plural = _("到期提醒")
        ordering = ["-days_before"]

    def __str__(self):
        return f"提前 {self.days_before} 个工作日" if self.days_before else "到期当天"


class EscalationStep(models.Model):
    """One level of the ladder: how many working days past the deadline, and who hears of it."""

    level = models.PositiveSmallIntegerField(_("督办层级"), unique=True, validators=[MinValueValidator(1)])
    working_days_after = models.PositiveSmallIntegerField(
        _("逾期工作日数"), help_text=_("期限届满后再过多少个工作日升到本级;0 表示期限一过即督办。")
    )
    notify_chief = models.BooleanField(_("责任河长"), default=True)
    notify_superior = models.BooleanField(_("上级河长"), default=False)
    notify_county_chief = models.BooleanField(_("县级河长"), default=False)
    notify_office_head = models.BooleanField(_("河长办主任"), default=False)
    notify_general_chief = models.BooleanField(_("总河长"), default=False)

    class Meta:
        verbose_name = _("督办层级")
        verbose_name_plural = _("督办层级")
        ordering = ["level"]

    def __str__(self):
        return f"{self.level} 级督办(逾期 {self.working_days_after} 个工作日)"
