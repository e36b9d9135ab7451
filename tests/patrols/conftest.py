import pytest

from tests.oversight.scenario import build


@pytest.fixture
def world(db):
    return build()

