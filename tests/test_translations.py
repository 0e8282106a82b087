"""The Chinese catalogue is complete and its compiled form matches the source."""

import gettext
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


def po_entries(path: Path) -> dict[str, tuple[str, bool]]:
    """msgid → (msgstr, fuzzy) for the singular entries of a .po file."""
    entries: dict[str, tuple[str, bool]] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        msgid, msgstr, current = "", "", None
        for line in lines:
            if line.startswith("msgid "):
                current, msgid = "id", eval(line[6:])
            elif line.startswith("msgstr "):
                current, msgstr = "str", eval(line[7:])
            elif line.startswith('"') and current == "id":
                msgid += eval(line)
            elif line.startswith('"') and current == "str":
                msgstr += eval(line)
        if msgid:
            entries[msgid] = (msgstr, fuzzy)
    return entries


def test_every_message_has_a_chinese_translation() -> None:
    entries = po_entries(LOCALE / "django.po")
    assert entries
    untranslated = [m for m, (s, fuzzy) in entries.items() if not s or fuzzy]
    assert untranslated == []


def test_the_compiled_catalogue_matches_the_source() -> None:
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        m for m, (s, _) in po_entries(LOCALE / "django.po").items() if compiled.gettext(m) != s
    ]
    assert stale == [], "run `make messages` to recompile"
