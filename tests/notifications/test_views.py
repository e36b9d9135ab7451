"""The notification centre through its URLs."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from notifications.context_processors import unread_count
from notifications.models import Delivery, DeliveryStatus, Notification, NotificationPreference
from tests.factories import ticket_in_state
from tickets.models import TicketState


@pytest.fixture
def inbox(office, chief, segment, supervisor, verifier):
    """The chief's notifications: assigned and verified, both unread."""
    ticket_in_state(TicketState.VERIFIED, office=office, chief=chief, segment=segment, reporter=supervisor,
                    verifier=verifier)
    return Notification.objects.filter(recipient=chief)


def test_login_is_required(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302
    assert "login" in response.url


def test_the_list_shows_unread_first_with_the_count(client, chief, inbox):
    assigned, verified = inbox.get(kind="assigned"), inbox.get(kind="verified")
    verified.read_at = verified.created_at
    verified.save(update_fields=["read_at"])
    client.force_login(chief)
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    page = response.context["page"]
    assert [n.pk for n in page.object_list] == [assigned.pk, verified.pk]
    assert response.context["unread"] == 1
    html = response.content.decode()
    assert assigned.title in html
    assert "1 条未读" in html


def test_mark_one_read_is_a_post_and_only_for_the_owner(client, chief, office, inbox):
    notification = inbox.get(kind="assigned")
    url = reverse("notifications:read", args=[notification.pk])
    client.force_login(office)
    client.post(url)
    notification.refresh_from_db()
    assert notification.read_at is None  # not office's
    client.force_login(chief)
    assert client.get(url).status_code == 405
    response = client.post(url, {"next": "/notifications/?page=1"})
    assert response.url == "/notifications/?page=1"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_open_marks_read_and_goes_to_the_ticket(client, chief, inbox):
    notification = inbox.get(kind="assigned")
    client.force_login(chief)
    response = client.post(reverse("notifications:open", args=[notification.pk]))
    assert response.url == f"/tickets/{notification.ticket.number}/"
    notification.refresh_from_db()
    assert notification.is_read


def test_mark_all_read(client, chief, inbox):
    client.force_login(chief)
    client.post(reverse("notifications:read_all"), {"next": "https://evil.example.com/"})
    assert not inbox.filter(read_at__isnull=True).exists()


def test_the_unread_count_is_on_every_page(chief, inbox, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = chief
    context = unread_count(request)
    template = Template("{{ notifications_unread_count }}/{{ notifications_unread_count }}")
    with django_assert_num_queries(1):
        assert template.render(Context(context)) == "2/2"


def test_preferences_are_saved(client, chief):
    client.force_login(chief)
    assert client.get(reverse("notifications:preferences")).status_code == 200
    response = client.post(reverse("notifications:preferences"), {
        "email": "me@example.cn", "language": "en", "digest_enabled": "on",
    })
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=chief)
    assert (preference.email_enabled, preference.email, preference.language) == (False, "me@example.cn", "en")


def test_failed_and_unknown_sends_are_shown_to_the_office_only(client, office, chief, segment):
    chief.email = "chief@example.cn"
    chief.save(update_fields=["email"])
    ticket_in_state(TicketState.ASSIGNED, office=office, chief=chief, segment=segment)
    Delivery.objects.update(status=DeliveryStatus.UNKNOWN, last_error="发送中断")
    client.force_login(chief)
    assert client.get(reverse("notifications:deliveries")).status_code == 403
    client.force_login(office)
    response = client.get(reverse("notifications:deliveries"))
    assert response.status_code == 200
    assert "chief@example.cn" in response.content.decode()
    assert "发送中断" in response.content.decode()


def test_the_admin_lists_deliveries_by_status(admin_client, office, chief, segment):
    chief.email = "chief@example.cn"
    chief.save(update_fields=["email"])
    ticket_in_state(TicketState.ASSIGNED, office=office, chief=chief, segment=segment)
    Delivery.objects.update(status=DeliveryStatus.FAILED, last_error="HTTP 500")
    response = admin_client.get(reverse("admin:notifications_delivery_changelist"), {"status__exact": "failed"})
    assert response.status_code == 200
    assert "HTTP 500" in response.content.decode()
    for name in ["notificationrule", "webhookendpoint", "areawebhook", "notificationpreference", "notification"]:
        assert admin_client.get(reverse(f"admin:notifications_{name}_changelist")).status_code == 200
