"""Per-user API tokens: issue, revoke, authenticate.

Why our own model and not django-rest-knox: knox keeps hashed tokens, several per user, but has no
name per device, no last-used time, and revoking deletes the row, so the office cannot list who
still holds a working token or see when a lost phone last called. Those are the features asked for;
the hashing part is a few lines.
"""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from tickets import rules
from tickets.errors import TicketPermissionDenied, TicketValidationError

from .models import ApiToken

TOKEN_PREFIX = "hz_"
# Writing last_used_at on every call would turn each read into a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def digest_of(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def may_manage_tokens_of(actor, user):
    return actor.pk == user.pk or rules.is_office(actor)


def token_issue(*, actor, user, name):
    """Create a token for ``user``; return (token row, secret). The secret is never stored."""
    if not may_manage_tokens_of(actor, user):
        raise TicketPermissionDenied(_("只有本人或河长办可以为该用户创建令牌。"))
    name = (name or "").strip()
    if not name:
        raise TicketValidationError({"name": _("请填写令牌名称(如设备名)。")})
    if not user.is_active:
        raise TicketValidationError({"user": _("该用户已停用。")})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=secret[:10], digest=digest_of(secret), created_by=actor
    )
    return token, secret


def token_revoke(*, actor, token):
    """Revoke a token; revoking twice is a no-op."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if not may_manage_tokens_of(actor, token.user):
            raise TicketPermissionDenied(_("只有本人或河长办可以吊销该令牌。"))
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.revoked_by = actor
            token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def user_for_secret(secret):
    """The active user holding this secret, or None. Touches last_used_at at most once a minute."""
    if not secret:
        return None, None
    token = (
        ApiToken.objects.filter(digest=digest_of(secret), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if token is None or not token.user.is_active:
        return None, None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user, token


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>`` (``Token <token>`` is accepted too)."""

    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式有误。"))
        try:
            secret = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("令牌格式有误。")) from exc
        user, token = user_for_secret(secret)
        if user is None:
            raise exceptions.AuthenticationFailed(_("令牌无效或已吊销。"))
        return user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
