from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """When something periodic last ran: Celery beat's own heartbeat ("ops.beat") and every task that
    beat schedules (by its periodic task name). /readyz and the status page read these."""

    name = models.CharField(_("名称"), max_length=200, primary_key=True)
    seen_at = models.DateTimeField(_("最近运行"))

    class Meta:
        verbose_name = _("运行心跳")
        verbose_name_plural = _("运行心跳")

    def __str__(self):
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"
