"""Each step of a partner's case writes a status push to the outbox, never sent inside the
request; a finished case referred by the city platform carries its result back up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cases import workflow as wf
from cases.models import Case, ClosingType
from intake.partners.models import Delivery, DeliveryStatus
from intake.partners.outbox import on_case_changed
from tests.intake.partners.conftest import MONDAY_10, Partners, World, incident, send

VERBS = (
    *("accept_case", "decline_case", "file_case", "dispatch_case", "sign_case"),
    *("feedback_case", "send_check", "check_case", "close_case"),
)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def committed(monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any) -> None:
    """Each verb's after-commit work (the case_changed signal) runs when the verb returns, as
    it would outside the test's transaction."""
    for name in VERBS:
        verb = getattr(wf, name)

        def run(*args: Any, _verb: Callable[..., Case] = verb, **kwargs: Any) -> Case:
            with django_capture_on_commit_callbacks(execute=True):
                return _verb(*args, **kwargs)

        monkeypatch.setattr(wf, name, run)


def referred(partners: Partners, incident_id: str = "SJ-1") -> Case:
    """A case the city platform referred down (市级平台转办)."""
    response = send(partners.city_key, incident(incident_id))
    assert response.status_code == 201, response.json()
    return Case.objects.get(number=response.json()["case"])


def test_a_step_on_a_partners_case_writes_one_pending_delivery(
    partners: Partners, world: World
) -> None:
    case = referred(partners)
    wf.accept_case(case, actor=world.actors.acceptor)
    delivery = Delivery.objects.get()
    assert (delivery.partner, delivery.case_id, delivery.verb) == (partners.city, case.pk, "accept")
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
    assert delivery.payload["incident_id"] == "SJ-1"
    assert delivery.payload["case"] == case.number
    assert delivery.payload["status"] == "accepted"
    assert "result" not in delivery.payload


def test_the_push_is_written_with_the_step_or_not_at_all(
    partners: Partners, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = referred(partners)

    def broken(**fields: object) -> None:
        raise RuntimeError("the outbox is down")

    monkeypatch.setattr(Delivery.objects, "create", broken)
    with pytest.raises(RuntimeError):
        wf.accept_case(case, actor=world.actors.acceptor)
    case.refresh_from_db()
    assert (case.status, case.events.count()) == ("reported", 1)  # the step rolled back too
    monkeypatch.undo()
    wf.accept_case(case, actor=world.actors.acceptor)
    assert Delivery.objects.get().payload["sequence"] == case.events.count() == 2


def test_a_partner_without_a_callback_url_gets_no_delivery(
    partners: Partners, world: World
) -> None:
    number = send(partners.police_key, incident()).json()["case"]
    wf.decline_case(number, actor=world.actors.acceptor, reason="非城管问题")
    assert not Delivery.objects.exists()


def test_cases_of_other_channels_get_no_delivery_and_ask_nothing(
    partners: Partners, world: World, django_assert_num_queries: Any
) -> None:
    from tests.cases.making import filed

    case = filed(world)
    event = case.events.get(verb="file")
    with django_assert_num_queries(0):
        on_case_changed(Case, case=case, verb="file", event=event)
    assert not Delivery.objects.exists()


def test_a_declined_referral_carries_the_result_and_the_reason(
    partners: Partners, world: World
) -> None:
    case = referred(partners)
    wf.decline_case(case, actor=world.actors.acceptor, reason="不属于城管职责")
    result = Delivery.objects.get().payload["result"]
    assert (result["status"], result["reason"], result["closing_type"]) == (
        "declined",
        "不属于城管职责",
        "",
    )
    assert result["closed_at"] is not None


def test_a_closed_referral_carries_the_closing_type_time_and_handling_feedback(
    partners: Partners, world: World
) -> None:
    a = world.actors
    case = referred(partners)
    inspector = world.person(world.inspector)
    at = MONDAY_10
    wf.accept_case(case, actor=a.acceptor, now=at)
    wf.file_case(case, actor=a.shift_leader, condition=world.normal, now=at)
    wf.dispatch_case(case, actor=a.dispatcher, unit=world.org.department_a, reason="测试", now=at)
    wf.sign_case(case, actor=a.handler_a, now=at)
    wf.feedback_case(case, actor=a.handler_a, reason="已清运垃圾", now=at)
    wf.send_check(case, actor=a.acceptor, inspector=inspector, now=at)
    wf.check_case(case, actor=a.inspector, passed=True, now=at)
    wf.close_case(case, actor=a.shift_leader, now=at)
    last = Delivery.objects.order_by("id").last()
    assert last is not None and last.verb == "close"
    result = last.payload["result"]
    assert result["status"] == "closed"
    assert result["closing_type"] in ClosingType.values
    assert result["closing_type_label"]
    assert result["feedback"] == "已清运垃圾"
    assert result["closed_at"] == at.isoformat()
    # Every step was pushed, in order.
    verbs = list(Delivery.objects.order_by("id").values_list("verb", flat=True))
    assert verbs == [
        *("accept", "file", "dispatch", "sign", "feedback"),
        *("send_check", "check", "close"),
    ]
