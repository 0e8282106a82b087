"""Demo competent departments: every active type of both editions gets a plausible demo
department, and assigning again changes nothing."""

from __future__ import annotations

import pytest

from catalog.loading import CURRENT_EDITION, LEGACY_EDITION
from catalog.models import CaseType, TypeKind
from simulate.demo_catalog import assign_demo_departments
from simulate.demo_org import load_organisation
from tests.catalog.conftest import current, legacy

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(loaded: dict[str, int]) -> int:
    load_organisation()
    return assign_demo_departments()


def test_every_active_type_of_both_editions_has_a_department(assigned: int) -> None:
    types = CaseType.objects.filter(
        major__edition__code__in=[CURRENT_EDITION.code, LEGACY_EDITION.code], is_active=True
    )
    assert assigned == types.count() == 542
    assert not types.filter(default_department=None).exists()


def test_assigning_again_changes_nothing(assigned: int) -> None:
    assert assign_demo_departments() == 0


def test_departments_follow_the_types_owner_or_authority(assigned: int) -> None:
    expected = {
        (current, TypeKind.COMPONENT, "01001"): "D16",  # 供水井盖 → 自来水公司
        (current, TypeKind.EVENT, "01001"): "D16",  # 供水井盖异常 too
        (current, TypeKind.COMPONENT, "01002"): "D02",  # 污水井盖 → 市政工程管理所
        (current, TypeKind.COMPONENT, "01037"): "D20",  # 路灯 → 路灯管理所
        (current, TypeKind.COMPONENT, "04002"): "D05",  # 行道树 → 园林绿化局
        (current, TypeKind.EVENT, "09006"): "D04",  # 占道经营 → 城市综合执法大队
        (current, TypeKind.EVENT, "07003"): "D04",  # 违规户外广告 → 执法
        (current, TypeKind.EVENT, "06010"): "D03",  # 暴露垃圾 → 环境卫生管理站
        (current, TypeKind.EVENT, "08009"): "D06",  # 施工工地出入口道路破损 → 住建局
        (legacy, TypeKind.COMPONENT, "0101"): "D16",  # as the demo components have it
        (legacy, TypeKind.COMPONENT, "0402"): "D05",
        (legacy, TypeKind.EVENT, "0402"): "D16",  # 自来水管破裂
    }
    found = {}
    for type_of, kind, code in expected:
        unit = type_of(kind, code).default_department
        found[(type_of, kind, code)] = unit.code if unit else None
    assert found == expected


def test_without_the_demo_organisation_it_says_what_is_missing(loaded: dict[str, int]) -> None:
    with pytest.raises(RuntimeError, match="demo units D01, D02"):
        assign_demo_departments()
