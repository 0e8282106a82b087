"""Uploaded files, read through their storage (a folder or an S3 bucket alike)."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import Http404


def open_or_404(stored: FieldFile) -> FieldFile:
    """The file opened for reading; 404 when it is lost from the storage (verify_audit
    reports such a file)."""
    try:
        return stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
