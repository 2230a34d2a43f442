"""Carts (Q6: one cart across the galleries of one organizer). Orders and payments follow."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from seance.core.models import Organizer


class Cart(models.Model):
    """A customer's cart, known by a random token kept in their browser session."""

    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="carts")
    token = models.CharField(max_length=43, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")

    def __str__(self):
        return f"cart {self.pk}"


class CartLine(models.Model):
    """One thing in a cart, priced afresh from its kind each time the cart is shown."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=30)
    item = models.CharField(max_length=200)  # the kind's own reference
    quantity = models.PositiveIntegerField(default=1)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "kind", "item"], name="cartline_unique_item")
        ]

    def __str__(self):
        return f"{self.quantity} × {self.kind}:{self.item}"
