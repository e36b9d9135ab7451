"""The river-chief organisation: areas, rivers, segments and who is chief of what."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("镇级")
    VILLAGE = "village", _("村级")


# From the top of the ladder down: escalation walks this list backwards.
LEVEL_ORDER = [AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]


class Area(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("区划代码"), max_length=32, unique=True)
    level = models.CharField(_("级别"), max_length=16, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级区域"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("行政区")
        verbose_name_plural = _("行政区")
        ordering = ["code"]

    def __str__(self):
        return self.name


class River(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=32, unique=True)

    class Meta:
        verbose_name = _("河流")
        verbose_name_plural = _("河流")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Segment(models.Model):
    river = models.ForeignKey(River, verbose_name=_("河流"), on_delete=models.PROTECT, related_name="segments")
    area = models.ForeignKey(Area, verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="segments")
    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=32, unique=True)

    class Meta:
        verbose_name = _("河段")
        verbose_name_plural = _("河段")
        ordering = ["code"]

    def __str__(self):
        return f"{self.river.name} · {self.name}"


class ChiefAppointment(models.Model):
    """A user is chief of a segment at a level for a period; a handover ends one and starts another."""

    chief = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("河长"), on_delete=models.PROTECT, related_name="appointments"
    )
    segment = models.ForeignKey(
        Segment, verbose_name=_("河段"), on_delete=models.PROTECT, related_name="appointments"
    )
    level = models.CharField(_("级别"), max_length=16, choices=AreaLevel.choices)
    start_date = models.DateField(_("任职日期"))
    end_date = models.DateField(_("离任日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("河长任命")
        verbose_name_plural = _("河长任命")
        ordering = ["segment", "level", "-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "level"],
                condition=Q(end_date__isnull=True),
                name="one_open_appointment_per_segment_level",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="appointment_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["chief", "end_date"])]

    def __str__(self):
        return f"{self.segment} {self.get_level_display()}河长 {self.chief}"
