"""Work-chat group robots (WeCom, DingTalk) and a generic JSON webhook signed with HMAC-SHA256.

WeCom:    POST {"msgtype": "markdown", "markdown": {"content": ...}}; answer {"errcode": 0, ...}.
DingTalk: POST {"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}; with a secret the URL
          carries timestamp (ms) and sign = base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")).
Generic:  POST JSON; X-Hezhang-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>, and
          X-Hezhang-Timestamp (also inside the signed body, so a receiver can refuse old replays).
          X-Hezhang-Delivery is the outbox row id: the same id twice is the same message.
"""

import base64
import hashlib
import hmac
import json
import time
from urllib.parse import quote_plus

import requests

from .. import conf
from ..models import WebhookKind
from .errors import DeliveryError, PermanentDeliveryError

SIGNATURE_HEADER = "X-Hezhang-Signature"
TIMESTAMP_HEADER = "X-Hezhang-Timestamp"
DELIVERY_HEADER = "X-Hezhang-Delivery"
# WeCom refuses markdown content over 4096 bytes; DingTalk's limit is larger, keep both under it.
MAX_MARKDOWN_BYTES = 4000


def _truncate_utf8(text, limit=MAX_MARKDOWN_BYTES):
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode(errors="ignore") + "…"


def wecom_payload(title, body):
    return {"msgtype": "markdown", "markdown": {"content": _truncate_utf8(f"### {title}\n{body}")}}


def dingtalk_payload(title, body):
    # DingTalk's markdown joins single newlines; a blank line between lines keeps them apart.
    text = "\n\n".join(line for line in body.splitlines() if line.strip())
    return {"msgtype": "markdown", "markdown": {"title": title, "text": _truncate_utf8(f"### {title}\n\n{text}")}}


def dingtalk_signed_url(url, secret, timestamp_ms):
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    sign = quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp_ms}&sign={sign}"


def hmac_signature(secret, body):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def generic_payload(delivery, timestamp):
    event = delivery.event
    notification = delivery.notification
    ticket = event.ticket if event else (notification.ticket if notification else None)
    return {
        "delivery": delivery.pk,
        "kind": event.kind if event else (notification.kind if notification else ""),
        "event": event.pk if event else None,
        "ticket": ticket.number if ticket else None,
        "title": delivery.subject,
        "text": delivery.body,
        "url": delivery.link,
        "timestamp": timestamp,
    }


def _encode(payload):
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def build_request(delivery, *, now=None):
    """(url, body bytes, headers) for one delivery; pure, so tests can check each format."""
    endpoint = delivery.endpoint
    now = time.time() if now is None else now
    headers = {"Content-Type": "application/json; charset=utf-8", DELIVERY_HEADER: str(delivery.pk)}
    url = endpoint.url
    if endpoint.kind == WebhookKind.WECOM:
        body = _encode(wecom_payload(delivery.subject, delivery.body))
    elif endpoint.kind == WebhookKind.DINGTALK:
        body = _encode(dingtalk_payload(delivery.subject, delivery.body))
        if endpoint.secret:
            url = dingtalk_signed_url(url, endpoint.secret, int(now * 1000))
    elif endpoint.kind == WebhookKind.GENERIC:
        if not endpoint.secret:
            raise PermanentDeliveryError("generic webhook without a secret")
        timestamp = int(now)
        body = _encode(generic_payload(delivery, timestamp))
        headers[TIMESTAMP_HEADER] = str(timestamp)
        headers[SIGNATURE_HEADER] = hmac_signature(endpoint.secret, body)
    else:
        raise PermanentDeliveryError(f"unknown webhook kind {endpoint.kind!r}")
    return url, body, headers


def _check_robot_answer(response):
    """WeCom and DingTalk answer HTTP 200 with errcode != 0 for a bad key, a bad sign or a rate limit."""
    try:
        answer = response.json()
    except ValueError as exc:
        raise DeliveryError(f"HTTP {response.status_code}: not JSON: {response.text[:200]}") from exc
    if answer.get("errcode", 0) != 0:
        raise DeliveryError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}"[:500])


def send(delivery):
    endpoint = delivery.endpoint
    if endpoint is None or not endpoint.is_active:
        raise PermanentDeliveryError("webhook endpoint missing or disabled")
    url, body, headers = build_request(delivery)
    try:
        response = requests.post(url, data=body, headers=headers, timeout=conf.webhook_timeout())
    except requests.RequestException as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}"[:500]) from exc
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"HTTP {response.status_code}: {response.text[:200]}")
    if endpoint.kind in (WebhookKind.WECOM, WebhookKind.DINGTALK):
        _check_robot_answer(response)
