import weakref
from datetime import time
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from django.urls import reverse

from config.env import Env


def test_it_reads_booleans_in_the_usual_spellings() -> None:
    env = Env({"A": "yes", "B": "0", "C": " TRUE "})
    assert env.boolean("A", default=False) is True
    assert env.boolean("B", default=True) is False
    assert env.boolean("C", default=False) is True
    assert env.boolean("MISSING", default=True) is True


def test_it_rejects_a_boolean_it_cannot_read_and_names_the_variable() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"DEBUG='maybe' is not valid.*true/false"):
        Env({"DEBUG": "maybe"}).boolean("DEBUG", default=False)


def test_it_rejects_non_numbers_and_numbers_below_the_minimum() -> None:
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        Env({"N": "ten"}).integer("N", default=1)
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        Env({"N": "-5"}).integer("N", default=1, minimum=0)
    assert Env({"N": "42"}).integer("N", default=1, minimum=0) == 42


def test_it_splits_lists_and_rejects_empty_items() -> None:
    assert Env({"H": "a.example, b.example"}).string_list("H", default=[]) == [
        "a.example",
        "b.example",
    ]
    with pytest.raises(ImproperlyConfigured, match="without empty items"):
        Env({"H": "a.example,,b"}).string_list("H", default=[])


def test_a_required_string_must_be_set() -> None:
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        Env({"SECRET_KEY": "  "}).string("SECRET_KEY")


def test_paths_must_be_absolute() -> None:
    with pytest.raises(ImproperlyConfigured, match="absolute path"):
        Env({"MEDIA_ROOT": "media"}).path("MEDIA_ROOT", default=Path("/x"))
    assert Env({"MEDIA_ROOT": "/srv/media"}).path("MEDIA_ROOT", Path("/x")) == Path("/srv/media")


def test_urls_must_have_an_accepted_scheme_and_somewhere_to_go() -> None:
    schemes = ("redis", "rediss", "unix")
    assert Env({}).url("CACHE_URL", schemes) == ""
    url = "redis://127.0.0.1:6379/0"
    assert Env({"CACHE_URL": url}).url("CACHE_URL", schemes) == url
    assert Env({"CACHE_URL": "unix:///run/redis.sock"}).url("CACHE_URL", schemes)
    for wrong in ("http://127.0.0.1:6379", "127.0.0.1:6379", "redis://"):
        with pytest.raises(ImproperlyConfigured, match=r"CACHE_URL=.*redis://…"):
            Env({"CACHE_URL": wrong}).url("CACHE_URL", schemes)


def test_media_go_to_a_folder_or_to_a_private_s3_bucket() -> None:
    folder = Env({}).media_storage("MEDIA_STORAGE")
    assert folder == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    chosen = {"MEDIA_STORAGE": "s3", "S3_BUCKET": "ug", "S3_ENDPOINT_URL": "https://oss.example"}
    bucket = Env(chosen).media_storage("MEDIA_STORAGE")
    assert bucket["BACKEND"] == "storages.backends.s3.S3Storage"
    options = bucket["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"]) == ("ug", "https://oss.example")
    assert options["default_acl"] is None and options["querystring_auth"] is True
    with pytest.raises(ImproperlyConfigured, match="S3_BUCKET must be set"):
        Env({"MEDIA_STORAGE": "s3"}).media_storage("MEDIA_STORAGE")
    with pytest.raises(ImproperlyConfigured, match="MEDIA_STORAGE='disk'"):
        Env({"MEDIA_STORAGE": "disk"}).media_storage("MEDIA_STORAGE")
    with pytest.raises(ImproperlyConfigured, match=r"S3_ENDPOINT_URL='oss\.example'"):
        Env(chosen | {"S3_ENDPOINT_URL": "oss.example"}).media_storage("MEDIA_STORAGE")


def test_time_zones_must_exist() -> None:
    with pytest.raises(ImproperlyConfigured, match="IANA time zone"):
        Env({"TIME_ZONE": "Mars/Olympus"}).time_zone("TIME_ZONE", default="UTC")
    assert Env({}).time_zone("TIME_ZONE", default="Asia/Shanghai") == "Asia/Shanghai"


def test_the_default_database_is_a_sqlite_file() -> None:
    config = Env({}).database("DATABASE_URL", default_sqlite=Path("/tmp/ug.sqlite3"))
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == Path("/tmp/ug.sqlite3")


def test_a_postgres_url_selects_postgresql() -> None:
    config = Env({"DATABASE_URL": "postgres://ug:pw@db.internal:5433/city"}).database(
        "DATABASE_URL", default_sqlite=Path("/x")
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"], config["USER"]) == (
        "db.internal",
        5433,
        "city",
        "ug",
    )


@pytest.mark.parametrize(
    "url", ["mysql://root@localhost/x", "not a url", "postgres://localhost/", "oracle://a/b"]
)
def test_it_rejects_databases_it_does_not_support(url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL="):
        Env({"DATABASE_URL": url}).database("DATABASE_URL", default_sqlite=Path("/x"))


def test_choices_name_the_accepted_values() -> None:
    with pytest.raises(ImproperlyConfigured, match="one of DEBUG, INFO"):
        Env({"LOG_LEVEL": "LOUD"}).choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO"))


def test_it_reads_working_periods_and_rejects_overlapping_or_reversed_ones() -> None:
    env = Env({"P": "08:00-12:00, 13:30-17:00"})
    assert env.time_periods("P", default="") == (
        (time(8), time(12)),
        (time(13, 30), time(17)),
    )
    assert env.time_periods("MISSING", default="09:00-17:00") == ((time(9), time(17)),)
    for bad in ("08:00-12:00,11:00-13:00", "12:00-08:00", "8h-12h", "08:00"):
        with pytest.raises(ImproperlyConfigured, match="WORKING"):
            Env({"WORKING": bad}).time_periods("WORKING", default="")


def test_it_reads_the_hours_of_a_working_day() -> None:
    assert Env({"H": "8"}).positive_number("H", default=None) == 8.0
    assert Env({}).positive_number("H", default=None) is None
    for bad in ("0", "-1", "25", "eight"):
        with pytest.raises(ImproperlyConfigured, match="H="):
            Env({"H": bad}).positive_number("H", default=None)


def test_postgresql_prepares_statements_unless_the_url_says_otherwise(tmp_path: Path) -> None:
    url = "postgres://u@db.example/urbangrid"
    options = Env({"DATABASE_URL": url}).database("DATABASE_URL", tmp_path / "x")["OPTIONS"]
    assert options == {
        "server_side_binding": True,
        "prepare_threshold": 2,
        "options": "-c plan_cache_mode=force_custom_plan",
    }
    bouncer = Env({"DATABASE_URL": url + "?server_side_binding=false"})
    options = bouncer.database("DATABASE_URL", tmp_path / "x")["OPTIONS"]
    assert options["server_side_binding"] is False


@pytest.mark.django_db
def test_postgresql_plans_reads_for_their_values_and_reuses_the_plans_of_writes(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plan made once for any value cannot use a partial index (cases_pending, …); a report's
    few statements, sent in great numbers, are not planned again at each run."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plan cache")
    # Earlier tests' SETs were rolled back with their transactions: forget what they set.
    monkeypatch.setattr("config.middleware._modes", weakref.WeakKeyDictionary())

    def mode() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW plan_cache_mode")
            return str(cursor.fetchone()[0])

    assert mode() == "force_custom_plan"  # the connection's own setting
    client.post(reverse("login"), {"username": "nobody", "password": "x"})
    assert mode() == "auto"
    client.get(reverse("login"))
    assert mode() == "force_custom_plan"
