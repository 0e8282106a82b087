import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from tests.cases.conftest import media, world  # noqa: F401  (fixtures)


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """An empty database of the engine under test, and its URL."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    db = connection.settings_dict
    name = f"restored_{os.getpid()}"
    where = [f"--host={db['HOST']}", f"--port={db['PORT']}", f"--username={db['USER']}"]
    subprocess.run(["createdb", *where, name], check=True)
    yield f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"
    subprocess.run(["dropdb", "--if-exists", *where, name], check=True)
