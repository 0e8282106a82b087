"""The demo district's organisation, shaped by the seed report: one supervision and command
center, 20 district departments and 17 street offices / townships, each with a handling team,
45 inspectors and one account per post."""

from __future__ import annotations

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from org.models import Membership, Person, Unit, UnitKind
from org.roles import Role, Scope

DEMO_PASSWORD = "ug-demo-2026"
INSPECTOR_COUNT = 45

CENTER = ("C00", "区城市管理监督指挥中心")
SUPERVISION_CENTER = ("C01", "区城市管理监督中心")
COMMAND_CENTER = ("C02", "区城市管理指挥中心")

DEPARTMENTS = [
    ("D01", "区城市管理局"),
    ("D02", "区市政工程管理所"),
    ("D03", "区环境卫生管理站"),
    ("D04", "区城市综合执法大队"),
    ("D05", "区园林绿化局"),
    ("D06", "区住房和城乡建设局"),
    ("D07", "区交通运输局"),
    ("D08", "区公安分局交通管理大队"),
    ("D09", "区水务局"),
    ("D10", "区自然资源局"),
    ("D11", "区市场监督管理局"),
    ("D12", "区生态环境分局"),
    ("D13", "区应急管理局"),
    ("D14", "区文化旅游局"),
    ("D15", "供电公司城区分公司"),
    ("D16", "自来水公司城区营业所"),
    ("D17", "燃气公司城区分公司"),
    ("D18", "电信公司城区分公司"),
    ("D19", "广电网络城区分公司"),
    ("D20", "区路灯管理所"),
]

# Fictional names: the demo district does not describe a real place.
STREETS = [
    ("S01", "翠湖街道", UnitKind.STREET),
    ("S02", "文昌街道", UnitKind.STREET),
    ("S03", "北门街道", UnitKind.STREET),
    ("S04", "南桥街道", UnitKind.STREET),
    ("S05", "东山街道", UnitKind.STREET),
    ("S06", "西岭街道", UnitKind.STREET),
    ("S07", "望江街道", UnitKind.STREET),
    ("S08", "云岩街道", UnitKind.STREET),
    ("S09", "新华街道", UnitKind.STREET),
    ("S10", "太平街道", UnitKind.STREET),
    ("S11", "金桂街道", UnitKind.STREET),
    ("S12", "枫林街道", UnitKind.STREET),
    ("S13", "清溪街道", UnitKind.STREET),
    ("S14", "龙泉街道", UnitKind.STREET),
    ("S15", "长乐街道", UnitKind.STREET),
    ("T01", "松坪乡", UnitKind.TOWNSHIP),
    ("T02", "石桥乡", UnitKind.TOWNSHIP),
]

# (username, person name, role, unit code, scope)
ACCOUNTS = [
    ("sysadmin", "周维", Role.SYSADMIN, "C00", Scope.DISTRICT),
    ("acceptor", "林晓", Role.ACCEPTOR, "C01", Scope.DISTRICT),
    ("shiftleader", "陈刚", Role.SHIFT_LEADER, "C01", Scope.DISTRICT),
    ("dispatcher", "王敏", Role.DISPATCHER, "C02", Scope.DISTRICT),
    ("analyst", "赵琳", Role.ANALYST, "C00", Scope.DISTRICT),
    ("leader", "孙建国", Role.LEADER, "C00", Scope.DISTRICT),
    ("handler", "李强", Role.HANDLER, "D02", Scope.UNIT),
    ("unitadmin", "黄磊", Role.UNIT_ADMIN, "D02", Scope.UNIT),
    ("street_handler", "吴芳", Role.HANDLER, "S01", Scope.UNIT),
    ("street_leader", "郑伟", Role.LEADER, "S01", Scope.TERRITORY),
]

INSPECTOR_SURNAMES = "张王李赵刘陈杨黄吴周徐孙马朱胡郭何高林罗"
INSPECTOR_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def load_organisation() -> dict[str, int]:
    """Create or update the demo organisation; running it twice changes nothing."""
    with transaction.atomic():
        units = _load_units()
        for username, name, role, unit_code, scope in ACCOUNTS:
            _account(username, name, role, units[unit_code], scope, superuser=role == Role.SYSADMIN)
        for n in range(1, INSPECTOR_COUNT + 1):
            name = INSPECTOR_SURNAMES[n % 20] + INSPECTOR_GIVEN[(n * 7) % 22]
            _account(f"inspector{n:02d}", name, Role.INSPECTOR, units["C01"], Scope.DISTRICT)
        # Every department and street office has a duty terminal (处置终端) of its own.
        for code, name, *_kind in [*DEPARTMENTS, *STREETS]:
            _account(
                terminal_username(code), f"{name}值班员", Role.HANDLER, units[code], Scope.UNIT
            )
    return {
        "units": Unit.objects.count(),
        "people": Person.objects.count(),
        "memberships": Membership.objects.count(),
    }


def _load_units() -> dict[str, Unit]:
    units: dict[str, Unit] = {}

    def put(code: str, name: str, kind: str, parent: Unit | None = None) -> Unit:
        unit, _ = Unit.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "parent": parent, "is_active": True}
        )
        units[code] = unit
        return unit

    center = put(*CENTER, UnitKind.CENTER)
    put(*SUPERVISION_CENTER, UnitKind.CENTER, center)
    put(*COMMAND_CENTER, UnitKind.CENTER, center)
    for code, name in DEPARTMENTS:
        put(f"{code}T", f"{name}处置队", UnitKind.TEAM, put(code, name, UnitKind.DEPARTMENT))
    for code, name, kind in STREETS:
        put(f"{code}T", f"{name}处置队", UnitKind.TEAM, put(code, name, kind))
    return units


def terminal_username(unit_code: str) -> str:
    """The duty terminal account of a unit: unit_d03, unit_s12, unit_t01."""
    return f"unit_{unit_code.lower()}"


@cache
def _demo_password_hash() -> str:
    # Hashing is deliberately slow; one hash with a fixed salt serves every demo account and
    # keeps a second run from changing anything.
    return make_password(DEMO_PASSWORD, salt="urbangriddemo")


def _account(
    username: str, name: str, role: str, unit: Unit, scope: str, *, superuser: bool = False
) -> None:
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.password = _demo_password_hash()
    user.is_staff = user.is_superuser = superuser
    user.is_active = True
    user.save()
    person, _ = Person.objects.update_or_create(user=user, defaults={"name": name, "unit": unit})
    Membership.objects.update_or_create(
        person=person, role=role, unit=unit, defaults={"scope": scope, "is_active": True}
    )
