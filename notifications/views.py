"""The notification centre: a person's list, mark read, their channel settings; the office's failed sends."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tickets import rules
from workflows.pagination import CappedPaginator

from .channels import inapp
from .forms import PreferenceForm
from .models import Delivery, DeliveryStatus
from .preferences import preference_for

PAGE_SIZE = 30


def _next_or(request, default):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@login_required
def notification_list(request):
    page = CappedPaginator(inapp.inbox(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, "unread": inapp.unread_count(request.user)})


@login_required
@require_POST
def notification_read(request, pk):
    inapp.mark_read(user=request.user, notification_id=pk)
    return redirect(_next_or(request, "notifications:list"))


@login_required
@require_POST
def notification_open(request, pk):
    """Mark read and go to the ticket; a POST so that a link preview never marks anything read."""
    notification = inapp.mark_read(user=request.user, notification_id=pk)
    if notification is None or not notification.link:
        return redirect("notifications:list")
    return redirect(notification.link)


@login_required
@require_POST
def notification_read_all(request):
    count = inapp.mark_all_read(user=request.user)
    messages.success(request, _("已将 %(count)d 条通知标为已读。") % {"count": count})
    return redirect(_next_or(request, "notifications:list"))


@login_required
def preferences(request):
    preference = preference_for(request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("通知设置已保存。"))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@login_required
def delivery_problems(request):
    """For the office: sends that failed or whose outcome is unknown, newest first."""
    if not rules.is_office(request.user):
        raise PermissionDenied
    problems = (
        Delivery.objects.filter(status__in=[DeliveryStatus.FAILED, DeliveryStatus.UNKNOWN])
        .select_related("endpoint", "notification__recipient", "event__ticket")
        .order_by("-updated_at", "-id")
    )
    page = CappedPaginator(problems, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/deliveries.html", {"page": page})
