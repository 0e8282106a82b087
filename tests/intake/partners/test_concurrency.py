"""The same incident sent twice at once (a partner's retry racing its first try) makes one
case, and both answers name it (PostgreSQL, real transactions)."""

from __future__ import annotations

import pytest
from django.db import connection

from cases.models import Case
from intake.partners.incidents import receive_incident
from intake.partners.models import Incident
from intake.partners.schemas import IncidentIn
from tests.cases.test_concurrency import race
from tests.intake.partners.conftest import Partners, incident

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_two_copies_of_one_incident_at_once_make_one_case(partners: Partners) -> None:
    body = IncidentIn.model_validate(incident("JQ-RACE"))
    results = race(*[lambda: receive_incident(partners.police, body)] * 3)
    numbers = {case.number for case, _created in results}
    assert len(numbers) == 1
    assert sorted(created for _case, created in results) == [False, False, True]
    assert Case.objects.count() == Incident.objects.count() == 1
