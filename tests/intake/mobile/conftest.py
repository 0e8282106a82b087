"""The small world of the case tests, for the inspector app's tests."""

from tests.cases.conftest import media, world  # noqa: F401  (fixtures)
