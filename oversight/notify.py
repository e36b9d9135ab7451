"""Telling the chiefs a published bulletin names.

notifications/ has no public service for a message that is not about a ticket event yet, so
this writes an in-app notification row per chief (its public model) when that app is installed;
email/robot deliveries for bulletins wait for such a service (reported to the lead).
"""

import logging

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def notify_named_chiefs(bulletin, *, link):
    named = bulletin.snapshot.get("named", [])
    if not named:
        return 0
    if not apps.is_installed("notifications"):
        logger.info("bulletin %s names %s chiefs; notifications app not installed", bulletin.pk, len(named))
        return 0
    Notification = apps.get_model("notifications", "Notification")
    now = timezone.now()
    label = bulletin.snapshot["period"]["label"]
    rows = [
        Notification(
            recipient_id=item["chief_id"],
            kind="bulletin",
            title=_("%(period)s河长制工作通报点名") % {"period": label},
            body=_("您在%(period)s的通报中被点名:%(reasons)s。请查看通报并及时整改。")
            % {"period": label, "reasons": ";".join(item["reasons"])},
            link=link,
            created_at=now,
        )
        for item in named
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)
