"""The apps depend on each other in one direction only (DESIGN.md §7): lib ← org ← geo ← catalog
← components ← cases ← intake ← evaluation ← simulate ← consoles ← ops ← config. An import against
that order, at module level or inside a function, is a cycle waiting to happen."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ORDER = [
    *("lib", "org", "geo", "catalog", "components"),
    *("cases", "intake", "evaluation", "simulate", "consoles", "ops", "config"),
]
ROOT = Path(settings.BASE_DIR)


def imports_of(app: str) -> set[tuple[str, str]]:
    """(module path, imported app) for every import of another app of ours in `app`."""
    found = set()
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                target = name.split(".")[0]
                if target in ORDER and target != app:
                    found.add((str(path.relative_to(ROOT)), target))
    return found


def test_every_app_imports_only_the_apps_below_it() -> None:
    wrong = [
        f"{module} imports {target}"
        for app in ORDER
        for module, target in sorted(imports_of(app))
        if ORDER.index(target) > ORDER.index(app)
    ]
    assert wrong == []


def test_nothing_but_the_url_configuration_imports_the_consoles() -> None:
    importers = {
        module for app in ORDER for module, target in imports_of(app) if target == "consoles"
    }
    assert importers <= {"config/urls.py"}
