"""The staff's order pages (O1, O4, O7): the list, one order, confirming a payment.

A first step of the orders panel: the tiles, combined filters, bulk actions and exports of
O2–O5 grow from the list's queryset and its ``todo`` filter.
"""

import datetime as dt
import zoneinfo
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from seance.backoffice.forms import DateInput
from seance.backoffice.views.base import paginate, staff_view
from seance.backoffice.views.order_actions import order_page_extras
from seance.catalog.models import ProductKind
from seance.commerce import kinds, providers, queries, services
from seance.commerce.errors import CommerceError
from seance.commerce.models import (
    CANCEL_REASON_MAX_LENGTH,
    NEXT_STATUSES,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentState,
)
from seance.comms import schedule
from seance.core import permissions as perms
from seance.core.audit import entries_for
from seance.core.exports import csv_response, csv_rows, safe_arcname, zip_response
from seance.core.models import MONEY, Organizer
from seance.core.templatetags.seance import money
from seance.photos import lab, selling
from seance.photos.models import Session, Sponsor


class OrderFilterForm(forms.Form):
    """O3: filters that combine freely; they live in the URL (shareable, back-button safe)."""

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
            (queries.TO_LAB, gettext_lazy("To send to the lab")),
            (queries.FILES_TO_SEND, gettext_lazy("Files to send")),
        ],
    )
    status = forms.ChoiceField(
        required=False, choices=[("", gettext_lazy("All statuses")), *OrderStatus.choices]
    )
    payment = forms.ChoiceField(
        required=False,
        choices=[
            ("", gettext_lazy("Any payment")),
            (queries.PAID, gettext_lazy("Paid")),
            (queries.PARTLY_PAID, gettext_lazy("Partly paid")),
            (queries.AWAITING, gettext_lazy("Awaiting payment")),
        ],
    )
    session = forms.ModelChoiceField(
        required=False, queryset=Session.objects.none(), empty_label=gettext_lazy("All sessions")
    )
    sponsor = forms.ModelChoiceField(
        required=False, queryset=Sponsor.objects.none(), empty_label=gettext_lazy("All sponsors")
    )
    kind = forms.ChoiceField(
        required=False, choices=[("", gettext_lazy("Any product")), *ProductKind.choices]
    )
    date_from = forms.DateField(required=False, label=gettext_lazy("From"), widget=DateInput())
    date_to = forms.DateField(required=False, label=gettext_lazy("Until"), widget=DateInput())
    amount_min = forms.DecimalField(
        required=False,
        label=gettext_lazy("Total from"),
        min_value=0,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "class": "amount"}),
    )
    amount_max = forms.DecimalField(
        required=False,
        label=gettext_lazy("to"),
        min_value=0,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "class": "amount"}),
    )

    def __init__(self, *args, organizer: Organizer, **kwargs):
        super().__init__(*args, **kwargs)
        self.organizer = organizer
        self.fields["session"].queryset = Session.objects.for_organizer(organizer).order_by(
            "-shooting_date", "name"
        )
        self.fields["sponsor"].queryset = Sponsor.objects.for_organizer(organizer)

    def apply(self, orders):
        """The valid filters on ``orders``; a broken one is ignored, not fatal to the list."""
        if not self.is_bound or (not self.is_valid() and not hasattr(self, "cleaned_data")):
            return orders
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        if q := data.get("q", "").strip():
            orders = orders.filter(
                Q(code__icontains=q) | Q(name__icontains=q) | Q(email__icontains=q)
            )
        if "todo" in data:
            orders = queries.todo(orders, data["todo"])
        if "status" in data:
            orders = orders.filter(status=data["status"])
        if "payment" in data:
            orders = queries.with_payment_state(orders, data["payment"])
        if "session" in data:
            orders = queries.with_line(orders, group=selling.group_of(data["session"]))
        if "sponsor" in data:
            sessions = Session.objects.for_organizer(self.organizer).filter(sponsor=data["sponsor"])
            groups = [selling.group_of(s) for s in sessions.only("pk")]
            orders = queries.with_line(orders, group__in=groups)
        if "kind" in data:
            orders = queries.with_line(orders, category=data["kind"])
        zone = self.organizer.timezone
        if "date_from" in data:
            day_before = data["date_from"] - dt.timedelta(days=1)
            orders = orders.filter(created_at__gte=schedule.end_of(day_before, zone))
        if "date_to" in data:
            orders = orders.filter(created_at__lt=schedule.end_of(data["date_to"], zone))
        if "amount_min" in data:
            orders = orders.filter(total__gte=data["amount_min"])
        if "amount_max" in data:
            orders = orders.filter(total__lte=data["amount_max"])
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


def filtered_orders(request, params):
    """The organizer's orders under the list's filters (from the URL's query string)."""
    filters = OrderFilterForm(params or None, organizer=request.organizer)
    return filters, filters.apply(queries.orders_for(request.organizer))


@staff_view(perms.MANAGE_PAYMENTS)
def order_list(request):
    """O2, O3: the tiles, the filters, the orders (selectable for O4's bulk actions)."""
    filters, orders = filtered_orders(request, request.GET)
    # Page through ids, then compute what is paid for this page's 50 orders only: a deep
    # page must not compute it for every order the OFFSET skips (bench/orders.py).
    page = paginate(request, orders.values_list("pk", flat=True))
    ids = list(page.object_list)
    shown = queries.orders_for(request.organizer).in_bulk(ids)
    page.object_list = [shown[pk] for pk in ids]
    return render(
        request,
        "backoffice/orders/list.html",
        {
            "filters": filters,
            "page": page,
            "tiles": queries.todo_counts(request.organizer),
            "query": request.GET.urlencode(),
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
            **order_page_extras(request, order),
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


# --- O4, O5: bulk actions and exports on selected (or all filtered) orders -----------------

BULK_ACTIONS = ("confirm", "status", "lab")


def _selection(request) -> tuple[list[Order], list[str], str]:
    """The orders ticked on the list (only this organizer's: a foreign or unknown id is
    reported, never acted on), or every filtered order when none is ticked (exports only);
    the refused ids; the list's query string to go back to."""
    query = request.POST.get("query", "")
    ids = request.POST.getlist("order")
    wanted = {int(i) for i in ids if i.isdigit()}
    orders = list(
        queries.orders_for(request.organizer)
        .filter(pk__in=wanted)
        .prefetch_related("lines", "lab_exports")
    )
    refused = sorted(str(i) for i in set(ids) - {str(o.pk) for o in orders})
    return orders, refused, query


def _back(query: str):
    return redirect(
        f"{reverse('backoffice:order_list')}?{query}" if query else "backoffice:order_list"
    )


@staff_view(perms.MANAGE_PAYMENTS)
@require_POST
def order_bulk(request):
    """O4: what a bulk action will do, order by order, and (once confirmed) doing it.
    Orders the action does not apply to are listed with the reason, never skipped silently."""
    action = request.POST.get("action", "")
    orders, refused, query = _selection(request)
    if action not in BULK_ACTIONS:
        messages.error(request, _("Choose an action."))
        return _back(query)
    if not orders:
        messages.error(request, _("Tick the orders first."))
        return _back(query)
    rows = [_bulk_row(action, order, request) for order in orders]
    if request.POST.get("apply") and action != "lab":
        return _apply_bulk(request, action, rows, query)
    return render(
        request,
        "backoffice/orders/bulk.html",
        {
            "action": action,
            "rows": rows,
            "allowed": [r for r in rows if r["allowed"]],
            "refused": refused,
            "query": query,
            "statuses": OrderStatus.choices,
            "target": request.POST.get("target", ""),
            "reason": request.POST.get("reason", ""),
            "reason_max_length": CANCEL_REASON_MAX_LENGTH,
        },
    )


def _bulk_row(action: str, order: Order, request) -> dict:
    """One order in a bulk action: whether it applies, why not, what it proposes."""
    row = {"order": order, "allowed": True, "why": ""}
    if action == "confirm":
        due = max(order.total - order.paid, Decimal("0.00"))
        row["due"] = due
        row["amount"] = request.POST.get(f"amount-{order.pk}", "") or f"{due:.2f}"
        if order.status == OrderStatus.CANCELLED:
            row.update(allowed=False, why=_("cancelled"))
        elif due <= 0:
            row.update(allowed=False, why=_("already paid"))
    elif action == "status":
        target = request.POST.get("target", "")
        if target and target not in NEXT_STATUSES.get(order.status, ()):
            row.update(
                allowed=False,
                why=_("cannot go from “%(now)s” to this status")
                % {"now": order.get_status_display()},
            )
    elif action == "lab":
        if order.status == OrderStatus.CANCELLED:
            row.update(allowed=False, why=_("cancelled"))
        elif order.paid < order.total:
            row.update(allowed=False, why=_("not paid"))
        elif not any(line.needs_delivery for line in order.lines.all()):
            row.update(allowed=False, why=_("nothing to print"))
        else:
            row["again"] = bool(order.lab_exports.all())  # prefetched with the selection
    return row


def _apply_bulk(request, action: str, rows: list[dict], query: str):
    done, failed = 0, []
    target = request.POST.get("target", "")
    reason = request.POST.get("reason", "")
    for row in rows:
        order = row["order"]
        if not row["allowed"]:
            continue
        try:
            if action == "confirm":
                try:
                    amount = Decimal(row["amount"].replace(",", "."))
                    expected = Decimal(request.POST.get(f"due-{order.pk}", ""))
                except ArithmeticError as e:
                    raise CommerceError(_("An amount above zero, please.")) from e
                services.record_payment(
                    order, user=request.user, amount=amount, expected_due=expected
                )
            else:
                services.change_status(order, target, user=request.user, reason=reason)
        except CommerceError as e:
            failed.append(f"{order.code}: {e.message}")
        else:
            done += 1
    if done:
        messages.success(
            request,
            ngettext("%(n)s order updated.", "%(n)s orders updated.", done) % {"n": done},
        )
    for failure in failed:
        messages.error(request, failure)
    return _back(query)


def _export_orders(request):
    """The ticked orders (this organizer's only), or every order the list's filters show
    when none is ticked: a queryset, for exports that stream."""
    ticked = [int(i) for i in request.POST.getlist("order") if i.isdigit()]
    if ticked:
        return queries.orders_for(request.organizer).filter(pk__in=ticked)
    _filters, filtered = filtered_orders(request, QueryDict(request.POST.get("query", "")))
    return filtered


def _session_references(organizer) -> dict[str, str]:
    return {
        selling.group_of(s): s.reference
        for s in Session.objects.for_organizer(organizer).only("pk", "reference")
    }


@staff_view(perms.EXPORT)
@require_POST
def order_export_csv(request):
    """O5: one row per order line, spreadsheet-safe (core.exports.csv_rows)."""
    orders = _export_orders(request)
    references = _session_references(request.organizer)
    header = [
        _("Order"), _("Date"), _("Status"), _("Payment"), _("Name"), _("Email"), _("Phone"),
        _("Delivery"), _("Session"), _("From"), _("Item"), _("Product kind"), _("Quantity"),
        _("Unit price"), _("Discount"), _("Line total"), _("Order total"), _("Paid"),
    ]  # fmt: skip
    zone = zoneinfo.ZoneInfo(request.organizer.timezone)
    state_labels = dict(OrderFilterForm.base_fields["payment"].choices)
    status_labels = dict(OrderStatus.choices)
    pickup = _("Pickup at school")
    # One pass over the orders for what is paid, one over their lines for the rest: flat
    # rows streamed in chunks, whatever the number of orders (bench/orders.py).
    paid = {
        pk: (amount, state)
        for pk, amount, state in orders.values_list("pk", "paid", "payment_state").iterator(
            chunk_size=2000
        )
    }
    lines = (
        OrderLine.objects.filter(order__in=orders.values("pk"))
        .order_by("-order__created_at", "-order_id", "id")
        .values_list(
            "order_id", "order__code", "order__created_at", "order__status", "order__name",
            "order__email", "order__phone", "order__pickup", "order__delivery_address",
            "group", "source", "description", "category", "quantity", "unit_price",
            "discount", "total", "order__total",
        )
    )  # fmt: skip

    def rows():
        for (
            order_id, code, created_at, status, name, email, phone, is_pickup, address,
            group, source, description, category, quantity, unit_price, discount, total,
            order_total,
        ) in lines.iterator(chunk_size=2000):  # fmt: skip
            amount, state = paid.get(order_id, (None, ""))
            yield [
                code,
                created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                status_labels.get(status, status),
                state_labels.get(state, state),
                name,
                email,
                phone,
                pickup if is_pickup else address,
                references.get(group, ""),
                source,
                description,
                category,
                quantity,
                unit_price,
                discount,
                total,
                order_total,
                amount,
            ]

    return csv_response("orders.csv", header, rows())


@staff_view(perms.EXPORT)
@require_POST
def order_lab_export(request):
    """O5, issue 6: the ZIP for the lab — the lines as CSV and every print rendered at its
    paper size (cropped to the paper, no watermark), in <session reference>/<order code>/.
    The orders are recorded as sent with this export's number before the ZIP streams; an
    order already sent is sent again only when staff chose it, and marked as re-exported."""
    orders, _refused, _query = _selection(request)
    ready = [order for order in orders if _bulk_row("lab", order, request)["allowed"]]
    if not ready:
        messages.error(request, _("None of these orders can go to the lab."))
        return _back(request.POST.get("query", ""))
    export = services.record_lab_export(request.organizer, ready, user=request.user)
    header = [_("Order"), _("Name"), _("Delivery"), _("Item"), _("Quantity"), _("File")]
    rows, files = [], []
    for order in ready:
        delivery = _("Pickup at school") if order.pickup else order.delivery_address
        for number, line in enumerate(order.lines.all(), start=1):
            kind = kinds.get(line.kind)
            for index, print_file in enumerate(kind.print_files(request.organizer, line.item)):
                name = safe_arcname(
                    print_file.folder,
                    order.code,
                    f"{number:02d}-{index + 1}-{slugify(print_file.name)}-x{line.quantity}.jpg",
                )
                rows.append(
                    [order.code, order.name, delivery, print_file.name, line.quantity, name]
                )
                files.append((name, _renderer(print_file)))
    listing = "".join(csv_rows(header, rows)).encode()
    entries = [(f"lab-export-{export.number}.csv", listing), *files]
    return zip_response(f"lab-export-{export.number}.zip", entries)


def _renderer(print_file):
    """The print, rendered only when the ZIP stream reaches it (one in memory at a time)."""

    def render() -> bytes:
        with print_file.open() as source:
            return lab.render_print(source, print_file.width_cm, print_file.height_cm)

    return render
