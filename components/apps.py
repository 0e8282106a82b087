from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComponentsConfig(AppConfig):
    name = "components"
    verbose_name = _("Component inventory (部件)")

    def ready(self) -> None:
        from components.placing import on_territory_replaced
        from geo.signals import territory_replaced

        territory_replaced.connect(on_territory_replaced, dispatch_uid="components.place_all")
