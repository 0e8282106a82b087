from django.apps import AppConfig


class ConsolesConfig(AppConfig):
    """The desks of every post, the case and component pages, the map workbench: on top of
    every other app, and imported by none."""

    name = "consoles"
    verbose_name = "Consoles"
