"""The staff's order pages (O1, O4, O7): the list, one order, confirming a payment.

A first step of the orders panel: the tiles, combined filters, bulk actions and exports of
O2–O5 grow from the list's queryset and its ``todo`` filter.
"""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from seance.backoffice.views.base import paginate, staff_view
from seance.commerce import providers, queries, services
from seance.commerce.errors import CommerceError
from seance.commerce.models import Order, Payment, PaymentState
from seance.core import permissions as perms
from seance.core.audit import entries_for
from seance.core.models import MONEY
from seance.core.templatetags.seance import money


class OrderFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label=gettext_lazy("Search"),
        widget=forms.SearchInput(attrs={"placeholder": gettext_lazy("Order code, name or email")}),
    )
    todo = forms.ChoiceField(
        required=False,
        choices=[
            ("", gettext_lazy("All orders")),
            (queries.TO_CONFIRM, gettext_lazy("Payments to confirm")),
        ],
    )

    def apply(self, orders):
        """The valid filters on ``orders``; a broken one is ignored, not fatal to the list."""
        if not self.is_bound or (not self.is_valid() and not hasattr(self, "cleaned_data")):
            return orders
        data = self.cleaned_data
        if q := (data.get("q") or "").strip():
            orders = orders.filter(
                Q(code__icontains=q) | Q(name__icontains=q) | Q(email__icontains=q)
            )
        if data.get("todo") == queries.TO_CONFIRM:
            orders = orders.filter(to_confirm__gt=0)
        return orders


class ConfirmPaymentForm(forms.Form):
    """O4: the amount that arrived; the expected one is proposed and may be changed."""

    amount = forms.DecimalField(
        label=gettext_lazy("Amount received"),
        min_value=Decimal("0.01"),
        max_digits=MONEY["max_digits"],
        decimal_places=MONEY["decimal_places"],
        widget=forms.NumberInput(attrs={"min": "0.01", "step": "0.01"}),
    )

    def __init__(self, *args, payment: Payment, **kwargs):
        kwargs.setdefault("initial", {"amount": payment.amount})
        kwargs.setdefault("prefix", f"payment-{payment.pk}")
        super().__init__(*args, **kwargs)
        self.payment = payment

    def clean_amount(self) -> Decimal:
        return self.cleaned_data["amount"].quantize(Decimal("0.01"))  # "20" is 20.00


def _language_name(code: str) -> str:
    try:
        return translation.get_language_info(code)["name_translated"]
    except KeyError:
        return code


def _method_label(name: str) -> str:
    try:
        return str(providers.get(name).label)
    except CommerceError:  # a method no longer offered: its name is all there is
        return name


@staff_view(perms.MANAGE_PAYMENTS)
def order_list(request):
    filters = OrderFilterForm(request.GET or None)
    orders = filters.apply(queries.orders_for(request.organizer))
    return render(
        request,
        "backoffice/orders/list.html",
        {
            "filters": filters,
            "page": paginate(request, orders),
            "to_confirm_count": queries.payments_to_confirm_count(request.organizer),
        },
    )


def _render_detail(request, order: Order, *, bound: ConfirmPaymentForm | None = None):
    payments = list(order.payments.all())
    for payment in payments:
        payment.method_label = _method_label(payment.provider)
        if payment.state == PaymentState.PENDING:
            payment.confirm_form = (
                bound if bound is not None and bound.payment.pk == payment.pk else None
            ) or ConfirmPaymentForm(payment=payment)
    return render(
        request,
        "backoffice/orders/detail.html",
        {
            "order": order,
            "language": _language_name(order.language),
            "lines": order.lines.all(),
            "payments": payments,
            "remaining": max(order.total - order.paid, Decimal("0.00")),
            "overpaid": max(order.paid - order.total, Decimal("0.00")),
            "log": entries_for(order)[:100],
        },
    )


@staff_view(perms.MANAGE_PAYMENTS)
def order_detail(request, order):
    return _render_detail(
        request, get_object_or_404(queries.orders_for(request.organizer), pk=order)
    )


@staff_view(perms.MANAGE_PAYMENTS)
@require_POST
def payment_confirm(request, order, payment):
    """O4: staff saw the money arrive. Confirmed once: a double click or a colleague who
    was quicker gets a message, and the amount first confirmed stays."""
    payment = get_object_or_404(
        Payment.objects.select_related("order").filter(
            order__organizer=request.organizer, order=order
        ),
        pk=payment,
    )
    form = ConfirmPaymentForm(request.POST, payment=payment)
    if not form.is_valid():
        order = queries.orders_for(request.organizer).get(pk=payment.order_id)
        return _render_detail(request, order, bound=form)
    try:
        payment = services.confirm_payment(
            payment, user=request.user, amount=form.cleaned_data["amount"]
        )
    except CommerceError as e:  # already confirmed: a double click, or a quicker colleague
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            _("Payment of %(amount)s confirmed.")
            % {"amount": money(payment.amount, request.organizer.currency)},
        )
    return redirect("backoffice:order_detail", order=payment.order_id)
