from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommsConfig(AppConfig):
    name = "seance.comms"
    label = "comms"
    verbose_name = _("Communications")

    def ready(self):
        from seance.comms import jobs  # noqa: F401  (registers the outbox's tick job)
