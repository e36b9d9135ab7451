"""The outside channels. Each send() raises DeliveryError when the message did not go out."""

from ..models import DeliveryChannel
from . import email, webhooks
from .errors import DeliveryError, PermanentDeliveryError

SENDERS = {DeliveryChannel.EMAIL: email.send, DeliveryChannel.WEBHOOK: webhooks.send}


def send(delivery):
    try:
        sender = SENDERS[delivery.channel]
    except KeyError:
        raise PermanentDeliveryError(f"unknown channel {delivery.channel!r}") from None
    sender(delivery)


__all__ = ["DeliveryError", "PermanentDeliveryError", "send"]
