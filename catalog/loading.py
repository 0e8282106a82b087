"""Load the shipped catalogue: two editions, their classes and types, and a filing standard for
every type (`manage.py load_catalog`). Running it again changes nothing.

Editions (catalog/data/README.md): GB/T 47678.5-2026 (code gbt47678-2026, 5-digit types) and the
legacy CJ/T 214-2007 edition (cjt214-2007, 4-digit). The new edition becomes current only when no
edition is current yet, so a district that chose the legacy one keeps it.

Published conditions (filing_standards_examples.csv) are attached where a type matches; each type
takes the rows of one published table only, so limits of two cities are never mixed:
- GB/T 47678.5, Yuncheng's rows: its own 2+2 codes crosswalked (STANDARDS.md §8.4): components
  insert a 0 (0137 → 01037), events of majors 01–04 add 5 to the major (0101 → 06001). The code
  counts only if the names are similar too (CODE_MATCH_MIN); Yuncheng's major 05 突发事件 and 06
  其他事件 have no crosswalk.
- Otherwise, and always for the legacy edition (Yuncheng's component numbering departs from it
  after 0113), by name within the same kind: the same name (ignoring bracketed parts or the
  order of characters), or a similarity of at least NAME_MATCH_MIN that no other type shares.
- The matter types "<component>异常" of GB/T 47678.5 take the rows of their component.
- When two tables match a type, Yuncheng's wins (SOURCE_PRIORITY), then the closer match.
- The rows without a type code (Guangzhou's and another city's manhole-cover rules) are not
  attached: every manhole-cover type already has Yuncheng's or the default cover conditions, and
  mixing another city's limits into them would contradict those.
Every other type gets the generated defaults of default_conditions.csv (is_default): the first
rule whose keyword occurs in the type's name, else the rule named "facility" or "event";
"异常" matters follow the component (facility) rules.

The crosswalk (crosswalk_cjt214_to_gbt47678_5.csv) maps every legacy type to its GB/T 47678.5
type or says it has no equivalent; its rows were drafted by name within the corresponding major
classes (rapidfuzz) and reviewed one by one: `judgement` marks every row that is not the same
name. A row changed in the admin is the city's (is_shipped false) and is left alone on reload.

Reload rule: the loader (re)writes a type's conditions only while every one of them is shipped,
i.e. its source is a published row's source or DEFAULT_SOURCE. Edits through the admin or the
XLSX import re-tag all conditions of that type as local ("本地修改（原：…）", claim_conditions),
so the loader leaves the type alone from then on. A type with no conditions at all gets the
shipped ones again. Rows are updated in place (cases refer to them); a surplus row that cases
refer to is kept. Type and class names follow the files; whether a type is active, its
department and the types a city added are the city's and stay as they are.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Final

from django.db import transaction
from django.db.models import ProtectedError
from rapidfuzz import fuzz
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from catalog.limits import parse_limit_text
from catalog.models import (
    CaseType,
    Crosswalk,
    CrosswalkBasis,
    Edition,
    FilingCondition,
    MajorClass,
    TypeKind,
    Urgency,
)

DATA: Final = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class EditionFile:
    code: str
    name: str
    digits: int
    file: str


CURRENT_EDITION: Final = EditionFile(
    "gbt47678-2026", "GB/T 47678.5-2026 管理部件和事项", 5, "catalog_gbt47678_5_2026.csv"
)
LEGACY_EDITION: Final = EditionFile(
    "cjt214-2007", "CJ/T 214-2007 / GB/T 30428.2-2013 部件和事件", 4, "catalog_legacy_cjt214.csv"
)
EDITIONS: Final = (LEGACY_EDITION, CURRENT_EDITION)
PUBLISHED_FILE: Final = "filing_standards_examples.csv"
DEFAULTS_FILE: Final = "default_conditions.csv"
CROSSWALK_FILE: Final = "crosswalk_cjt214_to_gbt47678_5.csv"
KINDS: Final = {"component": TypeKind.COMPONENT, "matter": TypeKind.EVENT, "event": TypeKind.EVENT}

DEFAULT_SOURCE: Final = "UrbanGrid 默认标准 (catalog/data/default_conditions.csv)"
LOCAL_EDIT: Final = "本地修改（原：{source}）"
SOURCE_PRIORITY: Final = ("local:运城", "local:unknown", "local:广州")
CODE_MATCH_MIN: Final = 60  # a crosswalked code also needs a similar name (上水井盖 ~ 供水井盖: 75)
NAME_MATCH_MIN: Final = 80  # a name alone must be closer (化粪池井盖 ~ 化粪池 is only 75)
ANOMALY: Final = "异常"


@dataclass(frozen=True)
class ConditionData:
    """The stored values of one filing condition, but its type and position."""

    condition: str
    urgency: str
    limit_value: int
    limit_unit: str
    closing_condition: str
    area_class: str = ""
    responsible_text: str = ""
    is_default: bool = False
    source: str = ""


CONDITION_FIELDS: Final = [f.name for f in fields(ConditionData)]


@dataclass(frozen=True)
class PublishedType:
    """The rows one published table gives for one of its types."""

    table: str  # the CSV's edition column: local:运城
    kind: str
    code: str
    name: str
    conditions: tuple[ConditionData, ...]


@dataclass(frozen=True)
class Target:
    kind: str
    code: str
    name: str


@dataclass(frozen=True)
class Match:
    published: PublishedType
    how: str  # code | name | similar name | component
    score: float


@dataclass(frozen=True)
class DefaultRule:
    name: str
    subject: str  # facility | event
    keywords: tuple[str, ...]
    conditions: tuple[ConditionData, ...]


# --- the files -------------------------------------------------------------------------------


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def published_types() -> tuple[PublishedType, ...]:
    """The published rows with a type code, grouped by table and type, in file order."""
    groups: dict[tuple[str, str, str, str], list[ConditionData]] = defaultdict(list)
    for row in _rows(PUBLISHED_FILE):
        if row["type_code"]:
            key = (row["edition"], KINDS[row["type_kind"]], row["type_code"], row["type_name"])
            groups[key].append(_published_condition(row))
    return tuple(PublishedType(*key, tuple(rows)) for key, rows in groups.items())


def _published_condition(row: dict[str, str]) -> ConditionData:
    return ConditionData(
        condition=row["filing_condition"],
        urgency=Urgency.URGENT if row["urgency"] == "紧急" else Urgency.NORMAL,
        limit_value=int(row["limit_value"]),
        limit_unit=row["limit_unit"],
        closing_condition=row["closing_condition"],
        area_class=row["area_class"],
        responsible_text=row["responsible_unit"][:200],
        source=row["source"],
    )


@cache
def shipped_sources() -> frozenset[str]:
    return frozenset({DEFAULT_SOURCE} | {row["source"] for row in _rows(PUBLISHED_FILE)})


def is_shipped(source: str) -> bool:
    return source in shipped_sources()


@cache
def default_rules() -> tuple[DefaultRule, ...]:
    grouped: dict[tuple[str, str, str], list[ConditionData]] = defaultdict(list)
    for row in _rows(DEFAULTS_FILE):
        value, unit, urgency = parse_limit_text(row["limit"])
        key = (row["rule"], row["applies_to"], row["keywords"])
        grouped[key].append(
            ConditionData(
                row["condition"],
                urgency,
                value,
                unit,
                row["closing"],
                is_default=True,
                source=DEFAULT_SOURCE,
            )
        )
    return tuple(
        DefaultRule(name, subject, tuple(k for k in keywords.split("|") if k), tuple(rows))
        for (name, subject, keywords), rows in grouped.items()
    )


def default_conditions(kind: str, name: str) -> tuple[ConditionData, ...]:
    """The first rule whose keyword is in the name; else the subject's fallback rule."""
    subject = "facility" if kind == TypeKind.COMPONENT or ANOMALY in name else "event"
    rules = [rule for rule in default_rules() if rule.subject == subject]
    for rule in rules:
        if any(keyword in name for keyword in rule.keywords):
            return rule.conditions
    return next(rule.conditions for rule in rules if rule.name == subject)


# --- matching published rows to types ----------------------------------------------------------


def similarity(a: str, b: str) -> float:
    """0–100; 100 for the same name, ignoring punctuation, spelling variants, bracketed parts
    or the order of characters."""
    (a, a_short, a_sorted), (b, b_short, b_sorted) = _forms(a), _forms(b)
    if a_sorted == b_sorted or a_short == b_short:
        return 100.0
    return max(fuzz.ratio(a, b), fuzz.ratio(a_short, b_short))


SPELLING_VARIANTS: Final = {"坐椅": "座椅", "通讯": "通信"}


@cache
def _forms(name: str) -> tuple[str, str, str]:
    """The name plain, without bracketed parts, and with its characters sorted."""
    name = re.sub(r"[、，,·\s]", "", name)
    for variant, usual in SPELLING_VARIANTS.items():
        name = name.replace(variant, usual)
    return name, re.sub(r"[（(][^）)]*[）)]", "", name), "".join(sorted(name))


def crosswalk(published: PublishedType) -> str | None:
    """Yuncheng's 2+2 code in GB/T 47678.5 (STANDARDS.md §8.4), or None."""
    major, minor = published.code[:2], published.code[2:]
    if published.kind == TypeKind.COMPONENT:
        return f"{major}0{minor}"
    if "01" <= major <= "04":
        return f"{int(major) + 5:02d}0{minor}"
    return None


def match_published(
    edition_code: str,
    targets: Iterable[Target],
    published: Sequence[PublishedType] | None = None,
) -> dict[Target, Match]:
    """The published rows each type of the edition takes (see the module's docstring)."""
    targets = list(targets)
    by_kind: dict[str, list[Target]] = defaultdict(list)
    for target in targets:
        if not _is_anomaly(target):
            by_kind[target.kind].append(target)
    chosen: dict[Target, Match] = {}
    for group in published_types() if published is None else published:
        found = _best_target(edition_code, group, by_kind[group.kind])
        if found and (found[0] not in chosen or _rank(found[1]) < _rank(chosen[found[0]])):
            chosen[found[0]] = found[1]
    _inherit_component_rows(targets, chosen)
    return chosen


def _is_anomaly(target: Target) -> bool:
    return target.kind == TypeKind.EVENT and ANOMALY in target.name


def _best_target(
    edition_code: str, group: PublishedType, candidates: list[Target]
) -> tuple[Target, Match] | None:
    if edition_code == CURRENT_EDITION.code and group.table == SOURCE_PRIORITY[0]:
        code = crosswalk(group)
        for target in candidates:
            score = similarity(group.name, target.name)
            if target.code == code and score >= CODE_MATCH_MIN:
                return target, Match(group, "code", score)
    scored = sorted(((similarity(group.name, t.name), t) for t in candidates), key=lambda s: s[0])
    if not scored:
        return None
    best_score, best = scored[-1]
    runner_up = scored[-2][0] if len(scored) > 1 else 0.0
    if best_score <= runner_up:
        return None  # two types fit equally well: ambiguous
    if best_score == 100:
        return best, Match(group, "name", best_score)
    if best_score >= NAME_MATCH_MIN:
        return best, Match(group, "similar name", best_score)
    return None


HOW_ORDER: Final = {"code": 0, "name": 1, "similar name": 2, "component": 3}


def _rank(match: Match) -> tuple[int, int, float]:
    table = match.published.table
    priority = SOURCE_PRIORITY.index(table) if table in SOURCE_PRIORITY else len(SOURCE_PRIORITY)
    return priority, HOW_ORDER[match.how], -match.score


def _inherit_component_rows(targets: list[Target], chosen: dict[Target, Match]) -> None:
    """01001 供水井盖异常 takes the rows of the component 01001 供水井盖."""
    components = {t.code: t for t in targets if t.kind == TypeKind.COMPONENT}
    for target in filter(_is_anomaly, targets):
        component = components.get(target.code)
        if component is None or target.name.replace(ANOMALY, "") != component.name:
            continue
        if component in chosen:
            chosen[target] = Match(chosen[component].published, "component", 100.0)


# --- storing ---------------------------------------------------------------------------------


def load_catalog() -> dict[str, int]:
    """Create or update both editions and every type's filing standard, in one transaction."""
    counts: Counter[str] = Counter()
    with transaction.atomic():
        for spec in EDITIONS:
            edition = _edition(spec)
            types = _load_types(edition, spec, counts)
            _load_conditions(edition, types, counts)
        load_crosswalk(counts)
        if not Edition.objects.filter(is_current=True).exists():
            Edition.objects.filter(code=CURRENT_EDITION.code).update(is_current=True)
    return dict(sorted(counts.items()))


@dataclass(frozen=True)
class CrosswalkRow:
    kind: str
    legacy_code: str
    legacy_name: str
    current_code: str  # "" for no equivalent
    current_name: str
    basis: str
    is_judgement: bool
    note: str


@cache
def crosswalk_rows() -> tuple[CrosswalkRow, ...]:
    return tuple(
        CrosswalkRow(
            KINDS[row["kind"]],
            row["legacy_code"],
            row["legacy_name"],
            row["current_code"],
            row["current_name"],
            row["basis"],
            row["judgement"] == "yes",
            row["note"],
        )
        for row in _rows(CROSSWALK_FILE)
    )


def load_crosswalk(counts: Counter[str]) -> None:
    """Create or update the shipped crosswalk rows (not those changed locally)."""
    types = {
        (t.major.edition.code, t.major.kind, t.code): t
        for t in CaseType.objects.filter(
            major__edition__code__in=[LEGACY_EDITION.code, CURRENT_EDITION.code]
        ).select_related("major__edition")
    }
    existing = {row.legacy_type_id: row for row in Crosswalk.objects.all()}
    for row in crosswalk_rows():
        legacy = types.get((LEGACY_EDITION.code, row.kind, row.legacy_code))
        if legacy is None:  # a type the city deleted
            continue
        current = types.get((CURRENT_EDITION.code, row.kind, row.current_code))
        values = {
            "current_type": current,
            "basis": row.basis if current else CrosswalkBasis.NONE,
            "is_judgement": row.is_judgement,
            "note": row.note,
        }
        stored = existing.get(legacy.pk)
        if stored is None:
            Crosswalk.objects.create(legacy_type=legacy, **values)
            counts["crosswalk_created"] += 1
        elif stored.is_shipped and any(getattr(stored, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(stored, name, value)
            stored.save()
            counts["crosswalk_updated"] += 1


def _edition(spec: EditionFile) -> Edition:
    edition, created = Edition.objects.get_or_create(
        code=spec.code, defaults={"name": spec.name, "type_code_length": spec.digits}
    )
    if not created and (edition.name, edition.type_code_length) != (spec.name, spec.digits):
        edition.name, edition.type_code_length = spec.name, spec.digits
        edition.save(update_fields=["name", "type_code_length"])
    return edition


def _load_types(edition: Edition, spec: EditionFile, counts: Counter[str]) -> list[CaseType]:
    rows = _rows(spec.file)
    majors = {(m.kind, m.code): m for m in edition.majors.all()}
    for row in rows:
        key = (KINDS[row["kind"]], row["major_code"])
        major = majors.get(key)
        if major is None:
            majors[key] = MajorClass.objects.create(
                edition=edition, kind=key[0], code=key[1], name=row["major_name"]
            )
        elif major.name != row["major_name"]:
            major.name = row["major_name"]
            major.save(update_fields=["name"])
    existing = {(t.major_id, t.code): t for t in CaseType.objects.filter(major__edition=edition)}
    wanted, renamed, new = [], [], []
    for row in rows:
        major = majors[(KINDS[row["kind"]], row["major_code"])]
        case_type = existing.get((major.pk, row["code"]))
        if case_type is None:
            case_type = CaseType(major=major, code=row["code"], name=row["name"])
            new.append(case_type)
        elif case_type.name != row["name"]:
            case_type.name = row["name"]
            renamed.append(case_type)
        case_type.major = major
        wanted.append(case_type)
    CaseType.objects.bulk_create(new)
    CaseType.objects.bulk_update(renamed, ["name"])
    if any(t.pk is None for t in new):  # backends that do not return keys
        ids = {(t.major_id, t.code): t.pk for t in CaseType.objects.filter(major__edition=edition)}
        for t in new:
            t.pk = ids[(t.major_id, t.code)]
    counts["types"] += len(wanted)
    counts["types_created"] += len(new)
    return wanted


def _load_conditions(edition: Edition, types: list[CaseType], counts: Counter[str]) -> None:
    targets = {Target(t.major.kind, t.code, t.name): t for t in types}
    matches = match_published(edition.code, targets)
    current: dict[int, list[FilingCondition]] = defaultdict(list)
    for row in FilingCondition.objects.filter(case_type__major__edition=edition):
        current[row.case_type_id].append(row)
    changes = Changes()
    for target, case_type in targets.items():
        rows = sorted(current[case_type.pk], key=lambda c: (c.position, c.pk))
        if not all(is_shipped(row.source) for row in rows):
            counts[f"{edition.code}.kept_local"] += 1
            continue
        match = matches.get(target)
        if match is None:
            desired = default_conditions(target.kind, target.name)
            counts[f"{edition.code}.defaults"] += 1
        else:
            desired = match.published.conditions
            counts[f"{edition.code}.published"] += 1
        changes.plan(case_type, rows, desired)
    changes.apply(counts)


class Changes:
    """Creates, updates and deletes that make types' conditions equal to the wanted ones."""

    def __init__(self) -> None:
        self.create: list[FilingCondition] = []
        self.update: list[FilingCondition] = []
        self.delete: list[FilingCondition] = []

    def __bool__(self) -> bool:
        return bool(self.create or self.update or self.delete)

    def add(self, other: Changes) -> None:
        self.create += other.create
        self.update += other.update
        self.delete += other.delete

    def plan(
        self,
        case_type: CaseType,
        rows: Sequence[FilingCondition],
        desired: Sequence[ConditionData],
        *,
        keep_equal_source: bool = False,
    ) -> None:
        """Rows with the same condition text are reused first (cases keep pointing at them),
        then the others in order. With keep_equal_source, a row whose content is unchanged
        keeps its source and default flag."""
        free = list(rows)
        paired: list[FilingCondition | None] = []
        for data in desired:
            same = next((r for r in free if r.condition == data.condition), None)
            if same is not None:
                free.remove(same)
            paired.append(same)
        for position, (data, row) in enumerate(zip(desired, paired, strict=True), start=1):
            if row is None and free:
                row = free.pop(0)
            self._put(case_type, position, data, row, keep_equal_source)
        self.delete.extend(free)

    def _put(
        self,
        case_type: CaseType,
        position: int,
        data: ConditionData,
        row: FilingCondition | None,
        keep_equal_source: bool,
    ) -> None:
        values = {"position": position, **{name: getattr(data, name) for name in CONDITION_FIELDS}}
        if row is None:
            self.create.append(FilingCondition(case_type=case_type, **values))
            return
        if keep_equal_source and _same_content(row, data):
            values.update(source=row.source, is_default=row.is_default)
        if any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            self.update.append(row)

    def apply(self, counts: Counter[str]) -> list[FilingCondition]:
        """Write; returns the surplus rows kept because cases refer to them."""
        kept = [row for row in self.delete if not _deleted(row)]
        # With their history: a limit changed by an XLSX import is audited like one edited by hand.
        bulk_update_with_history(self.update, FilingCondition, ["position", *CONDITION_FIELDS])
        bulk_create_with_history(self.create, FilingCondition)
        counts["conditions_created"] += len(self.create)
        counts["conditions_updated"] += len(self.update)
        counts["conditions_deleted"] += len(self.delete) - len(kept)
        return kept


CONTENT_FIELDS: Final = [n for n in CONDITION_FIELDS if n not in ("source", "is_default")]


def _same_content(row: FilingCondition, data: ConditionData) -> bool:
    return all(getattr(row, name) == getattr(data, name) for name in CONTENT_FIELDS)


def _deleted(row: FilingCondition) -> bool:
    try:
        row.delete()
    except ProtectedError:  # cases refer to it (on_delete=PROTECT)
        return False
    return True


def claim_conditions(case_type: CaseType) -> int:
    """Mark the type's conditions as the city's own, so reloads leave them alone."""
    claimed = 0
    for row in case_type.conditions.all():
        if is_shipped(row.source):
            row.source = LOCAL_EDIT.format(source=row.source)[:300]
            row.save(update_fields=["source"])
            claimed += 1
    return claimed
