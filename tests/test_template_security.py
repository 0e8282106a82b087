"""What every page's markup must hold to, read from the templates themselves: each form that
posts carries its CSRF token, and no template runs script inline (the Content-Security-Policy
allows scripts only from the site's own files), so a new template cannot quietly break either.
The middleware's side: a post without the token is refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.cases.conftest import World, world  # noqa: F401  (fixture)
from tests.cases.making import dispatched

TEMPLATES = sorted((Path(__file__).resolve().parents[1] / "templates").rglob("*.html"))
FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def test_the_templates_are_found() -> None:
    assert len(TEMPLATES) > 40


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_every_posting_form_carries_its_csrf_token(template: Path) -> None:
    for form in FORM.findall(template.read_text()):
        if re.search(r'method="post"', form, re.I):
            assert "{% csrf_token %}" in form, form[:200]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_no_template_runs_script_inline(template: Path) -> None:
    text = template.read_text()
    assert INLINE_SCRIPT.findall(text) == []
    assert HANDLER.findall(text) == []
    assert "javascript:" not in text


@pytest.mark.django_db
def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(world: World) -> None:  # noqa: F811
    case = dispatched(world)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.handler_a)
    answer = browser.post(reverse("case_act", args=[case.number, "sign"]), {})
    assert answer.status_code == 403
    case.refresh_from_db()
    assert case.status == "dispatched"
