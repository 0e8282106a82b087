"""A report from the portal stored as one whole: the case (channel web, acting as the public),
its receipt with the tracking code's hash, and its photos. Either all of it exists or none.

The photos were decoded by the form already; they are stored only once the case exists, since
a photo belongs to a case. A retry of the same form (same request id, same content) finds the
first case and stores nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from cases.models import Case, Channel, Photo, PhotoStage
from cases.photos import store_photo
from cases.reporting import report_case
from geo.gazetteer import describe
from intake.portal.models import Receipt
from intake.portal.receipts import issue_receipt, matches
from org.access import Actor


@dataclass(frozen=True)
class Submitted:
    case: Case
    code: str | None  # None only when a retry shows another code than the first request did


def submit_report(data: dict[str, Any], photos: list[UploadedFile], now: datetime) -> Submitted:
    """Store a valid ReportForm's cleaned `data`; a Refusal leaves nothing behind."""
    stored: list[Photo] = []
    try:
        with transaction.atomic():
            case = _report(data, now)
            receipt = Receipt.objects.filter(case=case).first()
            if receipt is not None:  # the same form sent again
                return Submitted(case, data["code"] if matches(receipt, data["code"]) else None)
            issue_receipt(case, data["code"], now)
            actor = Actor.public(case.number)
            for upload in photos:
                stored.append(store_photo(case, PhotoStage.REPORT, upload, actor=actor, now=now))
    except BaseException:
        for photo in stored:  # files are not transactional: the rows rolled back, not these
            photo.image.delete(save=False)
            photo.thumbnail.delete(save=False)
        raise
    return Submitted(case, data["code"])


def _report(data: dict[str, Any], now: datetime) -> Case:
    lon, lat = data["lon"], data["lat"]
    return report_case(
        actor=Actor.public(),
        channel=Channel.WEB,
        description=data["description"],
        lon=lon,
        lat=lat,
        case_type=data.get("case_type"),
        address=data.get("address") or describe(lon, lat),
        request_id=f"web-{data['request_id']}",  # never one of another channel's ids
        contact_name=data.get("contact_name", ""),
        contact_phone=data.get("contact_phone", ""),
        now=now,
    )
