"""Actions on one order from its page (issue 6 item 5; O4, O6, O7): move it to its next
status or cancel it with a reason, send its confirmation or its download links again. And
what the page shows of its deliveries: the emails it sent (from the outbox) and the lab
exports it was part of.
"""

from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from seance.backoffice.views.base import staff_view
from seance.commerce import queries, services
from seance.commerce.errors import CommerceError
from seance.commerce.models import (
    CANCEL_REASON_MAX_LENGTH,
    NEXT_STATUSES,
    LabExportOrder,
    Order,
    OrderStatus,
)
from seance.comms.models import Message, MessageState
from seance.core import permissions as perms

# The order's emails as staff name them (the template part of the outbox key).
EMAIL_LABELS = {
    "order_placed": gettext_lazy("Order confirmation"),
    "payment_received": gettext_lazy("Payment received"),
    "files_ready": gettext_lazy("Download links"),
}


class StatusForm(forms.Form):
    """Parses the request only: whether the move is allowed (and a reason given when
    cancelling) is the service's to say, against the order as it is now."""

    status = forms.ChoiceField(choices=OrderStatus.choices)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=CANCEL_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@dataclass(frozen=True)
class SentEmail:
    """One of the order's emails in the outbox."""

    template: str
    label: str
    again: bool  # sent again by staff, not by the order's own course
    to: str
    state: str
    state_label: str
    at: datetime  # sent, or queued when not sent (yet)
    last_error: str


def _sent_email(message: Message) -> SentEmail:
    # The key is "order:<code>:<template>", plus ":again:<n>" for an email sent again.
    template = message.key.split(":")[2]
    return SentEmail(
        template=template,
        label=str(EMAIL_LABELS.get(template, template)),
        again=":again:" in message.key,
        to=message.to,
        state=message.state,
        state_label=message.get_state_display(),
        at=message.sent_at or message.created_at,
        last_error=message.last_error if message.state != MessageState.SENT else "",
    )


def _contents(order: Order) -> dict[str, bool]:
    """What the order has to deliver: files (download links) and prints (the lab)."""
    counts = order.lines.aggregate(
        files=Count("pk", filter=Q(delivers_files=True)),
        prints=Count("pk", filter=Q(needs_delivery=True)),
    )
    return {"files": counts["files"] > 0, "prints": counts["prints"] > 0}


def order_page_extras(request, order: Order) -> dict:
    """More context for the order page: its next statuses, its emails, its lab exports."""
    emails = (
        Message.objects.for_organizer(request.organizer)
        .filter(key__startswith=f"order:{order.code}:")
        .only("key", "to", "state", "last_error", "created_at", "sent_at")
        .order_by("-created_at", "-id")
    )
    lab_exports = (
        LabExportOrder.objects.filter(order=order, export__organizer=request.organizer)
        .select_related("export__created_by")
        .order_by("-export__number")
    )
    contents = _contents(order)
    # O6: the rule of delivery.downloads(), without making the links.
    downloads = (
        contents["files"]
        and order.status != OrderStatus.CANCELLED
        and order.payment_state == queries.PAID
    )
    next_statuses = [(s, OrderStatus(s).label) for s in NEXT_STATUSES.get(order.status, ())]
    return {
        "next_statuses": next_statuses,
        "can_cancel": OrderStatus.CANCELLED in NEXT_STATUSES.get(order.status, ()),
        "reason_max_length": CANCEL_REASON_MAX_LENGTH,
        "emails": [_sent_email(m) for m in emails],
        "lab_exports": list(lab_exports),
        "has_files": contents["files"],
        "has_prints": contents["prints"],
        "downloads_available": downloads,
        "can_resend": {
            # A cancelled order's confirmation would ask for a payment no longer expected.
            "order_placed": order.status != OrderStatus.CANCELLED,
            "files_ready": downloads,
        },
    }


def _order(request, order_id: int) -> Order:
    return get_object_or_404(Order.objects.filter(organizer=request.organizer), pk=order_id)


def _back(order: Order):
    return redirect("backoffice:order_detail", order=order.pk)


@staff_view(perms.MANAGE_PAYMENTS)
@require_POST
def order_status(request, order):
    """O4: move the order to one of its next statuses; cancelling takes a reason. A page
    left open while a colleague moved the order gets the service's refusal, not a change."""
    order = _order(request, order)
    form = StatusForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return _back(order)
    try:
        order = services.change_status(
            order,
            form.cleaned_data["status"],
            user=request.user,
            reason=form.cleaned_data["reason"],
        )
    except CommerceError as e:
        messages.error(request, e.message)
    else:
        if order.status == OrderStatus.CANCELLED:
            messages.success(request, _("Order %(code)s is cancelled.") % {"code": order.code})
        else:
            messages.success(
                request,
                _("Order %(code)s is now “%(status)s”.")
                % {"code": order.code, "status": order.get_status_display()},
            )
    return _back(order)


@staff_view(perms.MANAGE_PAYMENTS)
@require_POST
def order_resend(request, order, email):
    """O7: send the confirmation or the download links again (a family lost the email)."""
    order = _order(request, order)
    if email not in services.RESENDABLE:
        raise Http404
    try:
        services.resend_email(order, email, user=request.user)
    except CommerceError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            _("“%(email)s” sent again to %(address)s.")
            % {"email": EMAIL_LABELS[email], "address": order.email},
        )
    return _back(order)
