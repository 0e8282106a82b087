"""Template tags of the portal's pages."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def hotline() -> str:
    """The district's urban-management hotline (PORTAL_HOTLINE), for citizens in a hurry."""
    return str(settings.PORTAL_HOTLINE)
