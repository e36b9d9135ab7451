import pytest

from .scenario import build


@pytest.fixture
def world(db):
    return build()

