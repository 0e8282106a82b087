"""Evaluation reports made in the background: asked for on a page, computed by a task with the
audit chain checked, downloaded by the one who asked only; a queued report waits for a worker
while the page polls; a failure is shown, not hidden."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import CaseEvent
from evaluation.models import EvaluationRun, RunStatus
from evaluation.runs import evaluation_task
from org.roles import Role, Scope
from tests.cases.conftest import World, world  # noqa: F401  (fixture)
from tests.cases.making import dispatched
from tests.conftest import make_person
from tests.consoles.test_case_pages import client_for
from tests.org.test_sms import DATABASE_QUEUE

NOVEMBER = {"period": "2026-11"}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
def test_a_report_asked_for_is_made_with_its_chain_checked_and_downloaded(world: World) -> None:  # noqa: F811
    dispatched(world)
    client = client_for(world.leader)
    asked = client.post(reverse("evaluation_runs"), NOVEMBER)
    assert asked.status_code == 302
    run = EvaluationRun.objects.get()
    assert (run.status, run.period, run.chain_cases, run.chain_findings) == (
        RunStatus.DONE, "2026-11", 1, 0
    )  # fmt: skip
    page = client.get(reverse("evaluation_runs")).content.decode()
    file_url = reverse("evaluation_run_file", kwargs={"pk": run.pk})
    assert file_url in page and "every 3s" not in page  # ready: no more polling
    download = client.get(file_url)
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))  # type: ignore[attr-defined]
    assert len(book.sheetnames) == 9


@pytest.mark.django_db
def test_a_report_whose_file_is_lost_answers_not_found(world: World, tmp_path: Any) -> None:  # noqa: F811
    client = client_for(world.leader)
    client.post(reverse("evaluation_runs"), NOVEMBER)
    run = EvaluationRun.objects.get()
    (tmp_path / str(run.workbook.name)).unlink()
    assert client.get(reverse("evaluation_run_file", kwargs={"pk": run.pk})).status_code == 404


@pytest.mark.django_db
def test_only_the_one_who_asked_downloads_it(world: World) -> None:  # noqa: F811
    dispatched(world)
    client_for(world.leader).post(reverse("evaluation_runs"), NOVEMBER)
    file_url = reverse("evaluation_run_file", kwargs={"pk": EvaluationRun.objects.get().pk})
    analyst = make_person("analyst", Role.ANALYST, world.org.center, Scope.DISTRICT)
    assert client_for(analyst).get(file_url).status_code == 404
    assert client_for(world.handler_a).get(file_url).status_code == 403
    assert reverse("evaluation_run_file", kwargs={"pk": 1}) not in (
        client_for(analyst).get(reverse("evaluation_runs")).content.decode()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("period", ["十月", "2026-13", "", "9999-01", "x" * 200])
def test_a_bad_period_is_refused_and_nothing_is_queued(world: World, period: str) -> None:  # noqa: F811
    answer = client_for(world.leader).post(reverse("evaluation_runs"), {"period": period})
    assert answer.status_code == 400
    assert not EvaluationRun.objects.exists()


@pytest.mark.django_db
def test_a_broken_chain_is_said_in_the_report(world: World) -> None:  # noqa: F811
    case = dispatched(world)
    CaseEvent.objects.filter(case=case, verb="dispatch").update(reason="改过的")
    client = client_for(world.leader)
    client.post(reverse("evaluation_runs"), NOVEMBER)
    assert EvaluationRun.objects.get().chain_findings == 1
    page = client.get(reverse("evaluation_runs"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "已损坏：1 处问题" in page.content.decode()


@pytest.mark.django_db
def test_a_failed_run_says_so(world: World, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("evaluation.runs.build_report", fail)
    client = client_for(world.leader)
    client.post(reverse("evaluation_runs"), NOVEMBER)
    run = EvaluationRun.objects.get()
    assert run.status == RunStatus.FAILED and "disk full" in run.error and not run.workbook
    page = client.get(reverse("evaluation_runs"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "报表未能生成" in page and "disk full" not in page  # the cause is for the administrator


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # a worker sees commits
def test_on_the_database_queue_a_report_waits_for_a_worker(settings: Any, world: World) -> None:  # noqa: F811
    settings.TASKS = DATABASE_QUEUE
    dispatched(world)
    client = client_for(world.leader)
    client.post(reverse("evaluation_runs"), NOVEMBER)
    assert EvaluationRun.objects.get().status == RunStatus.QUEUED
    assert "every 3s" in client.get(reverse("evaluation_runs")).content.decode()  # it polls
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    run = EvaluationRun.objects.get()
    assert run.status == RunStatus.DONE and run.chain_findings == 0 and run.workbook


@pytest.mark.django_db
def test_a_report_task_run_again_does_not_make_it_twice(world: World) -> None:  # noqa: F811
    client_for(world.leader).post(reverse("evaluation_runs"), NOVEMBER)
    run = EvaluationRun.objects.get()
    evaluation_task.call(run.pk)  # a second delivery of the same task
    again = EvaluationRun.objects.get()
    assert (again.workbook.name, again.finished_at) == (run.workbook.name, run.finished_at)
