"""Attachments: checked by size, extension and content, hashed, stored, recorded."""

import hashlib
import os

from django.conf import settings
from django.utils.translation import gettext as _

from .. import rules
from ..errors import TicketPermissionDenied, TicketStateConflict, TicketValidationError
from ..models import Attachment, AttachmentKind, EventKind, TicketState
from .audit import record_event
from .transitions import locked_ticket

# extension -> (content type, test on the first bytes). Office files are ZIP (OOXML) or OLE (legacy).
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ALLOWED_TYPES = {
    ".jpg": ("image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff")),
    ".png": ("image/png", lambda h: h.startswith(b"\x89PNG\r\n\x1a\n")),
    ".gif": ("image/gif", lambda h: h[:6] in (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP"),
    ".pdf": ("application/pdf", lambda h: h.startswith(b"%PDF-")),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        lambda h: h.startswith(_ZIP),
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", lambda h: h.startswith(_ZIP)),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        lambda h: h.startswith(_ZIP),
    ),
    ".doc": ("application/msword", lambda h: h.startswith(_OLE)),
    ".xls": ("application/vnd.ms-excel", lambda h: h.startswith(_OLE)),
}
PHOTO_KINDS = {AttachmentKind.BEFORE, AttachmentKind.AFTER, AttachmentKind.VERIFICATION}


def upload_name(upload):
    """The file's own name, without any client path: Windows clients may send "C:\\dir\\photo.jpg",
    and a backslash path would reach the storage as a path-traversal error instead of being stored."""
    return os.path.basename((upload.name or "").replace("\\", "/"))


def check_upload(upload, kind):
    """Return (content type, sha256) of an acceptable upload, or raise TicketValidationError."""
    if kind not in AttachmentKind.values:
        raise TicketValidationError({"kind": _("未知的附件类型。")})
    name = upload_name(upload)
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED_TYPES:
        raise TicketValidationError(
            {"file": _("不支持的文件类型 %(ext)s。允许:图片、PDF、Office 文件。") % {"ext": ext or "?"}}
        )
    if upload.size == 0:
        raise TicketValidationError({"file": _("文件为空。")})
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise TicketValidationError(
            {"file": _("文件过大(上限 %(mb)d MB)。") % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}}
        )
    content_type, looks_right = ALLOWED_TYPES[ext]
    digest = hashlib.sha256()
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not looks_right(head):
        raise TicketValidationError({"file": _("文件内容与扩展名 %(ext)s 不符。") % {"ext": ext}})
    if kind in PHOTO_KINDS and not content_type.startswith("image/"):
        raise TicketValidationError({"file": _("现场照片须为图片文件。")})
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return content_type, digest.hexdigest()


def store_attachment(*, ticket, actor, upload, kind):
    """Save one checked upload and its audit event. The caller holds the ticket lock."""
    content_type, sha256 = check_upload(upload, kind)
    name = upload_name(upload)
    attachment = Attachment(
        ticket=ticket,
        kind=kind,
        original_name=name[:200],
        content_type=content_type,
        size=upload.size,
        sha256=sha256,
        uploaded_by=actor,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    record_event(
        ticket=ticket,
        kind=EventKind.ATTACHMENT_ADDED,
        actor=actor,
        payload={
            "attachment": attachment.pk,
            "kind": kind,
            "name": attachment.original_name,
            "sha256": sha256,
            "size": attachment.size,
        },
    )
    return attachment


# A closed ticket's evidence is what the closing was decided on; a cancelled one has none to add.
NO_ATTACHMENTS_IN = frozenset({TicketState.CLOSED, TicketState.CANCELLED})


def attachment_add(*, ticket, actor, upload, kind):
    with locked_ticket(ticket) as locked:
        if not rules.may_attach(locked, actor):
            raise TicketPermissionDenied()
        if locked.state in NO_ATTACHMENTS_IN:
            raise TicketStateConflict(
                _("工单已销号或已撤销,不能再上传附件;如需补充,请先重新整改。"), current_state=locked.state
            )
        return store_attachment(ticket=locked, actor=actor, upload=upload, kind=kind)
