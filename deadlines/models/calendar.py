"""The office's own calendar entries: local days off or on, and a new year's official schedule."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year the office keeps entries for.

    ``official_schedule`` says the office has entered that year's whole national schedule (the State
    Council's holidays and make-up working days). For a year the chinesecalendar package does not
    cover, deadlines stay provisional until it is ticked.
    """

    year = models.PositiveSmallIntegerField(
        _("年份"), primary_key=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    official_schedule = models.BooleanField(
        _("已录入全年放假安排"), default=False,
        help_text=_("按国务院办公厅当年的放假通知录入全部节假日和调休上班日后勾选。系统内置日历不含的年份,"
                    "勾选前该年的期限按周一至周五计算,并标记为临时期限。"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("工作日历年度")
        verbose_name_plural = _("工作日历年度")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)


class CalendarDay(models.Model):
    """One day whose status the office sets: it wins over the package and over the weekday rule."""

    year = models.ForeignKey(CalendarYear, verbose_name=_("年份"), on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("工作日"), help_text=_("勾选:调休上班日;不勾选:放假。"))
    note = models.CharField(_("说明"), max_length=100, blank=True, help_text=_("如:国庆节、调休上班、本地停工"))

    class Meta:
        verbose_name = _("日历调整")
        verbose_name_plural = _("日历调整")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'上班' if self.is_working_day else '放假'}"

    def clean(self):
        if self.date and self.year_id and self.date.year != self.year_id:
            raise ValidationError({"date": _("日期须在 %(year)s 年内。") % {"year": self.year_id}})
