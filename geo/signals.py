"""What the geography tells other apps."""

from django.dispatch import Signal

# Sent inside a territory import's transaction once the new grids are written, with the new
# `revision` (geo.models.GeoRevision). Receivers re-derive what they place by position
# (components' grid, community and street), so the import stays all-or-nothing.
territory_replaced = Signal()
