from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MobileConfig(AppConfig):
    name = "intake.mobile"
    label = "mobile"
    verbose_name = _("Inspector app (城管通)")
