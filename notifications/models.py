"""Who hears what (rules), how they want to hear it (preferences, webhooks), and what was sent (the outbox).

A Notification is the message one person gets about one event: it is also their in-app
item. A Delivery is one send of a message on one outside channel (email, a chat-robot
webhook); it is the outbox row the Celery tasks claim, send and mark.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.models import EventKind


class Recipient(models.TextChoices):
    """Whom a rule may name; notifications.recipients turns each into users for one event."""

    RESPONSIBLE_CHIEF = "responsible_chief", _("责任河长")
    PREVIOUS_CHIEF = "previous_chief", _("原责任河长(改派前)")
    NEW_CHIEF = "new_chief", _("新责任河长(改派后)")
    REPORTER = "reporter", _("上报人(监督员)")
    OFFICE = "office", _("河长办人员")
    VERIFIERS = "verifiers", _("核查员")
    SUPERIOR = "superior", _("上级河长")
    AUDIENCE = "audience", _("督办对象(按提级规则)")


# A message to one of these is a chief's message: it is also posted to the area's group robot.
CHIEF_RECIPIENTS = frozenset(
    {Recipient.RESPONSIBLE_CHIEF, Recipient.PREVIOUS_CHIEF, Recipient.NEW_CHIEF, Recipient.SUPERIOR}
)


def event_kind_choices():
    # A callable, so a new event kind in tickets/ needs no migration here.
    return EventKind.choices


class NotificationRule(models.Model):
    """When an event of this kind is recorded, notify these people. The office edits these in the admin."""

    event_kind = models.CharField(_("事件"), max_length=32, choices=event_kind_choices)
    recipient = models.CharField(_("通知对象"), max_length=32, choices=Recipient.choices)
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("通知规则")
        verbose_name_plural = _("通知规则")
        ordering = ["event_kind", "recipient"]
        constraints = [
            models.UniqueConstraint(fields=["event_kind", "recipient"], name="notification_rule_unique"),
        ]

    def __str__(self):
        return f"{self.get_event_kind_display()} → {self.get_recipient_display()}"


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class WebhookKind(models.TextChoices):
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")
    GENERIC = "generic", _("通用 JSON(HMAC-SHA256 签名)")


class WebhookEndpoint(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=WebhookKind.choices)
    url = models.URLField(_("地址"), max_length=500)
    secret = models.CharField(
        _("签名密钥"), max_length=200, blank=True,
        help_text=_("钉钉:机器人“加签”密钥(SEC 开头,可不填);通用 JSON:必填,用于 HMAC-SHA256 签名。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("群机器人 / Webhook")
        verbose_name_plural = _("群机器人 / Webhook")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    def clean(self):
        if self.kind == WebhookKind.GENERIC and not self.secret:
            raise ValidationError({"secret": _("通用 JSON Webhook 须设置签名密钥。")})


class AreaWebhook(models.Model):
    """The work-chat group of an area: chiefs' notifications on its segments are posted there too."""

    area = models.ForeignKey(
        "tickets.Area", verbose_name=_("行政区"), on_delete=models.CASCADE, related_name="webhooks"
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("群机器人"), on_delete=models.CASCADE, related_name="areas"
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("区域工作群")
        verbose_name_plural = _("区域工作群")
        constraints = [models.UniqueConstraint(fields=["area", "endpoint"], name="area_webhook_unique")]

    def __str__(self):
        return f"{self.area} → {self.endpoint}"


class NotificationPreference(models.Model):
    """A person's channels. Without a row the defaults apply: in-app (always) and email if they have one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email_enabled = models.BooleanField(_("接收邮件"), default=True)
    email = models.EmailField(_("接收邮箱"), blank=True, help_text=_("不填则使用账号邮箱。"))
    webhook_enabled = models.BooleanField(_("推送到个人机器人"), default=False)
    webhook = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("个人机器人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    digest_enabled = models.BooleanField(_("接收每日待办汇总"), default=True)
    language = models.CharField(_("语言"), max_length=8, choices=Language.choices, default=Language.ZH_HANS)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")

    def __str__(self):
        return str(self.user)

    @property
    def email_address(self):
        return self.email or self.user.email


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE,
        related_name="notifications",
    )
    event = models.ForeignKey(
        "tickets.TicketEvent", verbose_name=_("事件"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("工单"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    # The event kind, or "digest"; kept here so lists need no join to the audit trail.
    kind = models.CharField(_("类型"), max_length=32)
    # Which rule made this person a recipient: the message says why they got it.
    reason = models.CharField(_("通知对象"), max_length=32, blank=True, choices=Recipient.choices)
    digest_date = models.DateField(_("汇总日期"), null=True, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接路径"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient"], condition=Q(event__isnull=False),
                name="one_notification_per_event_recipient",
            ),
            models.UniqueConstraint(
                fields=["recipient", "digest_date"], condition=Q(digest_date__isnull=False),
                name="one_digest_per_recipient_day",
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx")]

    def __str__(self):
        return self.title

    @property
    def is_read(self):
        return self.read_at is not None


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("邮件")
    WEBHOOK = "webhook", _("群机器人 / Webhook")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    # The worker stopped between claiming and marking: it may or may not have sent. Never resent
    # automatically (at most once); the office checks and may resend by hand.
    UNKNOWN = "unknown", _("结果未知(待核实)")


class Delivery(models.Model):
    notification = models.ForeignKey(
        Notification, verbose_name=_("通知"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.ForeignKey(
        "tickets.TicketEvent", verbose_name=_("事件"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=DeliveryChannel.choices)
    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("群机器人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="deliveries",
    )
    address = models.EmailField(_("邮箱"), blank=True)
    # The message as rendered when the event happened, so a retry sends the same words.
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=300, blank=True)

    status = models.CharField(
        _("状态"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"))
    claimed_at = models.DateTimeField(_("开始发送"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most once per (event, recipient, channel): the notification is unique per event and recipient.
            models.UniqueConstraint(
                fields=["notification", "channel"], condition=Q(notification__isnull=False),
                name="one_delivery_per_notification_channel",
            ),
            # A group robot hears about an event once, however many of its members are recipients.
            models.UniqueConstraint(
                fields=["event", "endpoint"], condition=Q(event__isnull=False, endpoint__isnull=False),
                name="one_delivery_per_event_endpoint",
            ),
            models.CheckConstraint(
                condition=(Q(channel="email") & ~Q(address="")) | (Q(channel="webhook") & Q(endpoint__isnull=False)),
                name="delivery_has_a_destination",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
            models.Index(fields=["status", "claimed_at"], name="delivery_claimed_idx"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.destination}: {self.subject}"

    @property
    def destination(self):
        return self.address if self.channel == DeliveryChannel.EMAIL else str(self.endpoint)
