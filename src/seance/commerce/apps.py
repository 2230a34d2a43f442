from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommerceConfig(AppConfig):
    name = "seance.commerce"
    label = "commerce"
    verbose_name = _("Commerce")

    def ready(self):
        from seance.commerce import jobs, stripe_checkout  # noqa: F401 - register themselves
