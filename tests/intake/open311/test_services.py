"""Discovery, services and service definitions, in JSON and XML."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

import pytest

from catalog.models import CaseType
from intake.open311.formats import xml_bytes
from tests.intake.open311.conftest import COVER, GARBAGE, Open311, body, xml

pytestmark = pytest.mark.django_db


def test_discovery_names_the_specification_and_both_formats(o311: Open311) -> None:
    found = body(o311.client.get("/open311/v2/discovery.json"))
    endpoint = found["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["formats"] == ["application/json", "text/xml"]
    assert found["changeset"] and found["contact"] and found["key_service"]


def test_discovery_in_xml_uses_the_specs_elements(o311: Open311) -> None:
    root = xml(o311.client.get("/open311/v2/discovery.xml"))
    assert root.tag == "discovery"
    assert [child.tag for child in root] == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert endpoint is not None
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert [f.text for f in endpoint.findall("formats/format")] == [
        "application/json",
        "text/xml",
    ]


def test_services_tell_a_component_type_from_an_event_type_of_the_same_code(
    o311: Open311,
) -> None:
    services = body(o311.client.get("/open311/v2/services.json"))
    by_code = {s["service_code"]: s for s in services}
    assert set(by_code) == {COVER, GARBAGE}
    garbage = by_code[GARBAGE]
    assert (garbage["service_name"], garbage["group"]) == ("暴露垃圾", "市容环境")
    assert (garbage["type"], garbage["metadata"]) == ("realtime", True)
    assert "0110" in garbage["keywords"]
    assert by_code[COVER]["group"] == "公用设施"
    assert by_code[COVER]["metadata"] is True  # its component identifier


def test_services_in_xml(o311: Open311) -> None:
    root = xml(o311.client.get("/open311/v2/services.xml?jurisdiction_id=520199"))
    assert root.tag == "services"
    service = root.findall("service")[0]
    assert [child.tag for child in service] == [
        *("service_code", "service_name", "description", "metadata", "type", "keywords"),
        "group",
    ]
    assert {s.findtext("metadata") for s in root} == {"true"}


def test_an_inactive_type_is_not_offered(o311: Open311) -> None:
    CaseType.objects.filter(pk=o311.cover.pk).update(is_active=False)
    services = body(o311.client.get("/open311/v2/services.json"))
    assert [s["service_code"] for s in services] == [GARBAGE]
    assert o311.client.get(f"/open311/v2/services/{COVER}.json").status_code == 404


def test_a_definition_lists_the_filing_conditions_with_their_limits(o311: Open311) -> None:
    found = body(o311.client.get(f"/open311/v2/services/{GARBAGE}.json"))
    assert found["service_code"] == GARBAGE
    (condition,) = found["attributes"]
    assert (condition["code"], condition["datatype"]) == ("condition", "singlevaluelist")
    assert condition["required"] is False and condition["variable"] is True
    assert [v["key"] for v in condition["values"]] == ["1", "2"]
    names = [v["name"] for v in condition["values"]]
    assert names[0].startswith("成堆垃圾") and "4" in names[0]
    assert names[1].startswith("堵塞道路") and "2" in names[1]
    assert "成堆垃圾" in condition["description"] and "堵塞道路" in condition["description"]


def test_a_component_types_definition_asks_for_the_identifier(o311: Open311) -> None:
    root = xml(o311.client.get(f"/open311/v2/services/{COVER}.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == COVER
    attribute = root.find("attributes/attribute")
    assert attribute is not None
    assert [child.tag for child in attribute] == [
        *("variable", "code", "datatype", "required", "datatype_description", "order"),
        "description",
    ]
    assert (attribute.findtext("code"), attribute.findtext("datatype")) == (
        "component_id",
        "string",
    )


def test_a_definitions_values_in_xml(o311: Open311) -> None:
    root = xml(o311.client.get(f"/open311/v2/services/{GARBAGE}.xml"))
    values = root.findall("attributes/attribute/values/value")
    assert [(v.findtext("key"), v.findtext("name", "")[:4]) for v in values] == [
        ("1", "成堆垃圾"),
        ("2", "堵塞道路"),
    ]


@pytest.mark.parametrize("code", ["event-9999", "0110", "parcel-0110", "event-01x"])
def test_an_unknown_service_is_a_404_in_the_specs_form(o311: Open311, code: str) -> None:
    response = o311.client.get(f"/open311/v2/services/{code}.json")
    assert response.status_code == 404
    [error] = body(response)
    assert error["code"] == 404 and code in error["description"]


def test_errors_in_xml_and_in_the_requests_language(o311: Open311) -> None:
    response = o311.client.get(
        "/open311/v2/services/event-9999.xml", headers={"Accept-Language": "en"}
    )
    root = xml(response)
    assert root.tag == "errors"
    assert root.findtext("error/code") == "404"
    assert root.findtext("error/description", "").startswith("There is no service")
    chinese = body(o311.client.get("/open311/v2/services/event-9999.json"))
    assert not chinese[0]["description"].startswith("There is no service")


def test_only_get_and_post_are_allowed(o311: Open311) -> None:
    response = o311.client.put("/open311/v2/services.json")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert body(response)[0]["code"] == 405
    assert o311.client.delete("/open311/v2/requests.xml").status_code == 405


def test_an_unknown_address_is_a_404_in_the_specs_form(o311: Open311) -> None:
    assert body(o311.client.get("/open311/v2/nothing.json"))[0]["code"] == 404
    response = o311.client.get("/open311/v2/services.yaml")
    assert (response.status_code, body(response)[0]["code"]) == (404, 404)


def test_xml_leaves_out_characters_xml_cannot_hold() -> None:
    text = xml_bytes("services", [{"service_name": "井盖\x01<缺失>&"}])
    assert ET.fromstring(text).findtext("service/service_name") == "井盖<缺失>&"


def test_an_event_type_without_conditions_has_no_metadata_and_the_list_is_one_query(
    o311: Open311, django_assert_max_num_queries: Any
) -> None:
    CaseType.objects.create(major=o311.world.garbage.major, code="0199", name="其他市容问题")
    with django_assert_max_num_queries(1):
        services = body(o311.client.get("/open311/v2/services.json"))
    assert {s["service_code"]: s["metadata"] for s in services} == {
        COVER: True,
        GARBAGE: True,
        "event-0199": False,
    }
    assert body(o311.client.get("/open311/v2/services/event-0199.json"))["attributes"] == []
