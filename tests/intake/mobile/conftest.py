"""The small world of the case tests, for the inspector app's tests."""

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from tests.cases.conftest import media, world  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    # The limits count in the cache, which outlives each test's database (and its user ids).
    cache.clear()
    yield
    cache.clear()
