from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "intake.partners"
    label = "partners"
    verbose_name = _("Partner systems (联动系统)")
