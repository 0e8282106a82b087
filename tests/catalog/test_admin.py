"""The catalogue's admin pages in Chinese, the XLSX export and import page, local extension
types, and edits that reloads keep."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from catalog.loading import CURRENT_EDITION, LEGACY_EDITION, load_catalog
from catalog.models import CaseType, Edition, MajorClass, RoutingRule, TypeKind
from geo.models import Community
from geo.territory_import import import_territory
from org.models import Unit, UnitKind
from tests.catalog.conftest import conditions, legacy
from tests.catalog.test_xlsx import COVER, sheet
from tests.geo.territory import small_territory

pytestmark = pytest.mark.django_db
IMPORT = reverse("admin:catalog_edition_import")


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("standard.xlsx", data)


def test_every_catalogue_page_opens(admin_client: Client, catalog_once: dict[str, int]) -> None:
    cover = legacy(TypeKind.COMPONENT, "0101")
    types = reverse("admin:catalog_casetype_changelist")
    pages = [
        reverse("admin:catalog_edition_changelist"),
        reverse("admin:catalog_majorclass_changelist"),
        f"{types}?major__edition__id__exact={cover.major.edition_id}&major__kind__exact=event",
        reverse("admin:catalog_casetype_add"),
        reverse("admin:catalog_casetype_change", args=[cover.pk]),
        reverse("admin:catalog_filingcondition_changelist") + "?q=井盖",
        reverse("admin:catalog_filingcondition_change", args=[conditions(cover)[0].pk]),
        IMPORT,
    ]
    for page in pages:
        response = admin_client.get(page)
        assert response.status_code == 200, page
    assert "上水井盖" in admin_client.get(pages[4]).content.decode()


def test_an_edition_exports_its_standard(
    admin_client: Client, catalog_once: dict[str, int]
) -> None:
    edition = Edition.objects.get(code=LEGACY_EDITION.code)
    response = admin_client.get(reverse("admin:catalog_edition_export", args=[edition.pk]))
    assert response.status_code == 200
    assert "cjt214-2007.xlsx" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].values)
    assert rows[1][:4] == ("01", "公用设施类", "0101", "上水井盖")


def test_the_import_page_checks_then_imports(
    admin_client: Client, catalog_once: dict[str, int]
) -> None:
    edition = Edition.objects.get(code=LEGACY_EDITION.code)
    data = sheet([*COVER, "井盖缺失", "2紧急工作时", "补齐", ""])
    checked = admin_client.post(
        IMPORT, {"edition": edition.pk, "file": upload(data), "dry_run": "on"}
    )
    assert checked.status_code == 200
    assert "conditions_deleted: 3" in checked.content.decode()
    assert len(conditions(legacy(TypeKind.COMPONENT, "0101"))) == 4
    admin_client.post(IMPORT, {"edition": edition.pk, "file": upload(data)})
    assert [c.condition for c in conditions(legacy(TypeKind.COMPONENT, "0101"))] == ["井盖缺失"]


def test_the_import_page_lists_row_errors(
    admin_client: Client, catalog_once: dict[str, int]
) -> None:
    edition = Edition.objects.get(code=LEGACY_EDITION.code)
    data = sheet([*COVER, "井盖缺失", "尽快", "补齐", ""])
    response = admin_client.post(IMPORT, {"edition": edition.pk, "file": upload(data)})
    page = response.content.decode()
    assert 'id="import-errors"' in page
    assert "完成时限" in page and "尽快" in page
    assert len(conditions(legacy(TypeKind.COMPONENT, "0101"))) == 4


def test_the_import_page_is_closed_to_staff_without_the_permission(client: Client) -> None:
    staff = User.objects.create_user("staff", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(IMPORT).status_code == 403


def test_an_administrator_adds_a_local_extension_type(
    admin_client: Client, catalog_once: dict[str, int]
) -> None:
    major = MajorClass.objects.get(edition__code=CURRENT_EDITION.code, kind="event", code="09")
    add = reverse("admin:catalog_casetype_add")
    form = {
        "major": major.pk, "code": "09099", "name": "占道晾晒", "is_extension": "on",
        "is_active": "on", "conditions-TOTAL_FORMS": "1", "conditions-INITIAL_FORMS": "0",
        "conditions-0-position": "1", "conditions-0-condition": "占用人行道晾晒",
        "conditions-0-urgency": "normal", "conditions-0-limit_value": "4",
        "conditions-0-limit_unit": "working_hour", "conditions-0-closing_condition": "清除",
    }  # fmt: skip
    assert admin_client.post(add, {**form, "code": "0999"}).status_code == 200  # refused
    response = admin_client.post(add, form)
    assert response.status_code == 302
    added = CaseType.objects.get(major=major, code="09099")
    assert added.is_extension
    assert [c.condition for c in added.conditions.all()] == ["占用人行道晾晒"]


def test_a_condition_edited_in_the_admin_survives_a_reload(
    admin_client: Client, catalog_once: dict[str, int]
) -> None:
    row = conditions(legacy(TypeKind.COMPONENT, "0118"))[0]  # 路灯
    change = reverse("admin:catalog_filingcondition_change", args=[row.pk])
    form = {
        "case_type": row.case_type_id, "position": 1, "condition": row.condition,
        "area_class": "", "urgency": "normal", "limit_value": 3, "limit_unit": "working_day",
        "closing_condition": row.closing_condition, "responsible_text": "", "source": row.source,
    }  # fmt: skip
    assert admin_client.post(change, form).status_code == 302
    load_catalog()
    row.refresh_from_db()
    assert (row.limit_value, row.source.startswith("本地修改")) == (3, True)


def test_an_administrator_adds_a_routing_rule_for_one_area(
    admin_client: Client, catalog_once: dict[str, int]
) -> None:

    assert import_territory(small_territory()).ok
    community = Community.objects.select_related("street").first()
    assert community is not None
    unit = Unit.objects.create(code="DX", name="区园林所", kind=UnitKind.DEPARTMENT)
    cover = legacy(TypeKind.COMPONENT, "0101")
    add = reverse("admin:catalog_routingrule_add")
    form = {"case_type": cover.pk, "priority": 10, "unit": unit.pk, "is_active": "on"}

    both = {**form, "street": community.street.pk, "community": community.pk}
    refused = admin_client.post(add, both)
    assert refused.status_code == 200
    assert refused.context["adminform"].form.non_field_errors()
    assert not RoutingRule.objects.exists()

    saved = admin_client.post(add, {**form, "community": community.pk})
    assert saved.status_code == 302
    rule = RoutingRule.objects.get()
    assert (rule.community, rule.unit) == (community, unit)
    listing = admin_client.get(reverse("admin:catalog_routingrule_changelist"))
    assert community.name in listing.content.decode()


def test_a_limit_edited_in_the_admin_is_kept_with_who_changed_it_and_from_what(
    admin_client: Client, admin_user: User, catalog_once: dict[str, int]
) -> None:
    row = conditions(legacy(TypeKind.COMPONENT, "0118"))[0]  # 路灯
    before = row.limit_value
    change = reverse("admin:catalog_filingcondition_change", args=[row.pk])
    form = {
        "case_type": row.case_type_id, "position": 1, "condition": row.condition,
        "area_class": "", "urgency": "normal", "limit_value": before + 2,
        "limit_unit": row.limit_unit, "closing_condition": row.closing_condition,
        "responsible_text": row.responsible_text, "source": row.source,
    }  # fmt: skip
    assert admin_client.post(change, form).status_code == 302
    loaded_record, *edits = row.history.order_by("history_date", "history_id")
    assert {edit.history_user for edit in edits} == {admin_user}
    changes = {c.field: (c.old, c.new) for c in edits[-1].diff_against(loaded_record).changes}
    assert changes["limit_value"] == (before, before + 2)
    assert changes.keys() == {"limit_value", "source"}  # the edit made the condition local
    history = admin_client.get(reverse("admin:catalog_filingcondition_history", args=[row.pk]))
    assert history.status_code == 200 and admin_user.username in history.content.decode()
