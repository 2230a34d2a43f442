"""Price profiles and the photo products they sell (SPEC P7)."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from seance.core.models import MONEY, Organizer, OrganizerQuerySet


class PriceProfile(models.Model):
    """A reusable catalog with prices; its name is internal, customers never see it."""

    organizer = models.ForeignKey(
        Organizer, on_delete=models.CASCADE, related_name="price_profiles"
    )
    name = models.CharField(
        _("name"), max_length=200, help_text=_("Internal; customers never see it.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizerQuerySet.as_manager()

    class Meta:
        verbose_name = _("price profile")
        verbose_name_plural = _("price profiles")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint("organizer", Lower("name"), name="priceprofile_unique_name_ci")
        ]

    def __str__(self):
        return self.name


class ProductKind(models.TextChoices):
    PRINT = "print", _("Print")
    DIGITAL = "digital", _("Digital file")
    PACKAGE = "package", _("Package")


class ProductQuerySet(models.QuerySet):
    def for_organizer(self, organizer):
        return self.filter(profile__organizer=organizer)


class Product(models.Model):
    """One thing a customer can buy from a photo: a print size, a file, a package of several."""

    profile = models.ForeignKey(PriceProfile, on_delete=models.CASCADE, related_name="products")
    kind = models.CharField(_("kind"), max_length=10, choices=ProductKind.choices)
    name = models.CharField(_("name"), max_length=200, help_text=_("Shown to customers."))
    price = models.DecimalField(
        _("price"), validators=[MinValueValidator(Decimal("0.00"))], **MONEY
    )
    # Prints: the paper size, which the lab export crops to.
    width_cm = models.DecimalField(
        _("width (cm)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    height_cm = models.DecimalField(
        _("height (cm)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("on sale"), default=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="product_price_not_negative"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def organizer(self):
        return self.profile.organizer

    @property
    def size_label(self) -> str:
        if self.width_cm and self.height_cm:
            return f"{self.width_cm.normalize():f} × {self.height_cm.normalize():f} cm"
        return ""


class PackageItem(models.Model):
    """A package holds a number of other products; the customer picks a photo for each."""

    package = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = models.PositiveIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("package item")
        verbose_name_plural = _("package items")
        ordering = ["id"]

    def __str__(self):
        return f"{self.quantity} × {self.product}"
