"""Who may do what. Every permission decision about tickets is made here and nowhere else.

Roles are Django groups. The office acts on every ticket; the responsible chief
rectifies; the office or an appointed verifier (never the chief who rectified)
verifies; supervisors open tickets and follow the ones they opened.
"""

from django.db.models import Q, TextChoices
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(TextChoices):
    OFFICE = "office", _("河长办")
    OFFICE_HEAD = "office_head", _("河长办主任")
    GENERAL_CHIEF = "general_chief", _("总河长")
    VERIFIER = "verifier", _("核查员")
    CHIEF = "chief", _("河长")
    SOCIAL_SUPERVISOR = "social_supervisor", _("社会监督员")
    CONGRESS_SUPERVISOR = "congress_supervisor", _("人大监督")
    DISCIPLINE_SUPERVISOR = "discipline_supervisor", _("纪委监督")
    PROCURATORATE_LIAISON = "procuratorate_liaison", _("检察院联络员")
    PROVINCIAL_OFFICE = "provincial_office", _("省市河长办")


SUPERVISOR_ROLES = frozenset(
    {
        Role.SOCIAL_SUPERVISOR,
        Role.CONGRESS_SUPERVISOR,
        Role.DISCIPLINE_SUPERVISOR,
        Role.PROCURATORATE_LIAISON,
        Role.PROVINCIAL_OFFICE,
    }
)


def roles_of(user):
    """The user's role names, read once per user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_hz_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._hz_roles = cached
    return cached


def is_office(user):
    return Role.OFFICE in roles_of(user) or bool(user and user.is_active and user.is_superuser)


def is_verifier(user):
    return is_office(user) or Role.VERIFIER in roles_of(user)


def is_supervisor(user):
    return bool(SUPERVISOR_ROLES & roles_of(user))


def is_chief(user):
    return Role.CHIEF in roles_of(user)


def may_open(user):
    return is_office(user) or is_supervisor(user) or is_chief(user)


def may_assign(ticket, user):
    return is_office(user)


def may_rectify(ticket, user):
    return user is not None and user.is_active and ticket.responsible_chief_id == user.pk


def may_verify(ticket, user):
    return is_verifier(user) and ticket.rectified_by_id != user.pk


def may_close(ticket, user):
    return is_office(user)


def may_cancel(ticket, user):
    return is_office(user)


def may_reopen(ticket, user):
    return is_office(user)


def may_reassign(ticket, user):
    return is_office(user)


def may_change_deadline(ticket, user):
    return is_office(user)


def may_view(ticket, user):
    """Office: all. Chief: tickets on segments they hold (any level) or assigned to them. Supervisor: own."""
    if is_office(user) or Role.VERIFIER in roles_of(user):
        return True
    if user is None or not user.is_authenticated:
        return False
    if ticket.reporter_id == user.pk or ticket.responsible_chief_id == user.pk:
        return True
    if not is_chief(user):
        return False
    # "Hold" means appointed today: a handover entered ahead of its date neither hides the segment
    # from the outgoing chief nor shows it to the incoming one early (as selectors.chief_appointment).
    today = timezone.localdate()
    return ticket.segment.appointments.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today), chief=user, start_date__lte=today
    ).exists()


def may_comment(ticket, user):
    return may_view(ticket, user)


def may_attach(ticket, user):
    # Verifiers take the verification photos, so they attach as well as the office does.
    return is_verifier(user) or may_rectify(ticket, user) or ticket.reporter_id == getattr(user, "pk", None)
