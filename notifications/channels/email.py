"""Email through Django's configured backend (SMTP in production, console in development)."""

from django.core.mail import EmailMessage

from .errors import DeliveryError, PermanentDeliveryError


def send(delivery):
    if not delivery.address:
        raise PermanentDeliveryError("no email address")
    message = EmailMessage(
        subject=delivery.subject,
        body=delivery.body,
        to=[delivery.address],
        # Lets a mail admin match a message to its outbox row when the office asks "was it sent?".
        headers={"X-Hezhang-Delivery": str(delivery.pk)},
    )
    try:
        sent = message.send(fail_silently=False)
    except (OSError, ValueError) as exc:  # smtplib errors are OSError; a bad header is ValueError
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    if sent != 1:
        raise DeliveryError("the mail backend accepted no message")
