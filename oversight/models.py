"""Bulletins (frozen when published), assessment weights, and background ledger exports."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年")


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class Bulletin(models.Model):
    """A bulletin for one period and area. A draft is regenerated on demand; publishing freezes
    its snapshot, and nothing recomputes a published bulletin afterwards."""

    period_kind = models.CharField(_("周期类型"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("周期开始"))
    period_end = models.DateField(_("周期结束(不含)"))
    area = models.ForeignKey(
        "tickets.Area", verbose_name=_("区域"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="bulletins",
    )
    status = models.CharField(_("状态"), max_length=16, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT)
    snapshot = models.JSONField(_("内容"), default=dict)
    generated_at = models.DateTimeField(_("生成时间"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-period_start", "period_kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period_kind", "period_start", "area"], condition=Q(area__isnull=False),
                name="one_bulletin_per_period_area",
            ),
            models.UniqueConstraint(
                fields=["period_kind", "period_start"], condition=Q(area__isnull=True),
                name="one_bulletin_per_period_all_areas",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False), name="published_bulletin_has_time",
            ),
        ]

    def __str__(self):
        return self.snapshot.get("period", {}).get("label", f"{self.period_kind} {self.period_start}")

    @property
    def is_published(self):
        return self.status == BulletinStatus.PUBLISHED


class AssessmentWeights(models.Model):
    """The office's weights for the assessment score; one row (pk=1)."""

    patrol_rate = models.PositiveSmallIntegerField(_("巡河率权重"), default=40)
    resolution_rate = models.PositiveSmallIntegerField(_("问题解决率权重"), default=30)
    on_time_rate = models.PositiveSmallIntegerField(_("按期整改率权重"), default=20)
    escalation = models.PositiveSmallIntegerField(_("未被督办率权重"), default=10)

    class Meta:
        verbose_name = _("考核权重")
        verbose_name_plural = _("考核权重")

    def __str__(self):
        return f"{self.patrol_rate}/{self.resolution_rate}/{self.on_time_rate}/{self.escalation}"

    @classmethod
    def current(cls):
        weights, _created = cls.objects.get_or_create(pk=1)
        return weights


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class LedgerExport(models.Model):
    """One ledger export job: the filters it was asked with, its progress and the file it produced."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导出人"), on_delete=models.CASCADE, related_name="+"
    )
    query = models.CharField(_("筛选条件"), max_length=2000, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    done = models.PositiveIntegerField(_("已写行数"), default=0)
    file = models.FileField(_("文件"), upload_to="exports/%Y/%m/", blank=True, max_length=300)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("台账导出")
        verbose_name_plural = _("台账导出")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.pk} {self.status}"

    @property
    def percent(self):
        return 100 if self.status == ExportStatus.DONE else (int(self.done * 100 / self.total) if self.total else 0)
