"""Evaluation reports made in the background (评价报表): a leader asks for a period's report;
a task (Django's task framework, TASK_QUEUE) computes every kind's table, checks the audit chain
under it and writes the XLSX, so a slow month or a long chain never holds a request or a
worker's timeout. The run row says how far it got and keeps the file for the one who asked."""

from __future__ import annotations

import logging

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db.models import QuerySet
from django.tasks import task
from django.utils import timezone, translation

from cases.models import Case
from evaluation.models import EvaluationRun, RunStatus
from evaluation.periods import Period
from evaluation.report import build_report
from evaluation.xlsx import workbook_bytes
from org.access import Actor

log = logging.getLogger(__name__)


def request_run(viewer: Actor, period: Period) -> EvaluationRun:
    """Record the request and queue its task; the caller shows the run's progress."""
    assert viewer.user is not None and viewer.role is not None
    run = EvaluationRun.objects.create(
        requested_by=viewer.user,
        role=viewer.role,
        period=period.label,
        language=translation.get_language() or "zh-hans",
        requested_at=timezone.now(),
    )
    evaluation_task.enqueue(run.pk)
    return run


@task
def evaluation_task(run_id: int) -> None:
    queued = EvaluationRun.objects.filter(pk=run_id, status=RunStatus.QUEUED)
    if not queued.update(status=RunStatus.RUNNING):
        return  # already taken: one report is not made twice
    run = EvaluationRun.objects.select_related("requested_by").get(pk=run_id)
    try:
        make_workbook(run)
    except Exception as error:
        log.exception("evaluation run %s failed", run.pk)
        run.status, run.error = RunStatus.FAILED, f"{type(error).__name__}: {error}"
    else:
        run.status = RunStatus.DONE
    run.finished_at = timezone.now()
    run.save()


def make_workbook(run: EvaluationRun) -> None:
    period = Period.parse(run.period)
    with translation.override(run.language):
        viewer = Actor.of(run.requested_by, run.role)
        report = build_report(period, cases=territory(viewer), scope=viewer.scope)
        content = workbook_bytes(report)
    assert report.chain is not None
    run.chain_cases, run.chain_findings = report.chain.cases, len(report.chain.findings)
    stamp = timezone.localtime(run.requested_at)
    name = f"evaluation-{period.label}-{stamp:%Y%m%d-%H%M}.xlsx"
    run.workbook.save(name, ContentFile(content), save=False)


def territory(viewer: Actor) -> QuerySet[Case] | None:
    """The cases an evaluation reads for a viewer: None for the whole district."""
    return None if viewer.scope.whole_district else Case.objects.visible_to(viewer)


def runs_of(user: User) -> QuerySet[EvaluationRun]:
    return EvaluationRun.objects.filter(requested_by=user)
