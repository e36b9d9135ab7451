class DeliveryError(Exception):
    """The message did not go out; trying again later may help."""


class PermanentDeliveryError(DeliveryError):
    """The message cannot go out however often we try (a disabled robot, a bad address)."""
