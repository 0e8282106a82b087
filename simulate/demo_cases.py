"""Demo cases: a few dozen problems walked through every path of the closed loop.

Every change goes through cases/reporting.py and cases/workflow/, exactly as people would make
it, over the four weeks before the load: accepted, filed and closed on time or late, returned and
re-dispatched, co-handled, extended, suspended and resumed, reworked after a failed check, voided,
not accepted, not filed, closed specially, appealed, urged and answered, merged, handled on the
spot, public reports called back (one of them reopened), and some still open — a few of them
overdue. The audit trail, the pages and the API then have real data. Loading again with the same
seed adds nothing.

At load time every open status has cases waiting, and so does every request that waits for a
decision (return, extension, suspension, void, both reviews of an overdue appeal), so each desk
(consoles/queues.py) shows work. Their last step started minutes ago (green lights) or hours ago
(red); the YELLOW cases are being handled under a long limit of which about 85 % has passed, so
they stay yellow for hours after loading. Reports, after-photos and check photos are drawn
(simulate/demo_photos.py) and stored through cases/photos.py like uploads.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import shapely
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cases import workflow as wf
from cases.deadlines import Limit, add, handling_limit, minutes_between
from cases.models import Case, Channel, PhotoStage, Satisfaction, Status
from cases.photos import store_photo
from cases.reporting import report_case
from catalog.loading import CURRENT_EDITION
from catalog.models import NATURAL_UNITS, FilingCondition, LimitUnit, TypeKind
from components.models import Component, ComponentStatus
from geo.gazetteer import describe
from geo.models import DoorPlate, UnitGrid
from org.access import Actor
from org.models import HANDLING_KINDS, Person, Unit, UnitKind
from simulate.demo_org import INSPECTOR_COUNT, terminal_username
from simulate.demo_photos import demo_photo

# How many cases take each path.
PATHS: dict[str, int] = {
    "closed": 14,
    "closed_late": 4,
    "public_verified": 4,
    "public_reopened": 1,
    "co_handled": 2,
    "returned": 3,
    "extended": 3,
    "suspended": 2,
    "suspended_resumed": 2,
    "reworked": 3,
    "voided": 2,
    "declined": 2,
    "rejected": 2,
    "closed_specially": 1,
    "merged": 2,
    "self_handled": 2,
    "appealed": 2,
    "open_overdue": 4,
    "open": 5,
    "demo_unit": 3,
    "awaiting_callback": 2,
    # Waiting at load time, in each open status and with each request.
    "waiting_reported": 3,
    "waiting_verifying": 3,
    "waiting_accepted": 3,
    "waiting_self_handled": 2,
    "waiting_filed": 3,
    "waiting_dispatched": 2,
    "waiting_handled": 3,
    "waiting_checking": 3,
    "waiting_checked": 3,
    "yellow": 4,
    "request_return": 2,
    "request_extension": 2,
    "request_suspension": 2,
    "request_void": 2,
    "request_appeal": 2,
    "appeal_final": 1,
    "co_handled_by_demo_unit": 1,
    "street_office": 2,
}
# The status each waiting path ends in, and the steps that lead there.
WAITING: dict[str, Status] = {
    "waiting_reported": Status.REPORTED,
    "waiting_verifying": Status.VERIFYING,
    "waiting_accepted": Status.ACCEPTED,
    "waiting_filed": Status.FILED,
    "waiting_dispatched": Status.DISPATCHED,
    "waiting_handled": Status.HANDLED,
    "waiting_checking": Status.CHECKING,
    "waiting_checked": Status.CHECKED,
}
CHAIN = (Status.ACCEPTED, Status.FILED, Status.DISPATCHED, Status.HANDLING, Status.HANDLED,
         Status.CHECKING, Status.CHECKED)  # fmt: skip
DEMO_UNIT = "D02"  # the unit of the demo accounts "handler" and "unitadmin"
DEMO_STREET = "S01"  # the office of "street_handler" and "street_leader"
DAYS_BACK = 28
# Long limits (7–20 working days) would put a closed demo case's steps in the future.
MAX_DEMO_LIMIT_DAYS = 5
# Yellow cases: handled under a limit of at least this many working days, this share used.
YELLOW_MIN_DAYS = 5
YELLOW_USED = (0.83, 0.88)


@dataclass
class Cast:
    """The demo people who act on cases, each in their post."""

    acceptor: Actor
    shift_leader: Actor
    dispatcher: Actor
    leader: Actor
    inspectors: list[Actor]

    @classmethod
    def load(cls) -> Cast:
        users = {u.username: u for u in User.objects.filter(is_active=True)}
        return cls(
            Actor.of(users["acceptor"]),
            Actor.of(users["shiftleader"]),
            Actor.of(users["dispatcher"]),
            Actor.of(users["leader"]),
            [Actor.of(users[f"inspector{n:02d}"]) for n in range(1, INSPECTOR_COUNT + 1)],
        )


def load_demo_cases(seed: int, edition: str = CURRENT_EDITION.code) -> dict[str, int]:
    """Walk the demo cases for `seed` with the types of `edition`; returns how many cases end
    in each status."""
    if Case.objects.filter(request_id=_request_id(seed, 0)).exists():
        return _status_counts()
    walker = _Walker(seed, edition)
    with transaction.atomic():
        number = 0
        for path, count in PATHS.items():
            for _ in range(count):
                walker.walk(path, _request_id(seed, number))
                number += 1
    return _status_counts()


def _request_id(seed: int, number: int) -> str:
    return f"demo-{seed}-{number:03d}"


def _status_counts() -> dict[str, int]:
    counts = Counter(
        Case.objects.filter(request_id__startswith="demo-").values_list("status", flat=True)
    )
    return dict(sorted(counts.items()))


class _Walker:
    def __init__(self, seed: int, edition: str) -> None:
        self.seed = seed
        self.rng = np.random.default_rng([seed, 4])
        self.cast = Cast.load()
        every = list(
            FilingCondition.objects.filter(
                case_type__major__edition__code=edition, case_type__is_active=True
            ).select_related("case_type__major")
        )
        self.conditions = [condition for condition in every if _short(condition)]
        self.long = _long(every)
        self.chosen: dict[int, FilingCondition] = {}
        if not self.conditions:
            raise RuntimeError(f"load the catalog first: no filing conditions in {edition}")
        self.places = _places(self.rng)
        self.now = timezone.now()
        self.start = self.now - timedelta(days=DAYS_BACK)
        self.previous: Case | None = None
        self.at_demo_unit = 0
        self.at_street = 0
        self.reporters: dict[int, Actor] = {}
        self.checker = self.cast.inspectors[0]
        self.path = ""

    # -- the paths ------------------------------------------------------------------------

    def walk(self, path: str, request_id: str) -> None:
        # Old enough for every path to finish before today.
        at = self.start + timedelta(hours=float(self.rng.uniform(0, 24 * (DAYS_BACK - 12))))
        at = _working_moment(at)
        if path in RECENT:  # waiting now: reported within the last hours
            at = self.now - timedelta(minutes=float(self.rng.uniform(70, 150)))
        public = path in ("public_verified", "public_reopened", "voided", "merged")
        public = public or path == "awaiting_callback"
        condition = self.long_condition() if path == "yellow" else None
        if path == "yellow":
            at = self.yellow_dispatch(condition) - timedelta(minutes=60)
        case = self.report(request_id, at, public, condition)
        steps: dict[str, Callable[[Case, datetime], None]] = {
            "closed": lambda c, t: self.to_closed(c, t),
            "closed_late": lambda c, t: self.to_closed(c, t, late=True),
            "public_verified": self.called_back,
            "public_reopened": self.reopened,
            "co_handled": self.co_handled,
            "returned": self.returned,
            "extended": self.extended,
            "suspended": lambda c, t: self.suspended(c, t, resume=False),
            "suspended_resumed": lambda c, t: self.suspended(c, t, resume=True),
            "reworked": self.reworked,
            "voided": self.voided,
            "declined": self.declined,
            "rejected": self.rejected,
            "closed_specially": self.closed_specially,
            "merged": self.merged,
            "self_handled": self.self_handled,
            "appealed": self.appealed,
            "open_overdue": self.open_overdue,
            "open": self.still_open,
            "demo_unit": self.at_the_demo_unit,
            "awaiting_callback": lambda c, t: self.to_closed(c, self.verified(c, t)),
            **{name: self.waiting for name in WAITING},
            "waiting_self_handled": self.waiting_self_handled,
            "yellow": self.yellow,
            "request_return": self.request_return,
            "request_extension": self.request_extension,
            "request_suspension": self.request_suspension,
            "request_void": self.request_void,
            "request_appeal": lambda c, t: self.request_appeal(c, t, final=False),
            "appeal_final": lambda c, t: self.request_appeal(c, t, final=True),
            "co_handled_by_demo_unit": self.co_handled_by_demo_unit,
            "street_office": self.at_the_street_office,
        }
        self.path = path
        steps[path](case, at)
        self.previous = case

    def to_closed(self, case: Case, at: datetime, *, late: bool = False) -> None:
        t = self.handle(case, at, late=late)
        self.check_and_close(case, t)

    def called_back(self, case: Case, at: datetime) -> None:
        t = self.handle(case, self.verified(case, at))
        t = self.check_and_close(case, t)
        satisfied = Satisfaction.SATISFIED if self.rng.random() < 0.7 else Satisfaction.BASICALLY
        wf.callback_case(case, actor=self.cast.acceptor, satisfaction=satisfied, now=_later(t, 60))

    def reopened(self, case: Case, at: datetime) -> None:
        t = self.check_and_close(case, self.handle(case, self.verified(case, at)))
        t = _later(t, 60)
        wf.callback_case(
            case,
            actor=self.cast.acceptor,
            satisfaction=Satisfaction.DISSATISFIED,
            reason="市民反映垃圾仍未清理干净",
            now=t,
        )
        t = self.check_and_close(case, self.handle(case, t, accepted=True))
        satisfied = Satisfaction.SATISFIED
        wf.callback_case(case, actor=self.cast.acceptor, satisfaction=satisfied, now=_later(t, 60))

    def co_handled(self, case: Case, at: datetime) -> None:
        t = self.file(case, at)
        lead = self._suggested(case)
        helper = self._wrong_unit(case)
        t = _later(t, 10)
        wf.dispatch_case(case, actor=self.cast.dispatcher, unit=lead, co_units=[helper], now=t)
        t = self.sign(case, t)
        reply = "已配合完成管线排查"
        wf.co_feedback(case, actor=self._terminal_of(helper), reply=reply, now=_later(t, 30))
        self.check_and_close(case, self.feedback(case, _later(t, 60)))

    def returned(self, case: Case, at: datetime) -> None:
        t = _later(self.file(case, at), 10)
        wrong = self._wrong_unit(case)
        wf.dispatch_case(
            case, actor=self.cast.dispatcher, unit=wrong, reason="按辖区先行派遣", now=t
        )
        reason = "该问题不属于本单位职责范围"
        wf.return_case(case, actor=self.terminal(case), reason=reason, now=t)
        t = _later(t, 20)
        wf.decide_return(case, actor=self.cast.dispatcher, approve=True, reason="同意回退", now=t)
        t = self.handle_dispatched(case, self.dispatch(case, _later(t, 10)))
        self.check_and_close(case, t)

    def extended(self, case: Case, at: datetime) -> None:
        t = self.sign(case, self.dispatch(case, self.file(case, at)))
        reason = "需调配专用设备"
        wf.request_extension(case, actor=self.terminal(case), minutes=240, reason=reason, now=t)
        wf.decide_extension(case, actor=self.cast.dispatcher, approve=True, now=_later(t, 30))
        case.refresh_from_db()
        assert case.handling_due_at is not None
        t = self.feedback(case, max(case.handling_due_at - timedelta(minutes=20), _later(t, 40)))
        self.check_and_close(case, t)

    def suspended(self, case: Case, at: datetime, *, resume: bool) -> None:
        t = self.sign(case, self.dispatch(case, self.file(case, at)))
        reason = "需纳入年度维修计划"
        wf.request_suspension(case, actor=self.terminal(case), reason=reason, now=t)
        t = _later(t, 60)
        wf.decide_suspension(case, actor=self.cast.dispatcher, approve=True, now=t)
        if resume:
            t = t + timedelta(days=5)
            wf.resume_case(case, actor=self.cast.dispatcher, reason="维修计划已下达", now=t)
            self.check_and_close(case, self.feedback(case, _later(t, 90)))

    def reworked(self, case: Case, at: datetime) -> None:
        t = self.handle(case, at)
        inspector = self.inspector()
        wf.send_check(case, actor=self.cast.acceptor, inspector=_person(inspector), now=t)
        t = _later(t, 25)
        reason = "现场仍有残留，未处理到位"
        wf.check_case(case, actor=inspector, passed=False, reason=reason, now=t)
        self.check_and_close(case, self.feedback(case, _later(t, 120)))

    def voided(self, case: Case, at: datetime) -> None:
        wf.request_void(case, actor=self.cast.acceptor, reason="重复来电，信息无效", now=at)
        wf.decide_void(case, actor=self.cast.shift_leader, approve=True, now=_later(at, 15))

    def declined(self, case: Case, at: datetime) -> None:
        reason = "不属于城市管理问题"
        wf.decline_case(case, actor=self.cast.acceptor, reason=reason, now=_later(at, 10))

    def rejected(self, case: Case, at: datetime) -> None:
        wf.accept_case(case, actor=self.cast.acceptor, now=_later(at, 10))
        reason = "未达到立案标准"
        wf.reject_case(case, actor=self.cast.shift_leader, reason=reason, now=_later(at, 20))

    def closed_specially(self, case: Case, at: datetime) -> None:
        t = self.sign(case, self.dispatch(case, self.file(case, at)))
        reason = "该路段已纳入道路改造工程，经领导批准特殊结案"
        wf.close_special(case, actor=self.cast.shift_leader, reason=reason, now=_later(t, 120))

    def merged(self, case: Case, at: datetime) -> None:
        target = self.previous
        assert target is not None
        target.refresh_from_db()
        if target.status not in (Status.REPORTED, Status.VERIFYING, Status.ACCEPTED):
            target = self.report(f"{case.request_id}-first", at, public=False)
        reason = "同一问题"
        wf.merge_case(
            case, actor=self.cast.acceptor, into=target, reason=reason, now=_later(at, 10)
        )

    def self_handled(self, case: Case, at: datetime) -> None:
        inspector = self.reporters[case.pk]
        self.photo(case, PhotoStage.HANDLING, inspector, _later(at, 4))
        wf.self_handle(case, actor=inspector, reason="现场扶正，已处理", now=_later(at, 5))
        wf.close_case(case, actor=self.cast.shift_leader, now=_later(at, 40))

    def appealed(self, case: Case, at: datetime) -> None:
        t = self.handle(case, at, late=True)
        terminal = self.terminal(case)
        wf.appeal_overdue(case, actor=terminal, reason="连续降雨无法施工", now=t)
        wf.decide_appeal(case, actor=self.cast.dispatcher, approve=True, now=_later(t, 60))
        wf.decide_appeal(case, actor=self.cast.leader, approve=True, now=_later(t, 180))
        self.check_and_close(case, _later(t, 200))

    def open_overdue(self, case: Case, at: datetime) -> None:
        t = self.sign(case, self.dispatch(case, self.file(case, at)))
        reason = "已超时，请尽快处置"
        wf.urge_case(case, actor=self.cast.dispatcher, reason=reason, now=_later(at, 600))
        if self.rng.random() < 0.5:
            answer = "已安排处置队，明日完成"
            wf.answer_urge(case, actor=self.terminal(case), reason=answer, now=_later(t, 700))

    def still_open(self, case: Case, at: datetime) -> None:
        # Recent cases at different steps: reported, filed, dispatched, handling, handled.
        recent = timezone.now() - timedelta(hours=float(self.rng.uniform(1, 3)))
        stop = int(self.rng.integers(0, 5))
        t = recent
        if stop >= 1:
            t = self.file(case, t)
        if stop >= 2:
            t = self.dispatch(case, t)
        if stop >= 3:
            t = self.sign(case, t)
        if stop >= 4:
            self.feedback(case, t)

    def at_the_demo_unit(self, case: Case, at: datetime) -> None:
        """Recent cases waiting at the demo handler's unit: to sign, handling, urged."""
        t = self.file(case, timezone.now() - timedelta(hours=float(self.rng.uniform(1, 3))))
        unit = Unit.objects.get(code=DEMO_UNIT)
        reason = "市政设施，由市政工程管理所处置"
        wf.dispatch_case(case, actor=self.cast.dispatcher, unit=unit, reason=reason, now=t)
        before, self.at_demo_unit = self.at_demo_unit, self.at_demo_unit + 1
        if before >= 1:  # the first one stays to be signed for
            t = self.sign(case, _later(t, 5))
        if before >= 2:
            wf.urge_case(case, actor=self.cast.dispatcher, reason="请加快处置", now=_later(t, 5))

    # -- waiting at load time ---------------------------------------------------------------

    def waiting(self, case: Case, at: datetime) -> None:
        """Walk to the path's status; the last step starts a few minutes before the load
        (green) or, for the later cases of a path, an hour or two before (red)."""
        target = WAITING[self.path]
        if target == Status.REPORTED:
            return
        if target == Status.VERIFYING:
            inspector = _person(self.inspector())
            wf.send_verify(case, actor=self.cast.acceptor, inspector=inspector, now=self.last(at))
            return
        steps = CHAIN[: CHAIN.index(target) + 1]
        times = self.times(at, len(steps))
        for status, t in zip(steps, times, strict=True):
            self.step_to(case, status, t)

    def times(self, after: datetime, count: int) -> list[datetime]:
        """`count` moments after `after`, the last one just before the load."""
        last = self.last(after)
        gap = (last - after) / (count + 1)
        return [after + gap * (k + 1) for k in range(count - 1)] + [last]

    def last(self, after: datetime) -> datetime:
        fresh = self.rng.random() < 0.5
        minutes = self.rng.uniform(2, 12) if fresh else self.rng.uniform(40, 65)
        return max(self.now - timedelta(minutes=float(minutes)), _later(after, 1))

    def step_to(self, case: Case, status: Status, t: datetime) -> None:
        if status == Status.ACCEPTED:
            wf.accept_case(case, actor=self.cast.acceptor, now=t)
        elif status == Status.FILED:
            condition = self._condition(case)
            wf.file_case(case, actor=self.cast.shift_leader, condition=condition, now=t)
        elif status == Status.DISPATCHED:
            unit = self._suggested(case)
            wf.dispatch_case(case, actor=self.cast.dispatcher, unit=unit, now=t)
        elif status == Status.HANDLING:
            wf.sign_case(case, actor=self.terminal(case), now=t)
        elif status == Status.HANDLED:
            self.feedback(case, t)
        elif status == Status.CHECKING:
            self.checker = self.inspector()
            inspector = _person(self.checker)
            wf.send_check(case, actor=self.cast.acceptor, inspector=inspector, now=t)
        else:
            self.photo(case, PhotoStage.CHECK, self.checker, t)
            wf.check_case(case, actor=self.checker, passed=True, reason="现场核查合格", now=t)

    def waiting_self_handled(self, case: Case, at: datetime) -> None:
        inspector = self.reporters[case.pk]
        t = self.last(at)
        self.photo(case, PhotoStage.HANDLING, inspector, t)
        wf.self_handle(case, actor=inspector, reason="现场扶正，已处理", now=t)

    def long_condition(self) -> FilingCondition:
        return self.long[int(self.rng.integers(len(self.long)))]

    def yellow_dispatch(self, condition: FilingCondition | None) -> datetime:
        """When to dispatch so that at load time YELLOW_USED of the handling step has passed
        (the step starts when the unit signs, SIGN_AFTER later)."""
        assert condition is not None
        target = float(self.rng.uniform(*YELLOW_USED))
        limit = handling_limit(condition)
        early, late = self.now - timedelta(days=120), self.now - timedelta(hours=2)
        for _ in range(40):  # the used share falls as the dispatch moves later
            middle = early + (late - early) / 2
            if _used(middle, limit, self.now) > target:
                early = middle
            else:
                late = middle
        return early

    def yellow(self, case: Case, at: datetime) -> None:
        dispatched = at + timedelta(minutes=60)
        self.file(case, dispatched - timedelta(minutes=40))
        unit = self._suggested(case)
        wf.dispatch_case(case, actor=self.cast.dispatcher, unit=unit, now=dispatched)
        wf.sign_case(case, actor=self.terminal(case), now=dispatched + SIGN_AFTER)

    def request_return(self, case: Case, at: datetime) -> None:
        t = _later(self.file(case, at), 10)
        wrong = self._wrong_unit(case)
        reason = "按辖区先行派遣"
        wf.dispatch_case(case, actor=self.cast.dispatcher, unit=wrong, reason=reason, now=t)
        reason = "该问题不属于本单位职责范围"
        wf.return_case(case, actor=self.terminal(case), reason=reason, now=self.last(t))

    def request_extension(self, case: Case, at: datetime) -> None:
        t = self.sign(case, self.dispatch(case, self.file(case, at)))
        reason = "需调配专用设备"
        last = self.last(t)
        wf.request_extension(case, actor=self.terminal(case), minutes=240, reason=reason, now=last)

    def request_suspension(self, case: Case, at: datetime) -> None:
        t = self.sign(case, self.dispatch(case, self.file(case, at)))
        reason = "需纳入年度维修计划"
        wf.request_suspension(case, actor=self.terminal(case), reason=reason, now=self.last(t))

    def request_void(self, case: Case, at: datetime) -> None:
        reason = "重复上报，信息无效"
        wf.request_void(case, actor=self.cast.acceptor, reason=reason, now=self.last(at))

    def request_appeal(self, case: Case, at: datetime, *, final: bool) -> None:
        """Signed days ago, overdue now, appealed by the unit (and, if final, passed the
        dispatcher's first review)."""
        at = _working_moment(self.now - timedelta(days=float(self.rng.uniform(14, 18))))
        t = self.sign(case, self.dispatch(case, self.file(case, at)))
        reason = "连续降雨无法施工"
        appealed = self.now - timedelta(minutes=float(self.rng.uniform(60, 120)))
        wf.appeal_overdue(case, actor=self.terminal(case), reason=reason, now=max(appealed, t))
        if final:
            wf.decide_appeal(case, actor=self.cast.dispatcher, approve=True, now=self.last(t))

    def co_handled_by_demo_unit(self, case: Case, at: datetime) -> None:
        """The demo handler's unit co-handles a case another unit leads; its part waits."""
        t = _later(self.file(case, at), 10)
        demo_unit = Unit.objects.get(code=DEMO_UNIT)
        lead = self._suggested(case)
        if lead == demo_unit:
            lead = self._wrong_unit(case)
        wf.dispatch_case(case, actor=self.cast.dispatcher, unit=lead, co_units=[demo_unit], now=t)
        self.sign(case, t)

    def at_the_street_office(self, case: Case, at: datetime) -> None:
        """The demo street office: the first case is overdue in its hands, the next waits to
        be signed for."""
        office = Unit.objects.get(code=DEMO_STREET)
        overdue, self.at_street = self.at_street == 0, self.at_street + 1
        if overdue:
            at = _working_moment(self.now - timedelta(days=float(self.rng.uniform(14, 18))))
        else:
            at = self.now - timedelta(minutes=float(self.rng.uniform(40, 90)))
        t = _later(self.file(case, at), 10)
        reason = "属地管理问题，由街道办事处处置"
        wf.dispatch_case(case, actor=self.cast.dispatcher, unit=office, reason=reason, now=t)
        if overdue:
            self.sign(case, t)

    # -- single steps ---------------------------------------------------------------------

    def report(
        self,
        request_id: str,
        at: datetime,
        public: bool,
        condition: FilingCondition | None = None,
    ) -> Case:
        if condition is None:
            condition = self.conditions[int(self.rng.integers(len(self.conditions)))]
        (lon, lat), address = self.places[int(self.rng.integers(len(self.places)))]
        component = self.component(condition)
        if component is not None:  # a component problem is reported on that component
            lon, lat = component.point.x, component.point.y
            address = component.location_text or describe(lon, lat) or address
        text = f"{address}发现{condition.case_type.name}问题：{condition.condition[:40]}"
        if public:  # a hotline call, recorded by the acceptor
            case = report_case(
                actor=self.cast.acceptor, channel=Channel.HOTLINE, description=text, lon=lon,
                lat=lat, address=address, contact_name="王先生", contact_phone="13800001234",
                request_id=request_id, now=at, case_type=condition.case_type, component=component,
            )  # fmt: skip
        else:
            inspector = self.inspector()
            case = report_case(
                actor=inspector, channel=Channel.INSPECTOR, description=text, lon=lon,
                lat=lat, address=address, case_type=condition.case_type, component=component,
                request_id=request_id, now=at,
            )  # fmt: skip
            self.reporters[case.pk] = inspector
            self.photo(case, PhotoStage.REPORT, inspector, _later(at, 1))
        self.chosen[case.pk] = condition
        return case

    def photo(self, case: Case, stage: str, actor: Actor, at: datetime) -> None:
        """A drawn photo, stored like an upload (re-encoded, hashed into the trail)."""
        case_type = self.chosen[case.pk].case_type if case.pk in self.chosen else case.case_type
        assert case_type is not None
        count = case.photos.filter(stage=stage).count()
        data = demo_photo(
            self.seed, f"{case.request_id}/{count}", stage, case_type.code, case_type.name,
            case.number,
        )  # fmt: skip
        store_photo(case, stage, ContentFile(data, "demo.jpg"), actor=actor, now=at)

    def component(self, condition: FilingCondition) -> Component | None:
        """One of the inventoried components of the condition's type, if it is a component
        type and the inventory has any."""
        if condition.case_type.major.kind != TypeKind.COMPONENT:
            return None
        found = Component.objects.filter(
            case_type=condition.case_type, status=ComponentStatus.INTACT
        )
        count = found.count()
        if not count:
            return None
        return found.order_by("identifier")[int(self.rng.integers(count))]

    def verified(self, case: Case, at: datetime) -> datetime:
        inspector = self.inspector()
        send_at = _later(at, 5)
        wf.send_verify(case, actor=self.cast.acceptor, inspector=_person(inspector), now=send_at)
        t = _later(at, 25)
        wf.verify_report(case, actor=inspector, found=True, reason="现场确认属实", now=t)
        return t

    def file(self, case: Case, at: datetime, *, accepted: bool = False) -> datetime:
        """Accept (受理), unless already accepted, and file (立案)."""
        if not accepted:
            wf.accept_case(case, actor=self.cast.acceptor, now=_later(at, 5))
        t = _later(at, 15)
        wf.file_case(case, actor=self.cast.shift_leader, condition=self._condition(case), now=t)
        return t

    def dispatch(self, case: Case, at: datetime) -> datetime:
        t = _later(at, 10)
        wf.dispatch_case(case, actor=self.cast.dispatcher, unit=self._suggested(case), now=t)
        return t

    def sign(self, case: Case, at: datetime) -> datetime:
        t = _later(at, 20)
        wf.sign_case(case, actor=self.terminal(case), now=t)
        return t

    def feedback(self, case: Case, at: datetime) -> datetime:
        terminal = self.terminal(case)  # refreshes the case: the step started at signing
        photo_at = max(at - timedelta(minutes=2), case.step_started_at)
        self.photo(case, PhotoStage.HANDLING, terminal, photo_at)
        wf.feedback_case(case, actor=terminal, reason="已按要求处置完毕", now=at)
        return at

    def handle(
        self, case: Case, at: datetime, *, late: bool = False, accepted: bool = False
    ) -> datetime:
        filed = self.file(case, at, accepted=accepted)
        return self.handle_dispatched(case, self.dispatch(case, filed), late=late)

    def handle_dispatched(self, case: Case, at: datetime, *, late: bool = False) -> datetime:
        t = self.sign(case, at)
        case.refresh_from_db()
        due = case.handling_due_at
        assert due is not None
        done = (
            due + timedelta(hours=3) if late else t + (due - t) * float(self.rng.uniform(0.2, 0.8))
        )
        return self.feedback(case, max(done, _later(t, 5)))

    def check_and_close(self, case: Case, at: datetime) -> datetime:
        inspector = self.inspector()
        t = _later(at, 10)
        wf.send_check(case, actor=self.cast.acceptor, inspector=_person(inspector), now=t)
        t = _later(t, 20)
        self.photo(case, PhotoStage.CHECK, inspector, _later(t, -2))
        wf.check_case(case, actor=inspector, passed=True, reason="现场核查合格", now=t)
        t = _later(t, 15)
        wf.close_case(case, actor=self.cast.shift_leader, now=t)
        return t

    # -- helpers --------------------------------------------------------------------------

    def inspector(self) -> Actor:
        return self.cast.inspectors[int(self.rng.integers(len(self.cast.inspectors)))]

    def terminal(self, case: Case) -> Actor:
        case.refresh_from_db()
        assert case.responsible_unit is not None
        return self._terminal_of(case.responsible_unit)

    def _terminal_of(self, unit: Unit) -> Actor:
        return Actor.of(User.objects.get(username=terminal_username(unit.code)))

    def _condition(self, case: Case) -> FilingCondition:
        return self.chosen[case.pk]

    def _suggested(self, case: Case) -> Unit:
        """Routing's suggestion, stored when the case was filed (or the territory's office)."""
        case.refresh_from_db()
        unit = case.suggested_unit
        if unit is None or unit.kind not in HANDLING_KINDS:
            unit = case.territory_unit
        assert unit is not None
        return unit

    def _wrong_unit(self, case: Case) -> Unit:
        right = self._suggested(case)
        return (
            Unit.objects.filter(kind=UnitKind.DEPARTMENT)
            .exclude(pk=right.pk)
            .order_by("code")
            .first()
            or right
        )


def _places(rng: np.random.Generator) -> list[tuple[tuple[float, float], str]]:
    """Where problems are: door plates when the gazetteer has them, else grid centres."""
    plates = list(DoorPlate.objects.select_related("road").order_by("pk")[:5000])
    if plates:
        chosen = rng.choice(len(plates), size=min(400, len(plates)), replace=False)
        return [((plates[k].point.x, plates[k].point.y), str(plates[k])) for k in chosen]
    grids = list(UnitGrid.objects.select_related("community").order_by("code"))
    return [
        (
            tuple(shapely.get_coordinates(g.boundary.point_on_surface())[0]),
            f"{g.community.name}{g.code}网格",
        )
        for g in grids
    ]


RECENT = frozenset({*WAITING, "waiting_self_handled", "request_return", "request_extension",
                    "request_suspension", "request_void", "co_handled_by_demo_unit"})  # fmt: skip
SIGN_AFTER = timedelta(minutes=20)


def _used(dispatched: datetime, limit: Limit, now: datetime) -> float:
    """The share of the handling step used at `now` for a case dispatched then."""
    signed = dispatched + SIGN_AFTER
    due = add(dispatched, limit)
    allowed = minutes_between(signed, due, limit.clock)
    return minutes_between(signed, now, limit.clock) / allowed if allowed > 0 else 1.0


def _long(conditions: list[FilingCondition]) -> list[FilingCondition]:
    """Normal conditions of at least YELLOW_MIN_DAYS working days (the longest if none)."""
    days = [c for c in conditions if c.limit_unit == LimitUnit.WORKING_DAY]
    long = [c for c in days if c.limit_value >= YELLOW_MIN_DAYS]
    if long or not days:
        return long or conditions[:1]
    return [max(days, key=lambda c: c.limit_value)]


def _short(condition: FilingCondition) -> bool:
    if condition.limit_unit in NATURAL_UNITS or condition.limit_unit == LimitUnit.WORKING_HOUR:
        return True
    return condition.limit_value <= MAX_DEMO_LIMIT_DAYS


def _person(actor: Actor) -> Person:
    assert actor.person is not None
    return actor.person


def _later(at: datetime, minutes: float) -> datetime:
    return at + timedelta(minutes=minutes)


def _working_moment(at: datetime) -> datetime:
    """Move a moment to 09:00–11:00 or 14:30–16:30 on a weekday, when reports mostly come."""
    local = timezone.localtime(at)
    while local.weekday() >= 5:
        local += timedelta(days=1)
    hour = 9 if local.hour < 13 else 14.5
    minutes = int(hour * 60) + local.minute + (local.second % 2) * 60
    return local.replace(hour=minutes // 60, minute=minutes % 60, second=0, microsecond=0)
