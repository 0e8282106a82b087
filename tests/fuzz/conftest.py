from tests.cases.conftest import media, world  # noqa: F401  (fixtures)
