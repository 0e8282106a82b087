"""Bodies of the partner API (intake/partners/api.py): an incident in, its case out."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema
from pydantic import StrictBool

from cases.models import DESCRIPTION_MAX
from catalog.models import TypeKind
from lib.coords import CrsName
from org.api import In

# Printable ASCII without "/" or spaces: the id is also a path segment of GET /incidents/{id}.
INCIDENT_ID_PATTERN = r"^[!-.0-~]+$"


class IncidentIn(In):
    incident_id: str = Field(
        min_length=1,
        max_length=64,
        pattern=INCIDENT_ID_PATTERN,
        description="the partner's own id of the incident (警情编号/告警编号/转办件编号)",
    )
    description: str = Field(min_length=1, max_length=DESCRIPTION_MAX)
    type: str | None = Field(None, max_length=20, description="type code (小类代码), if known")
    kind: TypeKind | None = Field(None, description="when a code exists for both kinds")
    lon: float | None = Field(None, allow_inf_nan=False, ge=-180, le=180)
    lat: float | None = Field(None, allow_inf_nan=False, ge=-90, le=90)
    crs: CrsName = Field("wgs84", description="wgs84, cgcs2000, gcj02 (Amap, Tencent) or bd09")
    camera: str | None = Field(
        None, max_length=40, description="code of a registered camera: the alarm is located there"
    )
    address: str = Field(
        "", max_length=200, description="address text; geocoded when no position or camera"
    )
    observed_at: datetime | None = Field(None, description="when the incident was observed")
    snapshot_url: str = Field("", max_length=500, pattern=r"^(https?://\S+)?$")
    contact_name: str = Field("", max_length=50, description="110: the caller's name")
    contact_phone: str = Field("", max_length=30, description="110: the caller's number")
    is_urgent: StrictBool = False


class IncidentOut(Schema):
    incident_id: str
    case: str = Field(description="the case number (案卷编号)")
    status: str
    status_label: str
