"""S1: what the sponsor portal keeps about a sponsor's access (see ``seance.portal``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from seance.photos.models import Sponsor


class PortalAccess(models.Model):
    """The sales-tracking access of one sponsor's contact person.

    Every link and every open portal session carries ``version``; revoking access raises it,
    so all of them stop working at once without a list of issued links to keep.
    """

    sponsor = models.OneToOneField(
        Sponsor, on_delete=models.CASCADE, related_name="portal_access", verbose_name=_("sponsor")
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    link_sent_at = models.DateTimeField(_("link last sent"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("access last revoked"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sales-tracking access")
        verbose_name_plural = _("sales-tracking accesses")

    def __str__(self):
        return f"{self.sponsor} v{self.version}"

    @property
    def is_revoked(self) -> bool:
        """Revoked and no link sent since: the contact has no way in until one is sent."""
        return self.revoked_at is not None and (
            self.link_sent_at is None or self.link_sent_at < self.revoked_at
        )
