"""Properties: reconciliation (DOMAIN.md §3.6) and the CALC-ID format (§4)."""

import random
import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from contracts.events.customs import CALC_ID_PATTERN
from services.customs_generation.calc_id import new_calc_id
from services.customs_generation.calculation import calculate
from services.customs_generation.results import ExceptionReason
from services.customs_generation.rounding import round3
from tests.unit.customs_factories import invoice_line, product, snapshot

SPLIT_DAY = date(2025, 6, 2)
FULL_VALUE_DAY = date(2026, 5, 4)
CALC_ID = "CALC-20260101-120000-PROP"
PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

entry_dates = st.sampled_from([SPLIT_DAY, FULL_VALUE_DAY])
prices = st.integers(min_value=100, max_value=10_000_000).map(lambda cents: Decimal(cents) / 100)


@st.composite
def weights_in_grams(draw):
    """Master weights with 3 decimals in kg (whole grams), non-metal >= 1 % of net or a single
    metal: the shape of real furniture, where no component can round below zero."""
    net = draw(st.integers(min_value=1, max_value=500_000))
    steel = draw(st.integers(min_value=0, max_value=net))
    aluminum = draw(st.integers(min_value=0, max_value=net - steel))
    assume(net - steel - aluminum >= max(1, net / 100) or steel == 0 or aluminum == 0)
    return tuple(Decimal(grams) / 1000 for grams in (net, steel, aluminum))


@st.composite
def any_weights(draw):
    """Master weights with up to 8 decimals (as converted from LB), any metal content."""
    net = draw(st.integers(min_value=1, max_value=10**11))
    steel = draw(st.integers(min_value=0, max_value=net))
    aluminum = draw(st.integers(min_value=0, max_value=net - steel))
    return tuple(Decimal(units) / 10**8 for units in (net, steel, aluminum))


def calculate_one(weights, quantity, price, entry_date):
    net, steel, aluminum = weights
    reference = snapshot([product("ITEM", net_kg=net, steel_kg=steel, aluminum_kg=aluminum)])
    line = invoice_line(
        "ITEM", quantity=str(quantity), unit_price=str(price), entry_date=entry_date
    )
    return line, net, calculate([line], reference, CALC_ID)


@PROPERTY_SETTINGS
@given(
    weights=weights_in_grams(),
    quantity=st.integers(min_value=1, max_value=5_000),
    price=prices,
    entry_date=entry_dates,
)
def test_valid_line_components_add_up_to_its_value_and_weight(weights, quantity, price, entry_date):
    line, net, result = calculate_one(weights, quantity, price, entry_date)

    assert result.exceptions == ()
    assert sum(c.entered_value_usd for c in result.component_lines) == line.value_usd
    assert sum(c.net_weight_kg for c in result.component_lines) == round3(quantity * net)
    assert all(c.entered_value_usd >= 0 and c.net_weight_kg > 0 for c in result.component_lines)


@PROPERTY_SETTINGS
@given(
    weights=any_weights(),
    quantity=st.integers(min_value=1, max_value=5_000_000).map(lambda n: Decimal(n) / 1000),
    price=prices,
    entry_date=entry_dates,
)
def test_any_line_is_either_reconciled_or_an_exception_never_adjusted(
    weights, quantity, price, entry_date
):
    line, net, result = calculate_one(weights, quantity, price, entry_date)

    (reconciliation,) = result.reconciliations
    if result.component_lines:
        assert result.exceptions == ()
        assert reconciliation.balanced
        assert sum(c.entered_value_usd for c in result.component_lines) == line.value_usd
        assert sum(c.net_weight_kg for c in result.component_lines) == round3(quantity * net)
    else:
        assert {e.reason for e in result.exceptions} <= {
            ExceptionReason.NO_COMPONENT,
            ExceptionReason.NEGATIVE_COMPONENT,
            ExceptionReason.RECONCILIATION_FAILED,
        }
        assert result.exceptions


@given(
    moment=st.datetimes(
        min_value=datetime(2000, 1, 2), max_value=datetime(2099, 12, 30), timezones=st.just(UTC)
    ),
    offset_minutes=st.integers(min_value=-12 * 60, max_value=14 * 60),
    seed=st.integers(),
)
def test_calc_id_is_utc_time_and_four_random_uppercase_alphanumerics(moment, offset_minutes, seed):
    local = moment.astimezone(timezone(timedelta(minutes=offset_minutes)))

    calc_id = new_calc_id(local, random.Random(seed))

    assert re.fullmatch(CALC_ID_PATTERN, calc_id)
    assert calc_id.startswith(f"CALC-{moment:%Y%m%d-%H%M%S}-")


def test_calc_id_refuses_a_naive_time():
    with pytest.raises(ValueError, match="timezone-aware"):
        new_calc_id(datetime(2026, 1, 1, 12), random.Random(1))
