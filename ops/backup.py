"""Backup and restore (备份与恢复): the database and the uploaded photos, together.

A backup is a folder: `database.dump` (PostgreSQL, pg_dump's custom format) or
`database.sqlite3` (SQLite's online backup), `media.tar` (every uploaded file) and
`manifest.json` (what it holds: the engine, when, and how many cases, events and photos).
Restoring puts both back into the configured database and media storage; `verify_audit` then
proves every event's chain and every photo's file (docs/deploy.md). Files are read and written
through Django's storage API, so the same commands serve MEDIA_ROOT and an S3 bucket.
"""

from __future__ import annotations

import io
import json
import os
import posixpath
import sqlite3
import subprocess
import tarfile
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import connection
from django.utils import timezone

from cases.models import Case, CaseEvent, Photo

MANIFEST, MEDIA = "manifest.json", "media.tar"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Counts:
    cases: int
    events: int
    photos: int

    @classmethod
    def now(cls) -> Counts:
        return cls(Case.objects.count(), CaseEvent.objects.count(), Photo.objects.count())


def backup(folder: Path) -> Counts:
    """Write a backup of the database and the media into `folder` (new or empty)."""
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: give a new folder for each backup.")
    counts = Counts.now()
    dump = folder / DUMPS[connection.vendor]
    if connection.vendor == "postgresql":
        run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", *pg_target()])
    else:
        connection.ensure_connection()
        with closing(sqlite3.connect(dump)) as target:
            connection.connection.backup(target)
    with tarfile.open(folder / MEDIA, "w") as media:
        for name in stored_files(default_storage):
            add_file(media, default_storage, name)
    manifest = {"engine": connection.vendor, "created_at": timezone.now().isoformat()}
    (folder / MANIFEST).write_text(json.dumps(manifest | counts.__dict__, indent=2))
    return counts


def restore(folder: Path) -> tuple[Counts, Counts]:
    """Put a backup back into the configured database and media storage, replacing what is
    there; (what the backup held, what the database now holds)."""
    manifest = json.loads((folder / MANIFEST).read_text())
    if manifest["engine"] != connection.vendor:
        raise BackupError(
            f"This backup is of a {manifest['engine']} database; the configured one is "
            f"{connection.vendor}."
        )
    dump = folder / DUMPS[connection.vendor]
    if connection.vendor == "postgresql":
        connection.close()
        run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
             *pg_target(dbname_flag=True), str(dump)])  # fmt: skip
    else:
        connection.ensure_connection()
        with closing(sqlite3.connect(dump)) as source:
            source.backup(connection.connection)
    for name in list(stored_files(default_storage)):
        default_storage.delete(name)
    with tarfile.open(folder / MEDIA) as media:
        for member in media:
            if member.isfile():
                put_file(media, member, default_storage)
    held = Counts(manifest["cases"], manifest["events"], manifest["photos"])
    return held, Counts.now()


def stored_files(storage: Storage, folder: str = "") -> Iterator[str]:
    """The name of every file in the storage, folder by folder."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # MEDIA_ROOT not made yet: nothing uploaded
        return
    for name in sorted(files):
        yield posixpath.join(folder, name)
    for sub in sorted(folders):
        yield from stored_files(storage, posixpath.join(folder, sub))


def add_file(media: tarfile.TarFile, storage: Storage, name: str) -> None:
    try:
        with storage.open(name, "rb") as stored:
            data = stored.read()
    except FileNotFoundError:
        return  # removed since it was listed (an upload that failed): not part of any case
    info = tarfile.TarInfo(name)
    info.size, info.mtime = len(data), int(time.time())
    media.addfile(info, io.BytesIO(data))


def put_file(media: tarfile.TarFile, member: tarfile.TarInfo, storage: Storage) -> None:
    # Backups made before the storage API hold "./cases/…": the same name.
    parts = [part for part in PurePosixPath(member.name).parts if part != "."]
    if not parts or parts[0] == "/" or ".." in parts:
        raise BackupError(f"{MEDIA} holds a file outside the media: {member.name!r}")
    name = "/".join(parts)
    source = media.extractfile(member)
    assert source is not None  # a regular file
    with source:
        saved = storage.save(name, ContentFile(source.read()))
    if saved != name:
        raise BackupError(f"{name} was stored as {saved}: the media storage was not empty.")


def pg_target(*, dbname_flag: bool = False) -> list[str]:
    db: dict[str, Any] = connection.settings_dict
    options = [f"--host={db['HOST']}"] if db.get("HOST") else []
    options += [f"--port={db['PORT']}"] if db.get("PORT") else []
    options += [f"--username={db['USER']}"] if db.get("USER") else []
    return [*options, f"--dbname={db['NAME']}" if dbname_flag else db["NAME"]]


def run(command: list[str]) -> None:
    env = os.environ | (
        {"PGPASSWORD": p} if (p := connection.settings_dict.get("PASSWORD")) else {}
    )
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")
