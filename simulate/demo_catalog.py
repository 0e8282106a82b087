"""Competent departments (主管部门) for the demo district's catalogue: every type of both shipped
editions gets one of the demo departments (simulate/demo_org.py), chosen by keywords in its name.

The component types the demo components use take the department those components have
(simulate/demo_components.RULES; in GB/T 47678.5 the type each rule lands on through the
crosswalk), so a component and its type agree. Components follow their
owner (部件先属主): covers of the water company go to it, lamps to the lighting office; events
follow the authority (事件先属地): street order and advertising to the enforcement brigade.
"""

from __future__ import annotations

from typing import Final

from django.db import transaction

from catalog.loading import ANOMALY, CURRENT_EDITION, LEGACY_EDITION, crosswalk_rows
from catalog.models import CaseType, TypeKind
from org.models import Unit
from simulate.demo_components import CURRENT_OVERRIDES, RULES

# (keywords, department code); the first rule with a keyword in the type's name wins.
FACILITY_RULES: Final = (
    (("供水", "上水", "消防", "水鹤", "供水器"), "D16"),  # 自来水公司
    (("燃气", "输油"), "D17"),  # 燃气公司
    (("路灯", "地灯", "景观灯", "亮化"), "D20"),  # 路灯管理所
    (("信号灯", "信号设施", "交通标志", "交通护栏", "交通岗亭", "限高"), "D08"),  # 交管
    (("隔离", "防撞", "反视镜", "公安", "监控", "治安"), "D08"),
    (("电视", "广电"), "D19"),
    (("通信", "通讯", "网络", "电话", "基站", "信息亭"), "D18"),
    (("电力", "变压器", "高压线", "电缆", "配电"), "D15"),  # 供电公司
    (("热力", "供热"), "D06"),
    (("环保", "污水口", "噪声", "污水监测"), "D12"),  # 生态环境
    (("污水", "雨水", "化粪池井盖", "沟槽", "排水", "管廊", "桥", "隧道", "地下通道"), "D02"),
    (("盲道", "无障碍", "减速带", "铁道", "台阶", "人行横道", "便道桩", "安全岛"), "D02"),
    (("中水", "水井", "水塔", "水域", "防汛", "泵站", "排放口", "港监"), "D09"),  # 水务局
    (("公交", "停车", "出租车", "车库", "自行车", "非机动车", "轨道", "充电"), "D07"),
    (("路名", "地名", "门（楼号）牌"), "D10"),  # 自然资源（地名）
    (("厕", "垃圾", "环卫", "果皮", "烟头", "拾便", "化粪池", "回收箱"), "D03"),  # 环卫站
    (("气象", "危险源", "应急", "避难", "SOS", "救助"), "D13"),  # 应急管理
    (("树", "绿", "花", "园林", "林地", "雕塑", "座椅", "坐椅", "喷泉", "挂箱"), "D05"),
    (("健身", "文物", "景区"), "D14"),  # 文化旅游（体育）
    (("人防", "公房", "工地", "电梯"), "D06"),  # 住建局
    (("售货机", "加油", "快递柜"), "D11"),  # 市场监管
)
EVENT_RULES: Final = (
    (("自来水", "供水"), "D16"),
    (("燃气",), "D17"),
    (("热力",), "D06"),
    (("架空线缆",), "D18"),
    (("施工", "工地", "掘路", "渣土运输", "预埋", "高空悬吊", "无证建设"), "D06"),  # 住建局
    (("塌陷", "积水", "下水道", "道路破损", "路缘石", "盲道", "台阶", "无障碍坡道", "边坡"), "D02"),
    (("非机动车",), "D04"),
    (("积雪", "结冰", "垃圾", "不洁", "脏乱", "遗撒", "尸体", "渣土", "保洁"), "D03"),
    (("伐树", "病虫害", "绿", "树", "公园"), "D05"),
    (("水域", "河道", "堤岸", "河堤", "滩"), "D09"),
    (("油烟", "医疗废物", "污水", "废水", "填埋", "污染"), "D12"),
    (("机动车乱停放", "交通标线", "黑车", "履带车", "畜力车"), "D08"),
    (("共享单车", "停车场"), "D07"),
    (("市场", "无证餐饮"), "D11"),
    (("出版物",), "D14"),
    (("群发", "突发"), "D13"),
)
FALLBACK: Final = {"facility": "D01", "event": "D04"}  # 城市管理局 / 城市综合执法大队


def assign_demo_departments() -> int:
    """Set the competent department of every type in both editions; returns how many changed.
    Needs the demo organisation (load_organisation) and the catalogue (load_catalog)."""
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=_codes())}
    missing = sorted(set(_codes()) - units.keys())
    if missing:
        raise RuntimeError(f"the demo units {', '.join(missing)} are missing: load them first")
    types = CaseType.objects.filter(
        major__edition__code__in=[LEGACY_EDITION.code, CURRENT_EDITION.code]
    ).select_related("major__edition")
    changed = []
    for case_type in types:
        unit = units[department_code(case_type)]
        if case_type.default_department_id != unit.pk:
            case_type.default_department = unit
            changed.append(case_type)
    with transaction.atomic():
        CaseType.objects.bulk_update(changed, ["default_department"])
    return len(changed)


def department_code(case_type: CaseType) -> str:
    """The demo department for a type of either edition."""
    kind, name = case_type.major.kind, case_type.name
    if kind == TypeKind.COMPONENT:
        by_component = _component_departments(case_type.major.edition.code).get(case_type.code)
        if by_component is not None:
            return by_component
    subject = "facility" if kind == TypeKind.COMPONENT or ANOMALY in name else "event"
    rules = FACILITY_RULES if subject == "facility" else EVENT_RULES
    for keywords, code in rules:
        if any(keyword in name for keyword in keywords):
            return code
    return FALLBACK[subject]


def _component_departments(edition: str = LEGACY_EDITION.code) -> dict[str, str]:
    """Type code in `edition` → the department of the demo components of that type."""
    legacy = {rule.code: rule.department for rule in RULES}
    if edition == LEGACY_EDITION.code:
        return legacy
    if edition != CURRENT_EDITION.code:
        return {}
    current = {
        row.legacy_code: row.current_code
        for row in crosswalk_rows()
        if row.kind == TypeKind.COMPONENT and row.current_code
    }
    current.update(CURRENT_OVERRIDES)
    return {current[code]: unit for code, unit in legacy.items() if code in current}


def _codes() -> list[str]:
    rules = [code for _keywords, code in (*FACILITY_RULES, *EVENT_RULES)]
    return sorted({*rules, *FALLBACK.values(), *_component_departments().values()})
