"""Carts (Q6: one cart across the galleries of one organizer). Orders and payments follow."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from seance.core.models import MONEY, Organizer


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
    item = models.CharField(max_length=600)  # the kind's own reference
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


CANCEL_REASON_MAX_LENGTH = 1000
ORDER_CODE_LENGTH = 10  # ≈ 49 bits: short enough to read on the phone, not to guess


class OrderStatus(models.TextChoices):
    """Where an order is in its fulfilment; payment is separate (derived from payments)."""

    PLACED = "placed", _("New")
    IN_PRODUCTION = "in_production", _("At the lab")
    SHIPPED = "shipped", _("Shipped")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# O4: the states an order may move to from each state (cancelled and completed are final).
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    OrderStatus.PLACED: (OrderStatus.IN_PRODUCTION, OrderStatus.COMPLETED, OrderStatus.CANCELLED),
    OrderStatus.IN_PRODUCTION: (OrderStatus.SHIPPED, OrderStatus.COMPLETED, OrderStatus.CANCELLED),
    OrderStatus.SHIPPED: (OrderStatus.COMPLETED,),
    OrderStatus.COMPLETED: (),
    OrderStatus.CANCELLED: (),
}


class Order(models.Model):
    """O1: who bought what, when, for how much. Lines and totals are frozen when placed;
    whether it is paid is derived from its payments (X3), never stored as a flag."""

    organizer = models.ForeignKey(Organizer, on_delete=models.PROTECT, related_name="orders")
    code = models.CharField(_("order code"), max_length=20, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.PLACED
    )
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(_("language"), max_length=10)
    delivery_address = models.TextField(_("delivery address"), blank=True)
    pickup = models.BooleanField(_("pickup at school"), default=False)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    subtotal = models.DecimalField(_("subtotal"), **MONEY)
    discount = models.DecimalField(_("discount"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The orders panel pages through one organizer's orders, newest first (O3).
            models.Index(fields=["organizer", "-created_at", "-id"], name="order_panel_idx"),
            models.Index(fields=["organizer", "status"], name="order_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total__gte=0) & models.Q(discount__gte=0),
                name="order_amounts_not_negative",
            )
        ]

    def __str__(self):
        return self.code


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=30)
    item = models.CharField(max_length=600)
    description = models.CharField(max_length=300)
    source = models.CharField(max_length=300, blank=True)  # Q6: which child/gallery
    group = models.CharField(max_length=60, blank=True, db_index=True)
    category = models.CharField(max_length=20, blank=True)  # the kind's own (print, digital…)
    needs_delivery = models.BooleanField(default=False)  # something to post or collect
    delivers_files = models.BooleanField(default=False)  # download links once paid
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(**MONEY)
    subtotal = models.DecimalField(**MONEY)
    discount = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]

    def __str__(self):
        return f"{self.quantity} × {self.description}"


class PaymentState(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONFIRMED = "confirmed", _("Confirmed")
    FAILED = "failed", _("Failed")


class Payment(models.Model):
    """A payment of an order. A provider's reference is unique, so a replayed notification
    finds the payment it already recorded instead of counting it twice."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(_("payment method"), max_length=30)
    amount = models.DecimalField(_("amount"), **MONEY)
    state = models.CharField(
        _("state"), max_length=20, choices=PaymentState.choices, default=PaymentState.PENDING
    )
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "reference"],
                condition=~models.Q(reference=""),
                name="payment_unique_reference",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_positive"),
        ]

    def __str__(self):
        return f"{self.provider} {self.amount}"


class LabExport(models.Model):
    """O5/issue 6: one hand-off of orders to the lab (the ZIP staff downloaded). An order in
    an export is "sent to the lab"; exporting it again is possible and marked as such."""

    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="lab_exports")
    number = models.PositiveIntegerField(_("number"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    orders = models.ManyToManyField(Order, through="LabExportOrder", related_name="lab_exports")

    class Meta:
        verbose_name = _("lab export")
        verbose_name_plural = _("lab exports")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["organizer", "number"], name="labexport_number")
        ]

    def __str__(self):
        return f"#{self.number}"


class LabExportOrder(models.Model):
    export = models.ForeignKey(LabExport, on_delete=models.CASCADE)
    order = models.ForeignKey(Order, on_delete=models.PROTECT)
    again = models.BooleanField(default=False)  # the order was in an earlier export

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["export", "order"], name="labexportorder_unique")
        ]

    def __str__(self):
        return f"{self.order} in {self.export}"
