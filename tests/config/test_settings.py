"""The settings module itself, loaded in a fresh interpreter with a given environment."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = "import config.settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.LANGUAGE_CODE)"


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_mode_refuses_to_start_without_a_secret_key() -> None:
    result = load_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_mode_refuses_a_short_secret_key() -> None:
    result = load_settings(DEBUG="false", SECRET_KEY="short")
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_production_mode_turns_on_secure_cookies() -> None:
    result = load_settings(DEBUG="false", SECRET_KEY="k" * 64)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "zh-hans"]


def test_a_mistyped_debug_flag_stops_start_up_with_a_clear_message() -> None:
    result = load_settings(DEBUG="ture")
    assert result.returncode != 0
    assert "DEBUG='ture' is not valid" in result.stderr


def deploy_check(documented: dict[str, str]) -> subprocess.CompletedProcess[str]:
    ours = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}  # the browser tests set the last
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, **documented, "DATABASE_URL": "sqlite:////tmp/urbangrid-deploy-check"},
        capture_output=True,
        text=True,
        check=False,
    )


def documented_settings(*, commented: bool = False) -> dict[str, str]:
    """The example's settings; with `commented`, its commented-out alternatives in force."""
    lines = (ROOT / "deploy" / "production.env.example").read_text().splitlines()
    if commented:
        lines = [re.sub(r"^# (?=[A-Z][A-Z0-9_]*=)", "", line) for line in lines]
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_the_documented_production_settings_pass_djangos_deployment_checks() -> None:
    result = deploy_check(documented_settings())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_documented_s3_alternative_passes_them_too() -> None:
    documented = documented_settings(commented=True)
    assert documented["MEDIA_STORAGE"] == "s3"
    result = deploy_check(documented)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
