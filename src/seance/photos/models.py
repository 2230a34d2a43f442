"""Sponsors, segments and photo sessions (SPEC P1–P10)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from seance.core.models import MONEY, Organizer, OrganizerQuerySet, reference_validator
from seance.photos.codes import display


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
    language = models.CharField(
        _("language for families"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Of the QR cards and the agreement. Empty: the organizer's first language."),
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
    # P9: the messages families get around the sale.
    plan = models.ForeignKey(
        "comms.Plan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("communication plan"),
    )
    on_sale_since = models.DateTimeField(null=True, blank=True, editable=False)
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

    @property
    def family_language(self) -> str:
        """The language of everything families get from this session (cards, agreement)."""
        return self.language or self.organizer.default_language


class AccessCodeStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    VOID = "void", _("Void")


class AccessCode(models.Model):
    """Q5: the secret that opens one gallery (individual) or a whole session (shared).

    Codes are unique across the installation, because the card link ``/g/<code>`` names no
    organizer, and they are never deleted, so a code once given out is never given again.
    """

    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="access_codes")
    code = models.CharField(_("access code"), max_length=20, unique=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AccessCodeStatus.choices,
        default=AccessCodeStatus.ACTIVE,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizerQuerySet.as_manager()

    class Meta:
        verbose_name = _("access code")
        verbose_name_plural = _("access codes")

    def __str__(self):
        return display(self.code)


class QrCard(models.Model):
    """Q1: a printed card, photographed before its pupil (Q3) and taken home by the family.

    Its number is printed on both parts, so the signed agreement the photographer keeps
    matches the card the family keeps.
    """

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="cards")
    access_code = models.OneToOneField(AccessCode, on_delete=models.PROTECT, related_name="card")
    number = models.PositiveIntegerField(_("card number"))
    # From a names list (roster): printed on the card, carried by the gallery.
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    class_name = models.CharField(_("class"), max_length=50, blank=True)
    parent_email = models.EmailField(_("parent's email"), blank=True)
    printed_at = models.DateTimeField(_("printed"), null=True, blank=True)
    photographed_at = models.DateTimeField(_("photographed"), null=True, blank=True)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("QR card")
        verbose_name_plural = _("QR cards")
        ordering = ["session", "number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="qrcard_unique_number")
        ]

    def __str__(self):
        return f"{self.session.reference} #{self.number}"

    @property
    def subject_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def is_void(self) -> bool:
        return self.access_code.status == AccessCodeStatus.VOID


class Agreement(models.Model):
    """The image-rights and privacy agreement, per organizer and language, versioned (Q1, Q2).

    Editing it makes a new version; a consent always points to the version the parent saw.
    """

    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="agreements")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("agreement text"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["organizer", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organizer", "language", "version"], name="agreement_unique_version"
            )
        ]

    def __str__(self):
        return f"{self.organizer} {self.language} v{self.version}"


class PreRegistration(models.Model):
    """Q2: what a parent left online for a card before shooting day, with their consent."""

    card = models.OneToOneField(QrCard, on_delete=models.CASCADE, related_name="pre_registration")
    child_first_name = models.CharField(_("child's first name"), max_length=100)
    child_last_name = models.CharField(_("child's last name"), max_length=100)
    class_name = models.CharField(_("class"), max_length=50, blank=True)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="+")
    consented_at = models.DateTimeField(_("consent given"))
    reminders = models.BooleanField(
        _("reminders accepted"), default=False
    )  # deadlines and offers by email/SMS; "photos online" is sent regardless
    language = models.CharField(max_length=10, choices=settings.LANGUAGES)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pre-registration")
        verbose_name_plural = _("pre-registrations")

    def __str__(self):
        return f"{self.child_first_name} {self.child_last_name}"


class NotifyRequest(models.Model):
    """P5: an address left while a session is planned, to be told when it goes online."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="notify_requests")
    email = models.EmailField(_("email"))
    language = models.CharField(max_length=10, choices=settings.LANGUAGES)
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification request")
        verbose_name_plural = _("notification requests")
        constraints = [
            models.UniqueConstraint(fields=["session", "email"], name="notifyrequest_unique_email")
        ]

    def __str__(self):
        return self.email


class Album(models.Model):
    """P12: a folder of a session's photos, usually a class or "Individual photos"."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="albums")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("album")
        verbose_name_plural = _("albums")
        ordering = ["session", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "name"], name="album_unique_name")
        ]

    def __str__(self):
        return self.name


class Gallery(models.Model):
    """P14: the private gallery of one person (individual access) or of everyone (shared),
    opened by its access code."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="galleries")
    access_code = models.OneToOneField(AccessCode, on_delete=models.PROTECT, related_name="gallery")
    album = models.ForeignKey(
        Album, on_delete=models.SET_NULL, null=True, blank=True, related_name="galleries"
    )
    card = models.OneToOneField(
        QrCard, on_delete=models.SET_NULL, null=True, blank=True, related_name="gallery"
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    class_name = models.CharField(_("class"), max_length=50, blank=True)
    activated_at = models.DateTimeField(_("activated"), auto_now_add=True)

    class Meta:
        verbose_name = _("gallery")
        verbose_name_plural = _("galleries")
        ordering = ["session", "id"]

    def __str__(self):
        return self.name or str(self.access_code)


class Photo(models.Model):
    """One imported file: the original (private), a watermarked preview and thumbnail."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="photos")
    album = models.ForeignKey(Album, on_delete=models.PROTECT, related_name="photos")
    gallery = models.ForeignKey(
        Gallery, on_delete=models.SET_NULL, null=True, blank=True, related_name="photos"
    )
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    original = models.CharField(max_length=255)  # path in the private storage
    preview = models.CharField(max_length=255)
    thumbnail = models.CharField(max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveBigIntegerField()
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    import_order = models.PositiveBigIntegerField(_("import order"))
    # P14: what the QR reader found: one of our cards' codes, or some other QR code.
    card_code = models.CharField(max_length=20, blank=True, db_index=True)
    foreign_qr = models.BooleanField(default=False)
    is_group = models.BooleanField(_("group photo"), default=False)
    # P13: staff put it where it is (or out of any gallery); activation leaves it alone.
    placed_by_hand = models.BooleanField(default=False)
    warnings = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["session", "taken_at", "import_order"]
        constraints = [
            # Re-importing the same file changes nothing (P11, P12).
            models.UniqueConstraint(fields=["session", "sha256"], name="photo_unique_content")
        ]
        indexes = [models.Index(fields=["session", "album", "taken_at", "import_order"])]

    def __str__(self):
        return self.original_name

    @property
    def is_card(self) -> bool:
        return bool(self.card_code)

    @property
    def digest(self) -> str:
        """How public links name the photo: part of its content hash, never its id."""
        return self.sha256[:20]


class FtpAccount(models.Model):
    """P11: an organizer's FTP login for photo import; it sees ``_jobs/<reference>/<album>/``."""

    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="ftp_accounts")
    username = models.CharField(_("user name"), max_length=60, unique=True)
    password = models.CharField(max_length=128)  # Django password hash
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizerQuerySet.as_manager()

    class Meta:
        verbose_name = _("FTP account")
        verbose_name_plural = _("FTP accounts")

    def __str__(self):
        return self.username


class GalleryRegistration(models.Model):
    """P5: who opened a gallery of a session with registration on: name, email, consent."""

    gallery = models.ForeignKey(Gallery, on_delete=models.CASCADE, related_name="registrations")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="+")
    consented_at = models.DateTimeField(_("consent given"))
    reminders = models.BooleanField(
        _("reminders accepted"), default=False
    )  # deadlines and offers by email/SMS; "photos online" is sent regardless
    language = models.CharField(max_length=10, choices=settings.LANGUAGES)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("gallery registration")
        verbose_name_plural = _("gallery registrations")
        constraints = [
            models.UniqueConstraint(fields=["gallery", "email"], name="galleryregistration_unique")
        ]

    def __str__(self):
        return self.email
