"""The consoles show the cases of the workflow tests' small world."""

from tests.cases.conftest import media, world  # noqa: F401  (fixtures)
