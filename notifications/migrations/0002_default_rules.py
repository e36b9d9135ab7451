"""Who hears what, out of the box; the office changes these in the admin (通知规则)."""

from django.db import migrations

DEFAULT_RULES = [
    ("created", "office", "新上报的问题:河长办核实交办"),
    ("assigned", "responsible_chief", "交办:责任河长"),
    ("submitted", "office", "提交整改:河长办核查"),
    ("submitted", "verifiers", "提交整改:核查员核查"),
    ("rejected", "responsible_chief", "核查退回:责任河长重新整改"),
    ("verified", "responsible_chief", "核查通过:告知责任河长"),
    ("verified", "reporter", "核查通过:反馈上报的监督员"),
    ("closed", "responsible_chief", "销号:告知责任河长"),
    ("closed", "reporter", "销号:反馈上报的监督员"),
    ("cancelled", "reporter", "撤销:告知上报人"),
    ("reopened", "responsible_chief", "重新整改:责任河长"),
    ("reassigned", "previous_chief", "改派:原责任河长无需再处理"),
    ("reassigned", "new_chief", "改派:新责任河长"),
    ("deadline_changed", "responsible_chief", "期限调整:责任河长"),
    ("reminded", "responsible_chief", "到期提醒:责任河长"),
    ("escalated", "responsible_chief", "逾期督办:责任河长"),
    ("escalated", "audience", "逾期督办:按提级规则的上级河长、河长办"),
    ("extension_requested", "office", "延期申请:河长办审批"),
    ("extension_approved", "responsible_chief", "延期批准:责任河长"),
    ("extension_refused", "responsible_chief", "延期驳回:责任河长"),
    ("suspended", "responsible_chief", "暂停计时:责任河长"),
    ("resumed", "responsible_chief", "恢复计时:责任河长"),
]


def create_rules(apps, schema_editor):
    NotificationRule = apps.get_model("notifications", "NotificationRule")
    for kind, recipient, note in DEFAULT_RULES:
        NotificationRule.objects.get_or_create(event_kind=kind, recipient=recipient, defaults={"note": note})


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]
    operations = [migrations.RunPython(create_rules, migrations.RunPython.noop)]
