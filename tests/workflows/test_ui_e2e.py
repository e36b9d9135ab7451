"""End to end in a real headless Chromium: the rectification journey through the web UI, as each role.

A supervisor opens a ticket with a photo, the office assigns it, the chief starts and submits with an
"after" photo, the office rejects, the chief resubmits, the office verifies and closes; at each step the
test checks what that role's pages show. Set HZ_SCREENSHOT_DIR to keep screenshots of the pages.
"""

import datetime as dt
import os
import re
import tempfile

import pytest
from django.utils import timezone

from tests.conftest import CHROMEDRIVER, CHROMIUM
from tests.factories import PNG, AppointmentFactory, SegmentFactory, UserFactory
from tickets.models import AreaLevel, EventKind, Ticket, TicketState
from workflows import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"  # tests.factories.UserFactory's
WAIT = 20


@pytest.fixture
def driver(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--window-size=1400,1600", "--lang=zh-CN",
    ]:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(dir=tmp_path)}")
    # An office's browser asks for Chinese; the UI must answer in Chinese.
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(60)
    yield browser
    browser.quit()


class UI:
    """What a user does in the browser, in the words of the page."""

    def __init__(self, driver, live_server, tmp_path):
        from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.d, self.base, self.tmp, self.By = driver, live_server.url, tmp_path, By
        # A page replaced while a condition reads it (a language switch reloads the page) is not a failure:
        # the condition is simply tried again.
        self.wait = WebDriverWait(
            driver, WAIT, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
        )
        self.shots = os.environ.get("HZ_SCREENSHOT_DIR")

    def css(self, selector):
        return self.d.find_element(self.By.CSS_SELECTOR, selector)

    def all(self, selector):
        return self.d.find_elements(self.By.CSS_SELECTOR, selector)

    def text(self, selector="body"):
        return self.css(selector).text

    def go(self, path):
        self.d.get(self.base + path)
        self.wait.until(lambda d: d.execute_script("return document.readyState") == "complete")

    def wait_path(self, pattern):
        self.wait.until(lambda d: re.fullmatch(pattern, d.current_url.removeprefix(self.base)))

    def wait_for(self, selector):
        return self.wait.until(lambda d: d.find_elements(self.By.CSS_SELECTOR, selector))[0]

    def wait_text(self, selector, text):
        self.wait.until(lambda d: any(text in e.text for e in d.find_elements(self.By.CSS_SELECTOR, selector)))

    def login(self, username):
        self.d.delete_all_cookies()
        self.go("/accounts/login/")
        self.wait_for("input[name=username]").send_keys(username)
        self.css("input[name=password]").send_keys(PASSWORD)
        self.css("button[type=submit]").click()
        self.wait_path("/")
        self.wait_for("#hz-inbox")

    def fill(self, name, value):
        field = self.wait_for(f"input[name={name}]:not([type=hidden]), textarea[name={name}]")
        field.clear()
        field.send_keys(value)

    def choose(self, name, value):
        """viewflow's Material select: open it, click the option."""
        field = self.css(f"vf-field-select[name={name}]")
        field.find_element(self.By.CSS_SELECTOR, ".mdc-select__anchor").click()
        option = field.find_element(self.By.CSS_SELECTOR, f'li[data-value="{value}"]')
        self.wait.until(lambda d: option.is_displayed())
        option.click()
        self.wait.until(lambda d: self.css(f"input[type=hidden][name={name}]").get_attribute("value") == str(value))

    def upload(self, name, filename):
        path = self.tmp / filename
        path.write_bytes(PNG)
        self.css(f"input[type=file][name={name}]").send_keys(str(path))

    def submit(self):
        self.css("#hz-submit").click()

    def action(self, name):
        self.wait_for(f'#hz-actions a[data-action="{name}"]').click()
        self.wait_for("#hz-action-form")

    def buttons(self):
        return {a.get_attribute("data-action") for a in self.all("#hz-actions a")}

    def state(self):
        return self.text("#hz-ticket-state")

    def photos_loaded(self, kind):
        """How many thumbnails of this kind the browser actually loaded through the attachment view."""
        self.wait.until(lambda d: all(
            d.execute_script("return arguments[0].complete", img) for img in self.all(f".hz-photo--{kind} img")
        ))
        return sum(
            1 for img in self.all(f".hz-photo--{kind} img")
            if self.d.execute_script("return arguments[0].naturalWidth", img) > 0
        )

    def on_ticket(self, number, state_label):
        self.wait_path(f"/tickets/{number}/")
        self.wait_text("#hz-ticket-state", state_label)

    def shot(self, name):
        if self.shots:
            os.makedirs(self.shots, exist_ok=True)
            self.d.save_screenshot(os.path.join(self.shots, f"{name}.png"))


@pytest.fixture
def cast(db):
    segment = SegmentFactory(name="东关村段", river__name="沙河")
    chief = AppointmentFactory(segment=segment, chief__username="chief", chief__first_name="刘河长").chief
    township = AppointmentFactory(
        segment=segment, level=AreaLevel.TOWNSHIP, chief__username="township", chief__first_name="张镇长"
    ).chief
    return {
        "segment": segment,
        "office": UserFactory(username="office", first_name="王主任", roles=["office"]),
        "supervisor": UserFactory(username="supervisor", first_name="赵监督员", roles=["social_supervisor"]),
        "chief": chief,
        "township": township,
        "other_chief": AppointmentFactory(chief__username="other_chief").chief,
    }


def test_rectification_journey_as_supervisor_office_and_chief(driver, live_server, tmp_path, cast):
    ui = UI(driver, live_server, tmp_path)
    segment, chief = cast["segment"], cast["chief"]

    # The supervisor opens a ticket with a photo.
    ui.login("supervisor")
    assert "我上报的问题" in ui.text("#hz-my-reports")
    ui.go("/tickets/new/")
    ui.choose("segment", segment.pk)
    ui.choose("source", "supervisor_feedback")
    ui.choose("category", "illegal_dumping")
    ui.choose("severity", "serious")
    ui.fill("description", "桥下游河岸堆放建筑垃圾约五方")
    ui.fill("address", "东关村桥下游 200 米")
    ui.upload("before_photos", "before.png")
    ui.submit()
    ui.wait.until(lambda d: re.fullmatch(r"/tickets/ZG-\d{4}-\d{5}/", d.current_url.removeprefix(ui.base)))
    number = driver.current_url.rstrip("/").rsplit("/", 1)[-1]
    ui.on_ticket(number, "待交办")
    assert f"已上报,工单编号 {number}。" in ui.text()
    assert "桥下游河岸堆放建筑垃圾约五方" in ui.text("#hz-description")
    assert ui.photos_loaded("before") == 1
    assert "上报" in ui.text("#hz-timeline")
    assert ui.buttons() == {"attach", "comment"}  # a supervisor follows, the office acts
    ticket = Ticket.objects.get(number=number)
    assert ticket.reporter == cast["supervisor"]

    # The office finds it in the unassigned queue and assigns it to the village chief.
    ui.login("office")
    assert number in ui.text("#hz-queue")
    ui.css(f'#hz-queue [data-number="{number}"] a').click()
    ui.on_ticket(number, "待交办")
    assert {"assign", "cancel"} <= ui.buttons()
    ui.action("assign")
    due = timezone.localdate() + dt.timedelta(days=7)
    ui.choose("chief", chief.pk)
    ui.fill("due_at", due.isoformat())
    ui.fill("instructions", "三日内清运完毕")
    ui.submit()
    ui.on_ticket(number, "已交办")
    assert "刘河长" in ui.text("#hz-chief")
    assert due.isoformat() in ui.text("#hz-due")
    assert "assign" not in ui.buttons() and "reassign" in ui.buttons()

    # The chief finds it in the inbox without claiming it, starts, and submits with an "after" photo.
    ui.login("chief")
    assert number in ui.text("#hz-inbox")
    ui.css(f'#hz-inbox [data-number="{number}"] a').click()
    ui.on_ticket(number, "已交办")
    assert ui.buttons() == {"start", "attach", "comment"}
    ui.action("start")
    ui.submit()
    ui.on_ticket(number, "整改中")
    ui.action("submit")
    ui.fill("measures", "组织人员清运建筑垃圾")
    ui.upload("after_photos", "after.png")
    ui.submit()
    ui.on_ticket(number, "待核查")
    assert ui.photos_loaded("after") == 1
    assert "组织人员清运建筑垃圾" in ui.text("#hz-measures")
    assert ui.buttons() == {"attach", "comment"}

    # The office rejects: the photo does not show the whole bank.
    ui.login("office")
    assert number in ui.text("#hz-inbox")
    ui.go(f"/tickets/{number}/")
    assert {"verify", "reject"} <= ui.buttons()
    ui.action("reject")
    ui.fill("reason", "照片未拍到全部河岸,请补拍")
    ui.submit()
    ui.on_ticket(number, "整改中")
    assert ui.text("#hz-rejections") == "1"
    assert "照片未拍到全部河岸,请补拍" in ui.text("#hz-timeline")

    # The chief sees it back in the inbox and resubmits with another photo.
    ui.login("chief")
    assert number in ui.text("#hz-inbox")
    ui.go(f"/tickets/{number}/")
    ui.action("submit")
    ui.fill("measures", "已补拍全部河岸,垃圾清运完毕")
    ui.upload("after_photos", "after-2.png")
    ui.submit()
    ui.on_ticket(number, "待核查")
    assert ui.photos_loaded("after") == 2

    # The office verifies and closes.
    ui.login("office")
    ui.go(f"/tickets/{number}/")
    ui.action("verify")
    ui.fill("comment", "现场核查已清理干净")
    ui.submit()
    ui.on_ticket(number, "已核查")
    assert ui.buttons() >= {"close"} and "verify" not in ui.buttons()
    ui.action("close")
    ui.submit()
    ui.on_ticket(number, "已销号")
    # Closed: its evidence is final (no more attachments); the office may still reopen it.
    assert ui.buttons() == {"reopen", "comment"}
    timeline = ui.text("#hz-timeline")
    order = ["上报", "交办", "开始整改", "提交整改", "核查退回", "核查通过", "销号"]
    positions = [timeline.index(word) for word in order]
    assert positions == sorted(positions), timeline
    assert "流程已结束" in ui.text("#hz-chart")
    assert ui.css("#hz-chart svg g#end").get_attribute("class") == "done"
    ui.shot("ticket_closed_office")

    ticket.refresh_from_db()
    assert ticket.state == TicketState.CLOSED and ticket.rejection_count == 1
    assert list(ticket.events.filter(kind=EventKind.REJECTED).values_list("payload__reason", flat=True)) == [
        "照片未拍到全部河岸,请补拍"
    ]

    # The supervisor follows the outcome from their home page.
    ui.login("supervisor")
    assert number in ui.text("#hz-my-reports") and "已销号" in ui.text("#hz-my-reports")
    ui.shot("home_supervisor")


def test_superior_chief_sees_read_only_and_other_chief_sees_nothing(driver, live_server, tmp_path, cast):
    ticket = services.open_ticket(
        reporter=cast["office"], segment=cast["segment"], source="patrol_finding", category="garbage",
        description="河面漂浮垃圾",
    )
    services.assign_ticket(ticket=ticket, actor=cast["office"], chief=cast["chief"],
                           due_at=timezone.localdate() + dt.timedelta(days=3))
    ui = UI(driver, live_server, tmp_path)

    ui.login("township")
    assert ticket.number not in ui.text("#hz-inbox")  # not theirs to act on
    ui.go("/tickets/")
    assert ticket.number in ui.text("#hz-ticket-list")
    ui.go(f"/tickets/{ticket.number}/")
    ui.wait_text("#hz-ticket-state", "已交办")
    assert ui.buttons() == {"comment"}
    ui.go(f"/tickets/{ticket.number}/start/")
    assert not ui.all("#hz-action-form")  # 403: viewflow's "access forbidden" page

    ui.login("other_chief")
    ui.go("/tickets/")
    assert "没有符合条件的工单" in ui.text()
    ui.go(f"/tickets/{ticket.number}/")
    assert not ui.all("#hz-ticket") and "河面漂浮垃圾" not in ui.text()  # 404


def test_lost_race_keeps_what_the_user_typed_and_english_switch(driver, live_server, tmp_path, cast):
    ticket = services.open_ticket(
        reporter=cast["office"], segment=cast["segment"], source="patrol_finding", category="garbage",
        description="河面漂浮垃圾",
    )
    ui = UI(driver, live_server, tmp_path)
    ui.login("office")
    ui.go(f"/tickets/{ticket.number}/cancel/")
    ui.fill("reason", "与另一工单重复")
    # Meanwhile a colleague assigns the ticket.
    services.assign_ticket(ticket=ticket, actor=UserFactory(username="office2", roles=["office"]),
                           chief=cast["chief"], due_at=timezone.localdate() + dt.timedelta(days=3))
    services.start_rectification(ticket=ticket, actor=cast["chief"])
    ui.submit()
    ui.wait_for("#hz-conflict")
    assert "整改中" in ui.text("#hz-conflict")
    assert ui.css("textarea[name=reason]").get_attribute("value") == "与另一工单重复"
    ticket.refresh_from_db()
    assert ticket.state == TicketState.RECTIFYING

    # The language switch is on every page; English stays on after it.
    ui.css("#hz-lang-switch").click()
    ui.wait.until(lambda d: "Cancel" in d.find_element(ui.By.CSS_SELECTOR, ".mdc-top-app-bar__title").text)
    ui.go("/")
    assert "Waiting for me" in ui.text("#hz-inbox")
    ui.go(f"/tickets/{ticket.number}/")
    assert "Rectifying" in ui.state()
    ui.shot("ticket_english")
