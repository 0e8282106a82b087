"""Photos in an S3-compatible bucket (MEDIA_STORAGE=s3), against a real S3 API (moto's server
on a local port): a photo reported through the API lands in the bucket with no public grant,
is served by the app to those who may see its case, and is checked by verify_audit; a backup
holds the bucket's files and a restore by another process puts them into an empty bucket."""

from __future__ import annotations

import io
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.core.management import call_command
from django.test import Client
from moto.server import ThreadedMotoServer

from cases.audit import verify_photos
from cases.models import Photo
from cases.photos import photo_urls
from config.env import Env
from tests.cases.conftest import World
from tests.cases.test_api import reported
from tests.cases.test_photos import encoded, picture, upload
from tests.ops.test_backup import restore_elsewhere
from tests.servers import free_port

PUBLIC_GROUPS = ("AllUsers", "AuthenticatedUsers")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def s3_settings(endpoint: str) -> dict[str, str]:
    """The variables of a deployment on a new, empty bucket."""
    return {
        "MEDIA_STORAGE": "s3",
        "S3_BUCKET": f"photos-{uuid.uuid4().hex[:12]}",
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "test-key",
        "S3_SECRET_ACCESS_KEY": "test-secret",
    }


def bucket_client(env: dict[str, str]) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=env["S3_ENDPOINT_URL"],
        region_name=env["S3_REGION"],
        aws_access_key_id=env["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=env["S3_SECRET_ACCESS_KEY"],
    )


def bucket_files(env: dict[str, str]) -> dict[str, bytes]:
    s3 = bucket_client(env)
    listed = s3.list_objects_v2(Bucket=env["S3_BUCKET"]).get("Contents", [])
    return {
        item["Key"]: s3.get_object(Bucket=env["S3_BUCKET"], Key=item["Key"])["Body"].read()
        for item in listed
    }


@pytest.fixture
def s3(settings: Any, endpoint: str) -> dict[str, str]:
    """Uploaded files go to a new bucket, configured as a deployment would be."""
    env = s3_settings(endpoint)
    bucket_client(env).create_bucket(Bucket=env["S3_BUCKET"])
    settings.STORAGES = settings.STORAGES | {"default": Env(env).media_storage("MEDIA_STORAGE")}
    return env


def report_with_photo(world: World) -> Photo:
    """A case reported and its photo sent through the API, as the inspector app does."""
    number = reported(world)
    phone = Client()
    phone.force_login(world.inspector)
    image = upload(encoded(picture()))
    sent = phone.post(f"/api/v1/cases/{number}/photos", {"stage": "report", "image": image})
    assert sent.status_code == 201, sent.content
    return Photo.objects.get(case__number=number)


@pytest.mark.django_db
def test_a_reported_photo_is_kept_privately_in_the_bucket_and_served_by_the_app(
    world: World, s3: dict[str, str]
) -> None:
    photo = report_with_photo(world)
    stored = bucket_files(s3)
    assert set(stored) == {photo.image.name, photo.thumbnail.name}
    acl = bucket_client(s3).get_object_acl(Bucket=s3["S3_BUCKET"], Key=photo.image.name)
    grantees = [grant["Grantee"].get("URI", "") for grant in acl["Grants"]]
    assert not [uri for uri in grantees if uri.endswith(PUBLIC_GROUPS)]  # no public read

    dispatcher = Client()
    dispatcher.force_login(world.dispatcher)
    answer = dispatcher.get(photo_urls(photo)["image"])
    assert answer.status_code == 200
    served = b"".join(answer.streaming_content)  # type: ignore[attr-defined]
    assert served == stored[str(photo.image.name)]
    outsider = Client()
    outsider.force_login(world.handler_b)
    assert outsider.get(photo_urls(photo)["image"]).status_code == 404

    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "The audit trail is intact." in out.getvalue()
    bucket_client(s3).delete_object(Bucket=s3["S3_BUCKET"], Key=photo.image.name)
    assert dispatcher.get(photo_urls(photo)["image"]).status_code == 404
    assert [f.problem for f in verify_photos()] == [f"photo {photo.pk}: its file is missing"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # pg_dump sees commits
def test_a_backup_holds_the_buckets_photos_and_a_restore_puts_them_into_another(
    world: World, s3: dict[str, str], endpoint: str, tmp_path: Path, fresh_database: str
) -> None:
    photos = [report_with_photo(world) for _ in range(2)]
    stored = bucket_files(s3)
    assert len(stored) == 4  # each photo and its thumbnail
    call_command("backup", str(tmp_path / "backup"))
    with tarfile.open(tmp_path / "backup" / "media.tar") as media:
        assert sorted(media.getnames()) == sorted(stored)

    elsewhere = s3_settings(endpoint)
    bucket_client(elsewhere).create_bucket(Bucket=elsewhere["S3_BUCKET"])
    bucket_client(elsewhere).put_object(Bucket=elsewhere["S3_BUCKET"], Key="stray.jpg", Body=b"x")
    done = restore_elsewhere(tmp_path / "backup", fresh_database, elsewhere)
    assert done.returncode == 0, done.stderr
    assert "Restored 2 cases" in done.stdout and "2 photos" in done.stdout
    assert "The audit trail is intact." in done.stdout  # each photo read back from the bucket
    assert bucket_files(elsewhere) == stored  # the same files, and what was there is gone
    assert {p.image.name for p in photos} <= set(stored)
