"""A backup round trip: cases with their events and photos are backed up, restored into a
fresh database and media folder by another process, and arrive whole: the same counts, the
audit chain verifies and every photo file matches the SHA-256 its event recorded."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from cases.models import PhotoStage
from cases.photos import store_photo
from ops.backup import BackupError, put_file, stored_files
from tests.cases.conftest import MONDAY_10, World
from tests.cases.making import reported
from tests.cases.test_photos import encoded, picture, upload

ROOT = Path(__file__).resolve().parents[2]


def restore_elsewhere(
    folder: Path, database_url: str, media: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """`manage.py restore` by another process, into `database_url` and the media storage
    that the `media` variables (MEDIA_ROOT, or MEDIA_STORAGE=s3 and its bucket) name."""
    env = os.environ | {"DATABASE_URL": database_url} | media
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(folder), "--yes"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # pg_dump sees commits
def test_a_backup_restores_every_case_event_and_photo_elsewhere(
    world: World, media: Path, tmp_path: Path, fresh_database: str
) -> None:
    for _ in range(3):
        case = reported(world)
        store_photo(case, PhotoStage.REPORT, upload(encoded(picture())),
                    actor=world.actors.inspector, now=MONDAY_10)  # fmt: skip
    call_command("backup", str(tmp_path / "backup"))
    restored_media = tmp_path / "restored-media"
    done = restore_elsewhere(
        tmp_path / "backup", fresh_database, {"MEDIA_ROOT": str(restored_media)}
    )
    assert done.returncode == 0, done.stderr
    assert "Restored 3 cases" in done.stdout and "3 photos" in done.stdout
    assert "The audit trail is intact." in done.stdout
    assert len(list(restored_media.rglob("*.jpg"))) == 6  # the photos and their thumbnails


@pytest.mark.django_db
def test_a_backup_wants_a_new_folder_and_a_restore_a_backup_of_its_engine(
    tmp_path: Path,
) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "used"))
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    (tmp_path / "used" / "manifest.json").write_text(json.dumps({"engine": other}))
    with pytest.raises(CommandError, match="This backup is of a"):
        call_command("restore", str(tmp_path / "used"), yes=True)


def a_media_tar(path: Path, files: dict[str, bytes]) -> tarfile.TarFile:
    with tarfile.open(path, "w") as media:
        media.add(path.parent, arcname=".", recursive=False)  # the folder itself, as of old
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            media.addfile(info, io.BytesIO(data))
    return tarfile.open(path)


def test_files_of_a_backup_go_back_through_the_storage_under_their_names(
    media: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    backups = tmp_path_factory.mktemp("backups")  # not in the media folder
    # Backups made before the storage API named files "./cases/…" after the folder itself.
    with a_media_tar(backups / "old.tar", {"./cases/2026/11/a.jpg": b"jpeg"}) as old:
        for member in old:
            if member.isfile():
                put_file(old, member, default_storage)
    assert (media / "cases" / "2026" / "11" / "a.jpg").read_bytes() == b"jpeg"
    assert list(stored_files(default_storage)) == ["cases/2026/11/a.jpg"]
    for outside in ("../escape.jpg", "/etc/cron.d/x"):
        with a_media_tar(backups / "bad.tar", {outside: b"x"}) as bad:
            member = bad.getmember(outside)
            with pytest.raises(BackupError, match="outside the media"):
                put_file(bad, member, default_storage)
