from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhotosConfig(AppConfig):
    name = "seance.photos"
    label = "photos"
    verbose_name = _("Photo sessions")

    def ready(self):
        from seance.photos import messaging, selling  # noqa: F401 - register themselves
