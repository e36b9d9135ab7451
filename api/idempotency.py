"""Idempotency-Key for POSTs: a retried request gets the first answer, and the action runs once.

The key is claimed by inserting a row (unique per user and key) in the same transaction as the
action, and the successful response is written to that row before commit. So:
- a retry after success finds the row and gets the stored status and body back;
- a concurrent duplicate blocks on the unique index until the first commits, then replays it
  (PostgreSQL); if the first failed and rolled back, the duplicate acts instead;
- a failed action (any error) rolls the claim back with it, so a retry acts again;
- the same key with a different method, path or body is refused with 422.
"""

import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .errors import ApiError
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


def fingerprint(request):
    """What makes two requests "the same": method, path, query, fields and uploaded files' content.

    Parsed rather than raw: a phone re-encoding a multipart retry picks a new boundary.
    """
    fields, files = {}, {}
    data = request.data
    if hasattr(data, "lists"):
        for name, values in data.lists():
            uploads = [v for v in values if hasattr(v, "chunks")]
            if uploads:
                files[name] = [_file_digest(v) for v in uploads]
            else:
                fields[name] = values
    else:
        fields = data
    canonical = json.dumps(
        {
            "method": request.method,
            "path": request.path,
            "query": sorted(request.query_params.lists()),
            "fields": fields,
            "files": files,
        },
        sort_keys=True,
        default=str,
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _file_digest(upload):
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _replay(record, print_):
    if record.fingerprint != print_:
        raise ApiError(
            status_code=422,
            code="idempotency_key_reused",
            message=_("该 Idempotency-Key 已用于另一个请求。"),
        )
    response = Response(record.body, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(handler):
    """Decorate a view's ``post``: honour the Idempotency-Key header if the client sent one."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return handler(view, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH or not key.isprintable():
            raise ApiError(
                status_code=400, code="invalid", message=_("Idempotency-Key 须为可打印字符,最多 200 个。")
            )
        print_ = fingerprint(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        user=request.user, key=key, fingerprint=print_, method=request.method,
                        path=request.path[:500],
                    )
            except IntegrityError:
                return _replay(IdempotencyRecord.objects.get(user=request.user, key=key), print_)
            # An error raised by the handler leaves this block and rolls the claim back with it.
            response = handler(view, request, *args, **kwargs)
            if response.status_code >= 400:
                transaction.set_rollback(True)
                return response
            record.status_code = response.status_code
            record.body = json.loads(JSONRenderer().render(response.data) or b"null")
            record.save(update_fields=["status_code", "body"])
            return response

    wrapper.idempotent = True
    return wrapper
