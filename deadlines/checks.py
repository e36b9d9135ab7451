"""Warn the office, at start-up and in `manage.py check`, about deadlines counted on a guessed calendar."""

from django.core import checks
from django.db import DatabaseError
from django.utils.translation import gettext as _


def provisional_warning_text():
    """The warning to show, or "" when there is nothing to enter."""
    from .selectors import provisional_summary

    summary = provisional_summary()
    if not summary["years"]:
        return ""
    years = "、".join(str(year) for year in summary["years"])
    return _(
        "%(years)s 年的放假安排尚未录入:这些年份的期限暂按周一至周五计算,%(count)s 张工单的期限为临时期限。"
        "请在后台“工作日历年度”中录入全年节假日和调休上班日,并勾选“已录入全年放假安排”,系统将自动重新计算。"
    ) % {"years": years, "count": summary["count"]}


@checks.register("deadlines")
def provisional_deadlines(app_configs=None, **kwargs):
    try:
        text = provisional_warning_text()
    except DatabaseError:
        return []  # tables not migrated yet
    return [checks.Warning(text, id="deadlines.W001")] if text else []
