"""Sponsors, segments and photo sessions (SPEC P1–P10)."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from seance.core.models import Organizer, OrganizerQuerySet, reference_validator

MONEY = {"max_digits": 13, "decimal_places": 2}


class Sponsor(models.Model):
    """P2: the party who ordered and is billed for sessions (a school, a club)."""

    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="sponsors")
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    may_see_sales = models.BooleanField(
        _("may see sales tracking"),
        default=False,
        help_text=_("The contact person may follow the sales of this sponsor's sessions."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizerQuerySet.as_manager()

    class Meta:
        verbose_name = _("sponsor")
        verbose_name_plural = _("sponsors")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class Segment(models.Model):
    """P3: a kind of session (primary school, prom…).

    A new session copies the settings of the latest session of its segment.
    """

    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="segments")
    name = models.CharField(_("name"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizerQuerySet.as_manager()

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint("organizer", Lower("name"), name="segment_unique_name_ci")
        ]

    def __str__(self):
        return self.name


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ON_SALE = "on_sale", _("On sale")
    ARCHIVED = "archived", _("Archived")


class AccessType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual — one code per person")
    SHARED = "shared", _("Shared — one code for everyone")


class CodeSource(models.TextChoices):
    """P4: where the individual access codes come from."""

    QR_CARDS = "qr_cards", _("QR cards photographed before each person")
    MANUAL = "manual", _("Created by hand after the import")


class Registration(models.TextChoices):
    MANDATORY = "mandatory", _("Mandatory")
    OPTIONAL = "optional", _("Optional")
    OFF = "off", _("Off")


class DiscountKind(models.TextChoices):
    NONE = "none", _("No discount")
    PERCENT = "percent", _("Percent off")
    AMOUNT = "amount", _("Amount off")


class WatermarkKind(models.TextChoices):
    TEXT = "text", _("Text")
    IMAGE = "image", _("Image")
    NONE = "none", _("None")


class WatermarkPosition(models.TextChoices):
    TILED = "tiled", _("Tiled across the photo")
    CENTER = "center", _("Center")
    BOTTOM_RIGHT = "bottom_right", _("Bottom right")
    BOTTOM_LEFT = "bottom_left", _("Bottom left")
    TOP_RIGHT = "top_right", _("Top right")
    TOP_LEFT = "top_left", _("Top left")


class SessionQuerySet(OrganizerQuerySet):
    def with_relations(self):
        return self.select_related("sponsor", "segment", "price_profile")


class Session(models.Model):
    """P1: one photo shoot — a school class, a whole school, a prom."""

    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="sessions")
    # P1: the fields parents and the studio see.
    name = models.CharField(
        _("name"),
        max_length=200,
        help_text=_("Shown to parents, e.g. “Collège Jean Moulin — 6e”."),
    )
    shooting_date = models.DateField(_("shooting date"))
    segment = models.ForeignKey(
        Segment, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("segment")
    )
    expected_subjects = models.PositiveIntegerField(
        _("expected subjects"),
        default=0,
        help_text=_("About how many people will be photographed."),
    )
    reference = models.CharField(
        _("session reference"),
        max_length=50,
        validators=[reference_validator],
        help_text=_("Your own code for this session; used in import folders and lab exports."),
    )
    sponsor = models.ForeignKey(
        Sponsor, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("sponsor")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )

    # P4, P5: the settings that decide how families get in.
    access_type = models.CharField(
        _("access type"), max_length=20, choices=AccessType.choices, default=AccessType.INDIVIDUAL
    )
    code_source = models.CharField(
        _("individual codes"),
        max_length=20,
        choices=CodeSource.choices,
        default=CodeSource.QR_CARDS,
        help_text=_("For individual access only."),
    )
    registration = models.CharField(
        _("registration"), max_length=20, choices=Registration.choices, default=Registration.OFF
    )
    # P7
    price_profile = models.ForeignKey(
        "catalog.PriceProfile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("price profile"),
    )
    # P8: milestones.
    discount_kind = models.CharField(
        _("discount"), max_length=10, choices=DiscountKind.choices, default=DiscountKind.NONE
    )
    discount_value = models.DecimalField(_("discount value"), null=True, blank=True, **MONEY)
    discount_until = models.DateField(_("discount until"), null=True, blank=True)
    archive_on = models.DateField(_("archive date"), null=True, blank=True)
    # P10: watermark on every preview shown before purchase.
    watermark_kind = models.CharField(
        _("watermark"), max_length=10, choices=WatermarkKind.choices, default=WatermarkKind.TEXT
    )
    watermark_text = models.CharField(_("watermark text"), max_length=100, blank=True)
    watermark_image = models.ImageField(_("watermark image"), upload_to="watermarks/", blank=True)
    watermark_position = models.CharField(
        _("watermark position"),
        max_length=20,
        choices=WatermarkPosition.choices,
        default=WatermarkPosition.TILED,
    )
    watermark_opacity = models.PositiveSmallIntegerField(
        _("watermark opacity (%)"),
        default=35,
        validators=[MinValueValidator(5), MaxValueValidator(100)],
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-shooting_date", "-id"]
        constraints = [
            # Case-insensitive: "cjm-6e" and "CJM-6E" would be one folder on many file systems.
            models.UniqueConstraint(
                "organizer", Lower("reference"), name="session_unique_reference_ci"
            ),
            models.CheckConstraint(
                condition=models.Q(discount_value__isnull=True) | models.Q(discount_value__gte=0),
                name="session_discount_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["organizer", "status", "-shooting_date"]),
        ]

    def __str__(self):
        return f"{self.name} ({self.reference})"

    def clean(self):
        """P8 and P10: the settings must make sense together."""
        errors: dict[str, list] = {}
        if self.discount_kind != DiscountKind.NONE:
            if self.discount_value is None or self.discount_value <= 0:
                errors.setdefault("discount_value", []).append(
                    _("Give the discount a value above zero.")
                )
            elif self.discount_kind == DiscountKind.PERCENT and self.discount_value > 100:
                errors.setdefault("discount_value", []).append(
                    _("A percentage cannot be above 100.")
                )
            if self.discount_until is None:
                errors.setdefault("discount_until", []).append(
                    _("Say until when the discount runs.")
                )
        elif self.discount_value is not None and self.discount_value < 0:
            errors.setdefault("discount_value", []).append(_("A value cannot be negative."))
        if (
            self.discount_kind != DiscountKind.NONE
            and self.discount_until
            and self.shooting_date
            and self.discount_until < self.shooting_date
        ):
            errors.setdefault("discount_until", []).append(
                _("The discount cannot end before the shooting date.")
            )
        if self.archive_on and self.shooting_date and self.archive_on <= self.shooting_date:
            errors.setdefault("archive_on", []).append(
                _("The archive date must come after the shooting date.")
            )
        if (
            self.discount_kind != DiscountKind.NONE
            and self.discount_until
            and self.archive_on
            and self.discount_until > self.archive_on
        ):
            errors.setdefault("discount_until", []).append(
                _("The discount cannot run past the archive date.")
            )
        if self.watermark_kind == WatermarkKind.TEXT and not self.watermark_text.strip():
            errors.setdefault("watermark_text", []).append(_("Type the watermark text."))
        if self.watermark_kind == WatermarkKind.IMAGE and not self.watermark_image:
            errors.setdefault("watermark_image", []).append(_("Upload the watermark image."))
        if errors:
            raise ValidationError(errors)
