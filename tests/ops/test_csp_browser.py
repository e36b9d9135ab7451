"""The Content Security Policy, as a real Chromium enforces it: the login page and a ticket page load
and work with no violation in the console."""

import logging
import shutil

import pytest

from tests.factories import png_upload, ticket_in_state
from tickets.models import AttachmentKind, TicketState
from tickets.services.attachments import attachment_add

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chromium():
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.skip("needs chromium and chromedriver (apt-get install -y chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _csp_problems(driver):
    return [entry["message"] for entry in driver.get_log("browser")
            if "Content Security Policy" in entry["message"] or "Refused to" in entry["message"]]


def test_login_and_ticket_pages_run_under_the_policy(chromium, live_server, segment, office, chief, caplog):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    caplog.set_level(logging.WARNING, logger="ops.csp")
    ticket = ticket_in_state(TicketState.RECTIFYING, office=office, chief=chief, segment=segment)
    attachment_add(ticket=ticket, actor=office, upload=png_upload("before.png"), kind=AttachmentKind.BEFORE)

    chromium.get(live_server.url + "/accounts/login/")
    WebDriverWait(chromium, 30).until(ec.presence_of_element_located((By.CSS_SELECTOR, "input[name=username]")))
    assert _csp_problems(chromium) == []
    # The policy is there, and the Material frontend's scripts ran (its web components are defined).
    assert chromium.execute_script("return !!window.customElements.get('vf-form')")

    chromium.find_element(By.CSS_SELECTOR, "input[name=username]").send_keys("office")
    chromium.find_element(By.CSS_SELECTOR, "input[name=password]").send_keys("pw-for-tests-1")
    chromium.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(chromium, 30).until(lambda d: "/accounts/login/" not in d.current_url)

    chromium.get(f"{live_server.url}/tickets/{ticket.number}/")
    WebDriverWait(chromium, 30).until(lambda d: ticket.number in d.page_source)
    WebDriverWait(chromium, 30).until(
        lambda d: d.execute_script("return [...document.images].every(i => i.complete)")
    )
    assert _csp_problems(chromium) == []
    assert chromium.execute_script("return [...document.images].filter(i => i.naturalWidth > 0).length") >= 1
    assert not [r for r in caplog.records if r.name == "ops.csp"]
