"""Generated Open311 requests, well-formed and not: a good POST with any of its fields
changed to any text, number or nothing, and any query of the GET lists, in JSON and XML, is
answered without a server error. Bounded examples keep the suite fast."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.intake.open311.conftest import GARBAGE, Open311

pytestmark = pytest.mark.django_db
FIELDS = ["service_code", "lat", "long", "address_string", "address_id", "description",
          "media_url", "email", "first_name", "last_name", "phone", "device_id",
          "account_id", "attribute[component]", "service_request_id", "start_date",
          "end_date", "status", "page"]  # fmt: skip
VALUES = st.one_of(
    st.none(),
    st.text(max_size=300),
    st.from_regex(r"-?\d{1,4}(\.\d{1,12})?", fullmatch=True),
    st.sampled_from([GARBAGE, "nan", "inf", "1e309", "０", "2026-13-40T25:61:00Z", "\x00"]),
)
FORMS = st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=8)
CHECKS = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


@CHECKS
@given(form=FORMS, fmt=st.sampled_from(["json", "xml"]))
def test_no_generated_post_gets_a_server_error(
    o311: Open311, form: dict[str, Any], fmt: str
) -> None:
    answer = o311.post(fmt, **(o311.at_west() | form))  # a good request, fields changed
    assert answer.status_code < 500, (form, answer.content[:300])


@CHECKS
@given(query=FORMS, fmt=st.sampled_from(["json", "xml"]))
def test_no_generated_list_query_gets_a_server_error(
    o311: Open311, query: dict[str, Any], fmt: str
) -> None:
    clean = {name: value for name, value in query.items() if value is not None}
    for path in ("requests", "services"):
        answer = o311.client.get(f"/open311/v2/{path}.{fmt}", clean)
        assert answer.status_code < 500, (path, clean, answer.content[:300])
