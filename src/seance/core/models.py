"""Organizers (the tenants), their staff and roles, and the audit log."""

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# X3: money is exact, two decimals, up to 99 billion; every amount field uses this.
MONEY = {"max_digits": 13, "decimal_places": 2}

CURRENCIES = [
    ("EUR", "EUR — euro"),
    ("PLN", "PLN — złoty"),
    ("BGN", "BGN — lev"),
    ("CHF", "CHF — franc"),
    ("GBP", "GBP — pound"),
    ("USD", "USD — dollar"),
    ("CAD", "CAD — dollar"),
]
TIMEZONES = [(tz, tz) for tz in sorted(zoneinfo.available_timezones()) if "/" in tz]


class UserManager(BaseUserManager):
    """Users log in with their email address; there is no separate user name."""

    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person who logs in: staff of one or more organizers, or a superuser."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language of the back office for you. Empty: your browser's."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    def __str__(self):
        return self.get_full_name() or self.email


class Organizer(models.Model):
    """A tenant: a studio or a venue. Every piece of business data belongs to one (X1)."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("short name"),
        max_length=50,
        unique=True,
        help_text=_(
            "Used in web addresses: lowercase letters without accents, digits and hyphens."
        ),
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default="EUR")
    timezone = models.CharField(
        _("time zone"), max_length=64, choices=TIMEZONES, default="Europe/Paris"
    )
    languages = models.JSONField(
        _("languages"),
        default=list,
        help_text=_("Languages offered to customers; the first is the default."),
    )
    cards_per_page = models.PositiveSmallIntegerField(
        _("QR cards per A4 sheet"), choices=[(2, "2"), (4, "4")], default=2
    )
    # Checkout (SPEC Q6 / issue 5): how customers may pay and receive prints.
    bank_transfer_details = models.TextField(
        _("bank transfer details"),
        blank=True,
        help_text=_(
            "Account holder, IBAN and BIC, shown to customers who choose to pay by bank "
            "transfer. Leave empty to not offer bank transfers."
        ),
    )
    pickup_allowed = models.BooleanField(
        _("prints may be collected at school"),
        default=False,
        help_text=_("Customers ordering prints may choose pickup instead of a delivery address."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organizer")
        verbose_name_plural = _("organizers")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def default_language(self) -> str:
        return self.languages[0] if self.languages else settings.LANGUAGE_CODE


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    ASSISTANT = "assistant", _("Assistant")


class Membership(models.Model):
    """A user's place in an organizer's team; the role decides what they may do."""

    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["organizer", "user"], name="membership_unique_user")
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.organizer})"

    def has_perm(self, perm: str) -> bool:
        from seance.core.permissions import role_has_perm

        return role_has_perm(self.role, perm)


class OrganizerQuerySet(models.QuerySet):
    """Every tenant-owned model's manager: ``Model.objects.for_organizer(org)``."""

    def for_organizer(self, organizer):
        return self.filter(organizer=organizer)


reference_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    _(
        "Use letters without accents, digits, dots, hyphens and underscores; "
        "start with a letter or a digit."
    ),
)


class LogEntry(models.Model):
    """One recorded change: who did what to which object, when, and what changed."""

    organizer = models.ForeignKey(
        Organizer, on_delete=models.CASCADE, related_name="log_entries", null=True
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    action = models.CharField(max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    def __str__(self):
        return f"{self.action} on {self.content_type.model} #{self.object_id}"
