"""Open311 GeoReport v2 under /open311/v2/, mapped onto the catalogue and cases."""
