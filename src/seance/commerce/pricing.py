"""Order totals (X3, P8): one pure function, exact decimals, no Django.

Every total Séance shows or charges comes from :func:`price`. Its rules:

- A line's subtotal is ``unit_price × quantity``, exact (prices have two decimals).
- Discounts apply to a *group* of lines (the lines of one session for a photo discount, of
  one event for a ticketing one). A percent discount is ``group subtotal × percent / 100``,
  rounded half-up to the cent once per group (not per line, so ten 1.05 prints at 10 % lose
  1.05, not ten times 0.11). An amount discount is the amount, capped at the group subtotal.
  A group's discounts never take more than its subtotal, so no total is ever negative.
- The total is ``Σ line subtotals - Σ discounts``; each discount is also spread over its
  group's lines (largest remainder, to the cent), so every line knows what it finally costs
  and the lines add up to the total exactly — what refunds and exports need.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class PricingError(ValueError):
    pass


@dataclass(frozen=True)
class Line:
    key: str  # the caller's id for the line
    unit_price: Decimal
    quantity: int = 1
    group: str = ""  # lines a discount applies to; "" = none


@dataclass(frozen=True)
class Discount:
    group: str
    kind: str  # "percent" or "amount"
    value: Decimal
    label: str = ""


@dataclass(frozen=True)
class PricedLine:
    key: str
    subtotal: Decimal  # unit_price × quantity
    discount: Decimal  # this line's share of its group's discounts
    total: Decimal  # subtotal - discount


@dataclass(frozen=True)
class AppliedDiscount:
    group: str
    label: str
    amount: Decimal


@dataclass(frozen=True)
class Priced:
    lines: tuple[PricedLine, ...]
    discounts: tuple[AppliedDiscount, ...]
    subtotal: Decimal
    discount: Decimal
    total: Decimal


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _check(lines: Sequence[Line], discounts: Sequence[Discount]) -> None:
    keys = [line.key for line in lines]
    if len(set(keys)) != len(keys):
        raise PricingError("two lines share a key")
    for line in lines:
        if line.unit_price < 0 or line.unit_price != _cents(line.unit_price):
            raise PricingError(f"line {line.key}: a price is zero or more, in cents")
        if line.quantity < 1:
            raise PricingError(f"line {line.key}: a quantity is at least 1")
    for discount in discounts:
        if discount.kind not in ("percent", "amount"):
            raise PricingError(f"unknown discount kind {discount.kind!r}")
        if discount.value < 0 or (discount.kind == "percent" and discount.value > 100):
            raise PricingError("a discount is between 0 and 100 %, or a positive amount")


def _spread(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """``amount`` split in cents in proportion to ``weights`` (largest remainder)."""
    total = sum(weights, ZERO)
    if amount == 0 or total == 0:
        return [ZERO for _ in weights]
    cents = int(amount / CENT)
    exact = [Decimal(cents) * w / total for w in weights]
    shares = [int(e) for e in exact]
    order = sorted(range(len(weights)), key=lambda i: (exact[i] - shares[i], -i), reverse=True)
    for i in order[: cents - sum(shares)]:
        shares[i] += 1
    return [Decimal(s) * CENT for s in shares]


def price(lines: Sequence[Line], discounts: Sequence[Discount] = ()) -> Priced:
    """The totals of ``lines`` with ``discounts``; see the module docstring for the rules."""
    _check(lines, discounts)
    subtotals = {line.key: _cents(line.unit_price * line.quantity) for line in lines}
    per_line = dict.fromkeys(subtotals, ZERO)
    applied: list[AppliedDiscount] = []
    for group in dict.fromkeys(d.group for d in discounts):
        members = [line for line in lines if line.group == group and group]
        left = sum((subtotals[m.key] for m in members), ZERO)
        for discount in (d for d in discounts if d.group == group):
            if discount.kind == "percent":
                base = sum((subtotals[m.key] for m in members), ZERO)
                amount = _cents(base * discount.value / 100)
            else:
                amount = _cents(discount.value)
            amount = min(amount, left)
            left -= amount
            if not members or amount == 0:
                continue
            remaining = [subtotals[m.key] - per_line[m.key] for m in members]
            for member, share in zip(members, _spread(amount, remaining), strict=True):
                per_line[member.key] += share
            applied.append(AppliedDiscount(group=group, label=discount.label, amount=amount))
    priced = tuple(
        PricedLine(
            key=line.key,
            subtotal=subtotals[line.key],
            discount=per_line[line.key],
            total=subtotals[line.key] - per_line[line.key],
        )
        for line in lines
    )
    subtotal = sum((p.subtotal for p in priced), ZERO)
    discount = sum((a.amount for a in applied), ZERO)
    return Priced(
        lines=priced,
        discounts=tuple(applied),
        subtotal=subtotal,
        discount=discount,
        total=subtotal - discount,
    )
