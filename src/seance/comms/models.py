"""The outbox (every message is stored, rendered, before it is sent, so that it can be
retried and is never sent twice) and the communication plans that fill it (P9)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from seance.core.models import Organizer, OrganizerQuerySet

SUBJECT_MAX_LENGTH = 300


class MessageState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")  # a plan's message found due too late to make sense


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class Message(models.Model):
    """One email, rendered in its recipient's language when it was queued.

    ``key`` is the caller's name for the occasion ("order:ABC123:placed"): its uniqueness is
    what keeps a replayed service, webhook or tick from emailing the same thing twice.
    """

    organizer = models.ForeignKey(
        Organizer, on_delete=models.CASCADE, related_name="messages", null=True
    )
    key = models.CharField(_("key"), max_length=200, unique=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    to = models.CharField(_("to"), max_length=254)  # an email address, or a phone number
    qr = models.CharField(max_length=300, blank=True)  # a QR code's text, attached as image
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


class Trigger(models.TextChoices):
    """What a plan's rule counts its days from (P9)."""

    ON_SALE = "on_sale", _("Session on sale")
    GALLERY_PUBLISHED = "gallery_published", _("Gallery published")
    DISCOUNT_ENDS = "discount_ends", _("Discount ends")
    ARCHIVE = "archive", _("Archive date")


class Template(models.Model):
    """A message organizers write once and plans reuse, in each language they offer."""

    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="templates")
    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    with_qr = models.BooleanField(
        _("attach the QR code"),
        default=False,
        help_text=_("Emails only: the family's card QR code as an image, to scan at home."),
    )

    objects = OrganizerQuerySet.as_manager()

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint("organizer", Lower("name"), name="template_unique_name_ci")
        ]

    def __str__(self):
        return self.name


class TemplateText(models.Model):
    """A template's words in one language; placeholders as ``{{ child_name }}``."""

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX_LENGTH, blank=True)
    body = models.TextField(_("text"))

    class Meta:
        verbose_name = _("template text")
        verbose_name_plural = _("template texts")
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(fields=["template", "language"], name="templatetext_unique")
        ]

    def __str__(self):
        return f"{self.template} ({self.language})"


class Plan(models.Model):
    """P9: reusable rules "trigger ± N days at HH:MM → email or SMS with a template"."""

    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="plans")
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizerQuerySet.as_manager()

    class Meta:
        verbose_name = _("communication plan")
        verbose_name_plural = _("communication plans")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint("organizer", Lower("name"), name="plan_unique_name_ci")
        ]

    def __str__(self):
        return self.name


class Rule(models.Model):
    """One message of a plan: when (``trigger`` + ``offset_days``, at ``at_time`` in the
    organizer's time zone, or at the trigger's own time when empty), how, and to whom."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rules")
    trigger = models.CharField(_("trigger"), max_length=30, choices=Trigger.choices)
    offset_days = models.SmallIntegerField(
        _("days after (negative: before)"),
        default=0,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    at_time = models.TimeField(
        _("at"),
        null=True,
        blank=True,
        help_text=_("Local time. Empty: at the moment of the trigger (plus the days)."),
    )
    template = models.ForeignKey(
        Template, on_delete=models.PROTECT, related_name="rules", verbose_name=_("template")
    )
    only_without_order = models.BooleanField(
        _("only if no order yet"),
        default=False,
        help_text=_("Skip families who already ordered from this gallery."),
    )

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["trigger", "offset_days", "at_time", "id"]

    def __str__(self):
        return f"{self.get_trigger_display()} {self.offset_days:+d} → {self.template}"

    @property
    def is_reminder(self) -> bool:
        """Marketing, in consent terms: anything but "your photos are online" at the moment
        they are. Families who did not accept reminders get only the latter."""
        return not (
            self.trigger in (Trigger.ON_SALE, Trigger.GALLERY_PUBLISHED) and self.offset_days == 0
        )


class Unsubscribe(models.Model):
    """An address (or phone) that asked to receive no more plan messages from an organizer.
    Order emails (confirmation, payment, downloads) still go: the customer asked for them."""

    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="+")
    address = models.CharField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organizer", "address"], name="unsubscribe_unique")
        ]

    def __str__(self):
        return self.address
