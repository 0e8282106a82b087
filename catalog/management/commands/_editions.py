"""The --edition option of the filing-standard commands: an edition code, the current one if
omitted."""

from django.core.management.base import CommandError

from catalog.models import Edition


def edition_named(code: str | None) -> Edition:
    editions = Edition.objects.all()
    edition = (
        editions.filter(code=code).first() if code else editions.filter(is_current=True).first()
    )
    if edition is None:
        known = ", ".join(editions.values_list("code", flat=True)) or "none: run load_catalog"
        raise CommandError(f"no edition {code or '(current)'}; known editions: {known}")
    return edition
