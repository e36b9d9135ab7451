"""Each person's channels, with the defaults for people who never opened the settings page."""

from .models import NotificationPreference


def preferences_for(users):
    """{user pk: preference}; a person without a saved row gets an unsaved default one."""
    users = list(users)
    saved = {
        p.user_id: p
        for p in NotificationPreference.objects.filter(user__in=users).select_related("webhook")
    }
    result = {}
    for user in users:
        preference = saved.get(user.pk) or NotificationPreference(user=user)
        preference.user = user  # the caller's object: no second query for the account email
        result[user.pk] = preference
    return result


def preference_for(user):
    return preferences_for([user])[user.pk]
