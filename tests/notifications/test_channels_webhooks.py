"""Webhook formats, sent to a real local HTTP server that checks the signatures."""

import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from notifications.channels import DeliveryError, webhooks
from notifications.models import AreaWebhook, Delivery, WebhookKind
from tests.factories import ticket_in_state
from tickets.models import TicketState


@pytest.fixture
def robot_delivery(office, chief, segment, make_endpoint):
    """The assigned event's message to the area's robot of the given kind, as the outbox wrote it."""

    def make(kind, **endpoint_fields):
        endpoint = make_endpoint(kind, path=f"/{kind}", **endpoint_fields)
        AreaWebhook.objects.create(area=segment.area, endpoint=endpoint)
        ticket_in_state(TicketState.ASSIGNED, office=office, chief=chief, segment=segment)
        return Delivery.objects.select_related("endpoint", "event__ticket").get(endpoint=endpoint)

    return make


def test_generic_json_is_signed_with_hmac_sha256(robot_delivery, webhook_server, settings):
    delivery = robot_delivery(WebhookKind.GENERIC)
    ticket = delivery.event.ticket
    webhooks.send(delivery)
    (request,) = webhook_server.requests
    assert request["signature_ok"] is True
    headers = request["headers"]
    assert headers["X-Hezhang-Delivery"] == str(delivery.pk)
    body = json.loads(request["body"])
    assert body["timestamp"] == int(headers["X-Hezhang-Timestamp"])
    assert body["ticket"] == ticket.number
    assert body["kind"] == "assigned"
    assert body["url"] == f"{settings.SITE_URL}/tickets/{ticket.number}/"
    assert body["title"].startswith("【交办】" + ticket.number)
    assert "[查看工单](" in body["text"]


def test_a_wrong_secret_is_refused_by_the_receiver(robot_delivery, webhook_server):
    delivery = robot_delivery(WebhookKind.GENERIC, secret="not-the-receivers-secret")
    with pytest.raises(DeliveryError, match="HTTP 401"):
        webhooks.send(delivery)
    assert webhook_server.requests[0]["signature_ok"] is False


def test_wecom_robot_gets_markdown(robot_delivery, webhook_server):
    delivery = robot_delivery(WebhookKind.WECOM)
    ticket = delivery.event.ticket
    webhooks.send(delivery)
    body = webhook_server.json_bodies()[0]
    assert body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert content.startswith(f"### 【交办】{ticket.number}")
    assert ticket.segment.river.name in content
    assert f"/tickets/{ticket.number}/)" in content


def test_wecom_error_codes_are_failures(robot_delivery, webhook_server):
    webhook_server.answers = [(200, {"errcode": 45009, "errmsg": "api freq out of limit"})]
    with pytest.raises(DeliveryError, match="45009"):
        webhooks.send(robot_delivery(WebhookKind.WECOM))


def test_dingtalk_robot_gets_markdown_on_a_signed_url(robot_delivery, webhook_server):
    secret = "SECabc123"
    delivery = robot_delivery(WebhookKind.DINGTALK, secret=secret)
    ticket = delivery.event.ticket
    webhooks.send(delivery)
    (request,) = webhook_server.requests
    query = parse_qs(urlsplit(request["path"]).query)
    timestamp, sign = query["timestamp"][0], query["sign"][0]
    # What DingTalk checks: base64(HMAC-SHA256(secret, "<timestamp>\n<secret>")).
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert sign == expected
    body = json.loads(request["body"])
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"].startswith("【交办】")
    assert "\n\n" in body["markdown"]["text"]  # DingTalk needs blank lines to keep lines apart
    assert ticket.number in body["markdown"]["text"]


def test_unsigned_dingtalk_url_is_left_alone(robot_delivery, webhook_server):
    webhooks.send(robot_delivery(WebhookKind.DINGTALK))
    assert webhook_server.requests[0]["path"] == "/dingtalk"


def test_an_unreachable_robot_is_a_delivery_error(robot_delivery, webhook_server):
    delivery = robot_delivery(WebhookKind.WECOM)
    webhook_server.close()
    with pytest.raises(DeliveryError, match="ConnectionError"):
        webhooks.send(delivery)


def test_long_messages_fit_the_robots_limit():
    payload = webhooks.wecom_payload("标题", "河" * 5000)
    assert len(payload["markdown"]["content"].encode()) <= webhooks.MAX_MARKDOWN_BYTES
