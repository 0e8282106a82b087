from tests.cases.conftest import media, world  # noqa: F401  (fixtures)
from tests.intake.hotline.fixtures import (  # noqa: F401  (fixtures)
    _fresh_gazetteer,
    acceptor_client,
    gazetteer,
)
