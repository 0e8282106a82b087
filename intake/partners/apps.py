from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "intake.partners"
    label = "partners"
    verbose_name = _("Partner systems (联动系统)")

    def ready(self) -> None:
        from cases.models import Case
        from cases.signals import case_changed
        from intake.partners.outbox import on_case_changed

        case_changed.connect(on_case_changed, sender=Case, dispatch_uid="partners-outbox")
