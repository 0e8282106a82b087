"""The Chinese catalogue is complete and its compiled form matches the source."""

import ast
import gettext
import re
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (.*)$")

# (context, msgid, msgid_plural) → (msgstr forms, fuzzy)
Entries = dict[tuple[str, str, str], tuple[list[str], bool]]


def po_entries(path: Path) -> Entries:
    entries: Entries = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields: dict[str, str] = {}
        current = ""
        for line in lines:
            if match := KEYWORD.match(line):
                current = match[1]
                fields[current] = ast.literal_eval(match[2])
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
        if fields.get("msgid"):
            key = (fields.get("msgctxt", ""), fields["msgid"], fields.get("msgid_plural", ""))
            forms = [text for name, text in fields.items() if name.startswith("msgstr")]
            entries[key] = (forms, fuzzy)
    return entries


def test_every_message_has_a_chinese_translation() -> None:
    entries = po_entries(LOCALE / "django.po")
    assert entries
    untranslated = [key for key, (forms, fuzzy) in entries.items() if not all(forms) or fuzzy]
    assert untranslated == []


def test_the_compiled_catalogue_matches_the_source() -> None:
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for (context, msgid, plural), (forms, _) in po_entries(LOCALE / "django.po").items():
        if plural:
            found = compiled.npgettext(context, msgid, plural, 1) if context else None
            found = found or compiled.ngettext(msgid, plural, 1)
        else:
            found = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
        if found != forms[0]:
            stale.append(msgid)
    assert stale == [], "run `make messages` to recompile"
