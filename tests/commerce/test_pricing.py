from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seance.commerce.pricing import Discount, Line, PricingError, price

D = Decimal


def test_lines_add_up():
    result = price([Line("a", D("6.00"), 2), Line("b", D("9.00"))])
    assert result.total == D("21.00") and result.discount == D("0.00")


def test_percent_discount_is_rounded_once_per_group():
    lines = [Line(str(i), D("1.05"), 1, group="s1") for i in range(10)]
    result = price(lines, [Discount("s1", "percent", D("10"))])
    assert result.discount == D("1.05")  # 10 % of 10.50, not 10 × 0.11
    assert result.total == D("9.45")
    assert sum(line.total for line in result.lines) == result.total


def test_discount_applies_to_its_group_only():
    lines = [Line("a", D("10.00"), group="s1"), Line("b", D("10.00"), group="s2")]
    result = price(lines, [Discount("s1", "percent", D("15"))])
    assert result.total == D("18.50")
    assert [line.discount for line in result.lines] == [D("1.50"), D("0.00")]


def test_amount_discount_never_makes_a_total_negative():
    result = price([Line("a", D("4.00"), group="s1")], [Discount("s1", "amount", D("10.00"))])
    assert result.total == D("0.00") and result.discount == D("4.00")


def test_half_cents_round_up():
    result = price([Line("a", D("0.05"), group="g")], [Discount("g", "percent", D("50"))])
    assert result.discount == D("0.03")  # 0.025 → 0.03 (half-up, stated)


@pytest.mark.parametrize(
    ("lines", "discounts"),
    [
        ([Line("a", D("-1.00"))], []),
        ([Line("a", D("1.005"))], []),
        ([Line("a", D("1.00"), 0)], []),
        ([Line("a", D("1.00")), Line("a", D("2.00"))], []),
        ([Line("a", D("1.00"), group="g")], [Discount("g", "percent", D("101"))]),
        ([Line("a", D("1.00"), group="g")], [Discount("g", "amount", D("-1"))]),
        ([Line("a", D("1.00"), group="g")], [Discount("g", "free", D("1"))]),
    ],
)
def test_bad_input_is_refused(lines, discounts):
    with pytest.raises(PricingError):
        price(lines, discounts)


prices = st.decimals(min_value=0, max_value=500, places=2, allow_nan=False, allow_infinity=False)
groups = st.sampled_from(["", "s1", "s2"])
lines_strategy = st.lists(
    st.tuples(prices, st.integers(1, 5), groups), min_size=0, max_size=12
).map(lambda items: [Line(str(i), p, q, g) for i, (p, q, g) in enumerate(items)])
discounts_strategy = st.lists(
    st.one_of(
        st.builds(
            Discount,
            group=st.sampled_from(["s1", "s2"]),
            kind=st.just("percent"),
            value=st.decimals(min_value=0, max_value=100, places=2),
        ),
        st.builds(
            Discount,
            group=st.sampled_from(["s1", "s2"]),
            kind=st.just("amount"),
            value=st.decimals(min_value=0, max_value=1000, places=2),
        ),
    ),
    max_size=3,
)


@settings(max_examples=300)
@given(lines_strategy, discounts_strategy)
def test_total_is_lines_minus_discounts_and_never_negative(lines, discounts):
    result = price(lines, discounts)
    assert result.subtotal == sum((D(str(line.unit_price)) * line.quantity for line in lines), D(0))
    assert result.total == result.subtotal - result.discount
    assert result.discount == sum((line.discount for line in result.lines), D(0))
    assert result.discount == sum((d.amount for d in result.discounts), D(0))
    assert result.total >= 0
    assert sum((line.total for line in result.lines), D(0)) == result.total
    for line in result.lines:
        assert 0 <= line.discount <= line.subtotal
        assert line.total.as_tuple().exponent == -2
    for group in ("s1", "s2"):
        group_subtotal = sum(
            (
                p.subtotal
                for p, line in zip(result.lines, lines, strict=True)
                if line.group == group
            ),
            D(0),
        )
        taken = sum((a.amount for a in result.discounts if a.group == group), D(0))
        assert taken <= group_subtotal
