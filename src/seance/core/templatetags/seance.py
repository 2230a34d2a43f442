import datetime as dt
import functools

from django import template
from django.apps import apps
from django.db import models
from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

register = template.Library()

ACTION_LABELS = {
    "seance.organizer.created": _("Organizer created"),
    "seance.organizer.changed": _("Settings changed"),
    "seance.team.added": _("Team member added"),
    "seance.team.role_changed": _("Role changed"),
    "seance.team.removed": _("Team member removed"),
    "seance.sponsor.created": _("Sponsor created"),
    "seance.sponsor.changed": _("Sponsor changed"),
    "seance.segment.created": _("Segment created"),
    "seance.segment.changed": _("Segment renamed"),
    "seance.session.created": _("Session created"),
    "seance.session.changed": _("Session changed"),
    "seance.session.status_changed": _("Status changed"),
    "seance.session.yearbook_exported": _("Yearbook exported"),
    "seance.session.card_preregistered": _("Card pre-registered"),
    "seance.session.card_voided": _("Card voided"),
    "seance.session.cards_added": _("Cards added"),
    "seance.session.codes_activated": _("Access codes activated"),
    "seance.session.gallery_created": _("Gallery created by hand"),
    "seance.session.group_photos": _("Group photos marked"),
    "seance.session.notify_requested": _("Visitor asked to be told"),
    "seance.session.photos_moved": _("Photos moved"),
    "seance.price_profile.created": _("Price profile created"),
    "seance.price_profile.changed": _("Price profile renamed"),
    "seance.price_profile.product_added": _("Product added"),
    "seance.price_profile.product_changed": _("Product changed"),
    "seance.price_profile.product_removed": _("Product removed"),
    "seance.price_profile.package_changed": _("Package contents changed"),
    "seance.portal.link_sent": _("Sales-tracking link sent"),
    "seance.portal.signed_in": _("Sales tracking opened by the contact"),
    "seance.portal.revoked": _("Sales-tracking access revoked"),
    "seance.order.placed": _("Order placed"),
    "seance.order.payment_confirmed": _("Payment confirmed"),
    "seance.order.payment_failed": _("Payment not completed"),
    "seance.order.status_changed": _("Status changed"),
    "seance.order.sent_to_lab": _("Sent to the lab"),
    "seance.order.email_resent": _("Email sent again"),
    "seance.template.created": _("Template created"),
    "seance.template.changed": _("Template changed"),
    "seance.template.deleted": _("Template deleted"),
    "seance.plan.created": _("Communication plan created"),
    "seance.plan.changed": _("Communication plan renamed"),
    "seance.plan.deleted": _("Communication plan deleted"),
    "seance.plan.rule_added": _("Rule added"),
    "seance.plan.rule_changed": _("Rule changed"),
    "seance.plan.rule_removed": _("Rule removed"),
}

EXTRA_LABELS = {
    "product": _("product"),
    "items": _("contents"),
    "email": _("email"),  # an address (team), or which email was sent again (order)
    "role": _("role"),
    "amount": _("amount"),
    "method": _("payment method"),
    "total": _("total"),
    "reason": _("reason"),
    "export": _("lab export"),
    "again": _("exported again"),
    "rule": _("rule"),
    "texts": _("texts (languages)"),
    "plan": _("communication plan"),
}

# Logged values with a name of their own that no model field's choices give.
EXTRA_VALUES = {
    "email": {
        "order_placed": _("Order confirmation"),
        "payment_received": _("Payment received"),
        "files_ready": _("Download links"),
    },
    # Payment methods, as commerce's providers name them (core does not import commerce).
    "method": {"bank_transfer": _("Bank transfer"), "stripe": _("Card (Stripe)")},
}


@register.filter
def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


@functools.cache
def _fields() -> dict:
    """Every audited model field by name: its label, and its choices if it has some."""
    fields = {}
    for label in ("core", "photos", "catalog", "commerce", "comms"):
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.get_fields():
                if hasattr(field, "verbose_name"):
                    fields.setdefault(field.name, field)
    return fields


@functools.cache
def _choices() -> dict:
    """The choice labels of every audited field by name, merged across models: a session's
    and an order's ``status`` share a name, not their values."""
    merged = {}
    for label in ("core", "photos", "catalog", "commerce", "comms"):
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.get_fields():
                if getattr(field, "choices", None):
                    for value, text in field.flatchoices:
                        merged.setdefault(field.name, {}).setdefault(value, text)
    return merged


@register.filter
def field_value(value, name: str):
    """A logged value as people read it: choice labels, yes/no, lists joined."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    field = _fields().get(name)
    if isinstance(field, models.DateField) and isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        return date_format(parsed if isinstance(field, models.DateTimeField) else parsed.date())
    return _choices().get(name, {}).get(value) or EXTRA_VALUES.get(name, {}).get(value, value)


@register.filter
def field_label(name: str) -> str:
    field = _fields().get(name)
    label = EXTRA_LABELS.get(name) or (field.verbose_name if field is not None else name)
    return str(label).capitalize()


@register.filter
def is_change(value) -> bool:
    """A logged change is stored as ``[old, new]``."""
    return isinstance(value, list) and len(value) == 2


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (pagination keeps the filters)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.filter
def money(amount, currency: str = "") -> str:
    """An amount with two decimals in the current locale, then the currency code (X3)."""
    if amount is None or amount == "":
        return ""
    return f"{floatformat(amount, 2)}\N{NO-BREAK SPACE}{currency}".strip()


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def pairs(mapping) -> list:
    """``dict.items()`` even when the dict has a key named "items"."""
    return list(mapping.items()) if mapping else []
