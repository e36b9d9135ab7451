import os

import pytest

from tests.factories import AppointmentFactory, SegmentFactory, UserFactory

# The browser tests drive Debian's Chromium (installed by .ci/run).
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def pytest_collection_modifyitems(config, items):
    """Tests marked postgres/redis skip, with the reason, where those services are not configured."""
    from django.db import connection

    no_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    no_redis = pytest.mark.skip(reason="needs Redis: set REDIS_URL=redis://...")
    no_browser = pytest.mark.skip(
        reason=f"needs {CHROMIUM} and {CHROMEDRIVER}: apt-get install chromium chromium-driver"
    )
    for item in items:
        if "postgres" in item.keywords and connection.vendor != "postgresql":
            item.add_marker(no_pg)
        if "redis" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(no_redis)
        if "browser" in item.keywords and not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
            item.add_marker(no_browser)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language(settings):
    # The locale middleware activates the request's language in this thread and a page test may have
    # chosen English: every test starts in the default language.
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Unit tests run tasks in-process even when REDIS_URL is set; tests marked redis talk to a real worker."""
    if request.node.get_closest_marker("redis"):
        yield
        return
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture(autouse=True)
def _fresh_notification_rules():
    # Each test's database starts from the migrated rules; a cache from an earlier test must not leak in.
    from notifications.recipients import forget_rules

    forget_rules()
    # The same for the deadline ladder and the working calendar (deadlines/schedule.py, calendar.py).
    from deadlines.calendar import CALENDAR
    from deadlines.schedule import LADDER

    LADDER.clear()
    CALENDAR.clear()
    # The same for the other per-process caches of the notification receiver (group members, area robots).
    from notifications.caches import forget_all

    forget_all()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # The factories give every user a password; PBKDF2 would make each user cost most of a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_login_throttling(settings):
    """django-axes needs the request to authenticate; the test client's login() passes none.
    Tests of throttling itself turn it back on (tests/ops/test_login_throttling.py)."""
    settings.AXES_ENABLED = False


@pytest.fixture
def segment(db):
    return SegmentFactory()


@pytest.fixture
def office(db):
    return UserFactory(username="office", roles=["office"])


@pytest.fixture
def verifier(db):
    return UserFactory(username="verifier", roles=["verifier"])


@pytest.fixture
def supervisor(db):
    return UserFactory(username="supervisor", roles=["social_supervisor"])


@pytest.fixture
def chief(segment):
    return AppointmentFactory(segment=segment, chief__username="chief").chief


@pytest.fixture
def other_chief(db):
    return AppointmentFactory(chief__username="other_chief").chief
