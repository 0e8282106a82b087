from tests.cases.conftest import world  # noqa: F401  (fixture)
