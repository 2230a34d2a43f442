"""The outbox: every email is stored, rendered, before it is sent, so that it can be retried
and is never sent twice."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from seance.core.models import Organizer, OrganizerQuerySet

SUBJECT_MAX_LENGTH = 300


class MessageState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    """One email, rendered in its recipient's language when it was queued.

    ``key`` is the caller's name for the occasion ("order:ABC123:placed"): its uniqueness is
    what keeps a replayed service, webhook or tick from emailing the same thing twice.
    """

    organizer = models.ForeignKey(
        Organizer, on_delete=models.CASCADE, related_name="messages", null=True
    )
    key = models.CharField(_("key"), max_length=200, unique=True)
    to = models.EmailField(_("to"))
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX_LENGTH)
    body = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=MessageState.choices, default=MessageState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When a worker last claimed it: the tick retries and gives up by this, not by age.
    attempted_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = OrganizerQuerySet.as_manager()

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self):
        return f"{self.key} → {self.to}"
