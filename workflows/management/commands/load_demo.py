"""Load the organisation of the 2022 summary and a few tickets like the ones it tells of.

Idempotent: organisation rows are looked up by code, tickets by their source
reference, so a second run changes nothing.
"""

import base64
import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from tickets.models import Area, AreaLevel, AttachmentKind, ChiefAppointment, River, Segment, Ticket
from tickets.rules import Role
from workflows import services

DEMO_PASSWORD = "hezhang-demo-2026"

# A 1x1 PNG: enough for a photo slot in demo data.
PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

VILLAGES = [
    ("V1", "东关村"), ("V2", "西关村"), ("V3", "南庄村"), ("V4", "北营村"), ("V5", "沙河村"), ("V6", "柳林村"),
]
RIVERS = [("R1", "沙河"), ("R2", "清水河"), ("R3", "柳河"), ("R4", "北干渠"), ("R5", "南排洪渠")]
# segment code, river code, village code, name
SEGMENTS = [
    ("S1", "R1", "V5", "沙河村段"), ("S2", "R1", "V1", "东关村段"),
    ("S3", "R2", "V2", "西关村段"), ("S4", "R2", "V3", "南庄村段"),
    ("S5", "R3", "V6", "柳林村段"), ("S6", "R4", "V4", "北营村段"),
    ("S7", "R5", "V3", "南庄村段"), ("S8", "R5", "V1", "东关村段"),
]
# username, display name, roles, village code for a village chief
PEOPLE = [
    ("office", "王主任", [Role.OFFICE, Role.OFFICE_HEAD], None),
    ("office2", "李干事", [Role.OFFICE], None),
    ("supervisor", "赵监督员", [Role.SOCIAL_SUPERVISOR], None),
    ("general_chief", "孙总河长", [Role.GENERAL_CHIEF], None),
    ("township_chief", "张镇长", [Role.CHIEF], None),
    ("chief_v1", "刘河长", [Role.CHIEF], "V1"),
    ("chief_v2", "陈河长", [Role.CHIEF], "V2"),
    ("chief_v3", "杨河长", [Role.CHIEF], "V3"),
    ("chief_v4", "黄河长", [Role.CHIEF], "V4"),
    ("chief_v5", "周河长", [Role.CHIEF], "V5"),
    ("chief_v6", "吴河长", [Role.CHIEF], "V6"),
]
APPOINTED_ON = dt.date(2022, 1, 1)


def _latest(today, month, day):
    """The last such date not after today: the summary's March and July letters, this year or last."""
    this_year = dt.date(today.year, month, day)
    return this_year if this_year <= today else dt.date(today.year - 1, month, day)


class Command(BaseCommand):
    help = "Load the demo organisation (one township, 6 villages, 5 rivers) and tickets. Safe to re-run."

    @transaction.atomic
    def handle(self, *args, **options):
        users = self._people()
        segments = self._organisation(users)
        created = self._tickets(users, segments)
        self.stdout.write(
            self.style.SUCCESS(
                f"demo data ready: {len(users)} users (password {DEMO_PASSWORD}), "
                f"{len(segments)} segments, {created} new tickets"
            )
        )

    def _people(self):
        User = get_user_model()
        users = {}
        for username, name, roles, _village in PEOPLE:
            user, created = User.objects.get_or_create(username=username, defaults={"first_name": name})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.is_staff = Role.OFFICE in roles
                user.save()
                user.groups.set(Group.objects.filter(name__in=roles))
            users[username] = user
        return users

    def _organisation(self, users):
        county, _ = Area.objects.get_or_create(code="C1", defaults={"name": "某县", "level": AreaLevel.COUNTY})
        township, _ = Area.objects.get_or_create(
            code="T1", defaults={"name": "某镇", "level": AreaLevel.TOWNSHIP, "parent": county}
        )
        villages = {
            code: Area.objects.get_or_create(
                code=code, defaults={"name": name, "level": AreaLevel.VILLAGE, "parent": township}
            )[0]
            for code, name in VILLAGES
        }
        rivers = {code: River.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in RIVERS}
        village_chief = {village: users[username] for username, _n, _r, village in PEOPLE if village}
        segments = {}
        for code, river, village, name in SEGMENTS:
            segment, _ = Segment.objects.get_or_create(
                code=code, defaults={"river": rivers[river], "area": villages[village], "name": name}
            )
            segments[code] = segment
            for chief, level in ((users["township_chief"], AreaLevel.TOWNSHIP), (village_chief[village], AreaLevel.VILLAGE)):
                ChiefAppointment.objects.get_or_create(
                    segment=segment, level=level, end_date=None,
                    defaults={"chief": chief, "start_date": APPOINTED_ON},
                )
        return segments

    def _tickets(self, users, segments):
        office, supervisor = users["office"], users["supervisor"]
        today = timezone.localdate()
        created = 0

        def photo(name):
            return SimpleUploadedFile(name, PIXEL_PNG, content_type="image/png")

        def open_once(reference, **fields):
            nonlocal created
            existing = Ticket.objects.filter(source_reference=reference).first()
            if existing:
                return None
            created += 1
            return services.open_ticket(source_reference=reference, **fields)

        # March: the city procuratorate's advice on garbage dumped in the river, rectified and closed.
        t = open_once(
            "某检行建〔2026〕3号", reporter=office, segment=segments["S2"], source="procuratorate_advice",
            category="illegal_dumping", severity="serious", received_on=_latest(today, 3, 20),
            description="检察建议:沙河东关村段河道内乱堆生活垃圾、建筑垃圾,要求限期清理。",
            address="东关村桥下游 200 米", attachments=[(photo("before.png"), AttachmentKind.BEFORE)],
        )
        if t:
            chief = users["chief_v1"]
            services.assign_ticket(ticket=t, actor=office, chief=chief, due_at=today + dt.timedelta(days=30),
                                   instructions="组织人员、机械清理河道垃圾,一周内完成。")
            services.start_rectification(ticket=t, actor=chief)
            services.add_attachment(ticket=t, actor=chief, upload=photo("after.png"), kind=AttachmentKind.AFTER)
            services.submit_rectification(ticket=t, actor=chief, measures="出动人员 20 人次、挖掘机 2 台,清理垃圾约 15 吨。")
            services.verify_ticket(ticket=t, actor=office, comment="现场核查已清理干净。")
            services.close_ticket(ticket=t, actor=office, comment="销号。")

        # July: the provincial office's supervision notice, rectified and waiting for verification.
        t = open_once(
            "省河长办督〔2026〕17号", reporter=office, segment=segments["S3"], source="provincial_notice",
            category="illegal_construction", severity="major", received_on=_latest(today, 7, 3),
            description="省河长办督办:清水河西关村段河道管理范围内违建彩钢房一处。",
        )
        if t:
            chief = users["chief_v2"]
            services.assign_ticket(ticket=t, actor=office, chief=chief, due_at=today + dt.timedelta(days=20))
            services.start_rectification(ticket=t, actor=chief)
            services.add_attachment(ticket=t, actor=chief, upload=photo("after.png"), kind=AttachmentKind.AFTER)
            services.submit_rectification(ticket=t, actor=chief, measures="违建已拆除,建筑垃圾已清运。")

        # Found on patrol: the collapsed bank on 沙河, being repaired.
        t = open_once(
            "XH-沙河-堤岸坍塌", reporter=users["township_chief"], segment=segments["S1"], source="patrol_finding",
            category="bank_damage", severity="serious", latitude="34.512300", longitude="109.034500",
            description="巡河发现沙河沙河村段堤岸坍塌约 30 米,河体开裂。",
            attachments=[(photo("bank.png"), AttachmentKind.BEFORE)],
        )
        if t:
            chief = users["chief_v5"]
            services.assign_ticket(ticket=t, actor=office, chief=chief, due_at=today + dt.timedelta(days=10),
                                   instructions="联系市河长办,对坍塌堤岸维修加固。")
            services.start_rectification(ticket=t, actor=chief)

        # Due a few minutes after the demo starts, so the deadline sweep (bin/run starts it) is seen
        # escalating to the township chief right away.
        t = open_once(
            "JD-2026-南排洪渠-02", reporter=supervisor, segment=segments["S7"], source="supervisor_feedback",
            category="sewage_outfall", description="南排洪渠南庄村段发现一处私设排污口,污水直排。",
        )
        if t:
            services.assign_ticket(ticket=t, actor=office, chief=users["chief_v3"],
                                   due_at=timezone.now() + dt.timedelta(minutes=3),
                                   instructions="立即封堵排污口,查明排污单位。")

        # A social supervisor's report, waiting for the office to assign it.
        open_once(
            "JD-2026-柳河-01", reporter=supervisor, segment=segments["S5"], source="supervisor_feedback",
            category="garbage", description="柳河柳林村段岸边有漂浮垃圾,未及时清理。", address="柳林村西桥",
        )
        return created
