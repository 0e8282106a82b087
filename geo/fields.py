"""A geometry column that behaves the same on SQLite and PostgreSQL.

Geometries are stored as WKB in a binary column and come back as Shapely objects. Spatial
questions (point → grid, nearest, bounding boxes) are answered in memory by Shapely's STRtree
(geo/lookup.py), not by the database, so no spatial extension is needed on either database.
"""

from __future__ import annotations

from typing import Any

import shapely
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from shapely.geometry.base import BaseGeometry


class GeometryField(models.BinaryField):
    description = _("Geometry (WKB, lon/lat in CGCS2000)")
    # What django-stubs' mypy plugin takes as the attribute's types on model instances.
    _pyi_private_set_type: BaseGeometry | bytes
    _pyi_private_get_type: BaseGeometry

    def __init__(self, *args: Any, geom_types: tuple[str, ...] = (), **kwargs: Any) -> None:
        self.geom_types = geom_types
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.geom_types:
            kwargs["geom_types"] = self.geom_types
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> BaseGeometry | None:
        if value is None:
            return None
        return shapely.from_wkb(bytes(value))

    def to_python(self, value: Any) -> BaseGeometry | None:
        if value is None or isinstance(value, BaseGeometry):
            return value
        if isinstance(value, (bytes, memoryview)):
            return shapely.from_wkb(bytes(value))
        if isinstance(value, str):
            return shapely.from_wkt(value)
        raise ValidationError(_("Not a geometry."))

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, str):
            value = self.to_python(value)
        if isinstance(value, BaseGeometry):
            return shapely.to_wkb(value)
        return super().get_prep_value(value)

    def validate(self, value: Any, model_instance: Any) -> None:
        super().validate(value, model_instance)
        if value is None:
            return
        if self.geom_types and value.geom_type not in self.geom_types:
            raise ValidationError(
                _("Expected a %(expected)s, got a %(got)s.")
                % {"expected": " or ".join(self.geom_types), "got": value.geom_type}
            )
        if not value.is_valid:
            raise ValidationError(
                _("The geometry is not valid: %(reason)s")
                % {"reason": shapely.is_valid_reason(value)}
            )
