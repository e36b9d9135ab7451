from functools import cache

from .channels.inapp import unread_count as _unread_count


def unread_count(request):
    """{{ notifications_unread_count }} on every page; counted only where a template uses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notifications_unread_count": 0}

    @cache
    def count():
        return _unread_count(user)

    # Templates call a callable once per use; the cache makes that one query per request.
    return {"notifications_unread_count": count}
