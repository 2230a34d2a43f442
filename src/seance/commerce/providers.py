"""Payment providers (ARCHITECTURE: one interface; bank transfer and Stripe Checkout today).

A provider says whether an organizer offers it, and starts a payment of an order: it may
send the customer somewhere to pay (Stripe's page) or leave the payment pending until staff
see the money (a bank transfer). Whatever the provider, a payment counts once it is
confirmed through :func:`commerce.services.confirm_payment` — by staff or by a verified
notification — and an order is paid when its confirmed payments cover its total (X3).
"""

from typing import Protocol

from django.utils.translation import gettext_lazy as _

from seance.commerce.errors import CommerceError


class PaymentProvider(Protocol):
    name: str
    label: str  # what the customer reads at checkout

    def available(self, organizer) -> bool:
        """Whether ``organizer`` offers this way of paying now."""

    def start(self, payment, *, return_url: str) -> str | None:
        """Begin ``payment`` (saved, pending, outside any transaction): the address to send the
        customer to, or None when there is nothing more for them to do online. May raise
        :class:`CommerceError` with a message for the customer."""


_providers: dict[str, PaymentProvider] = {}


def register(provider: PaymentProvider) -> PaymentProvider:
    _providers[provider.name] = provider
    return provider


def get(name: str) -> PaymentProvider:
    try:
        return _providers[name]
    except KeyError as e:
        raise CommerceError(_("Choose a payment method.")) from e


def available(organizer) -> list[PaymentProvider]:
    """The ways ``organizer``'s customers may pay, in the order they are offered."""
    return [p for p in _providers.values() if p.available(organizer)]


class BankTransfer:
    """The customer transfers the amount with the order code as reference; staff confirm it
    in the back office when it arrives."""

    name = "bank_transfer"
    label = _("Bank transfer")

    def available(self, organizer) -> bool:
        return bool(organizer.bank_transfer_details.strip())

    def start(self, payment, *, return_url: str) -> str | None:
        return None


bank_transfer = register(BankTransfer())
