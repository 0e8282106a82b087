"""The partner API under /api/v1/partners/ (intake/partners)."""

from ninja import Router

router = Router(tags=["partners"])
