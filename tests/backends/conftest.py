"""Fixtures of the backend tests; their shared MILPs and checks live in ``milps.py``."""

import pytest

from erlocate.backends import available

# milps.py's asserts explain their failures as a test module's do
pytest.register_assert_rewrite("tests.backends.milps")


@pytest.fixture(params=available())
def backend(request: pytest.FixtureRequest) -> str:
    """Each backend that can run here, by its canonical name (not only the core three of
    tests/conftest.py)."""
    return request.param
