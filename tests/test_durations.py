from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schedsim.language.anchors import AnchorExpr
from schedsim.language.durations import Duration, Offset, Window
from schedsim.language.model.types import parse_day_list


@pytest.mark.parametrize(("text", "amount", "unit"), [
    ("21d", 21, "d"), ("3w", 3, "w"), ("6mo", 6, "mo"), ("2y", 2, "y"), ("-5d", -5, "d"),
    ("2 years", 2, "y"), ("1 month", 1, "mo"), ("+14 days", 14, "d"),
])
def test_duration_parses_units(text: str, amount: int, unit: str) -> None:
    assert Duration.parse(text) == Duration(amount, unit)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["21", "", "3 fortnights", "d21", "1.5d", "21 d d"])
def test_duration_rejects_malformed(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        Duration.parse(text)


def test_bare_number_needs_a_unit() -> None:
    with pytest.raises(ValueError, match="needs a unit"):
        Duration.parse(21)  # type: ignore[arg-type]


def test_absurd_duration_refused() -> None:
    with pytest.raises(ValueError, match="50 years"):
        Duration.parse("500y")
    assert Duration.parse("50y").amount == 50


@given(st.integers(-1000, 1000), st.sampled_from(["d", "w", "mo", "y"]))
def test_duration_text_round_trip(amount: int, unit: str) -> None:
    duration = Duration(amount, unit)  # type: ignore[arg-type]
    if abs(duration.approx_days) <= 50 * 366:
        assert Duration.parse(str(duration)) == duration


@pytest.mark.parametrize(("text", "early", "late"), [
    ("-3d/+7d", 3, 7), ("+7d/-3d", 3, 7), ("±2d", 2, 2), ("+/-5d", 5, 5), ("0d/+14d", 0, 14),
    ("-2d/0d", 2, 0), ("-1w/+2w", 7, 14),
])
def test_window_parses(text: str, early: int, late: int) -> None:
    assert Window.parse(text) == Window(early, late)


@pytest.mark.parametrize("text", ["3d/7d", "-3d", "-1mo/+1mo", "-3d/+7d/+1d", "soon"])
def test_window_rejects_malformed(text: str) -> None:
    with pytest.raises(ValueError):
        Window.parse(text)


@given(st.integers(0, 365), st.integers(0, 365))
def test_window_round_trip_and_order(early: int, late: int) -> None:
    window = Window.parse(str(Window(early, late)))
    assert window == Window(early, late)
    target = 100
    assert target - window.early <= target <= target + window.late


def test_offset_nominal_days_and_text() -> None:
    assert Offset(days=100).nominal_days == 100
    assert Offset(months=12).nominal_days == 365
    assert str(Offset(days=-26)) == "- 26d"
    assert (Offset(days=1) + Offset(months=2)).scaled(3) == Offset(days=3, months=6)


def test_anchor_expressions() -> None:
    expr = AnchorExpr.parse("cart1.infusion + 1mo - 2d")
    assert expr.ref == "cart1.infusion"
    assert expr.terms == (Duration(1, "mo"), Duration(-2, "d"))
    assert AnchorExpr.parse("induction.end").terms == ()
    assert AnchorExpr.parse("x.d-5.flu + 1d").ref == "x.d-5.flu"
    with pytest.raises(ValueError, match="cannot read"):
        AnchorExpr.parse("induction.end plus 3 days")


def test_day_lists() -> None:
    assert parse_day_list("1-14") == tuple(range(1, 15))
    assert parse_day_list([1, 4, 8, 11]) == (1, 4, 8, 11)
    assert parse_day_list("-5..-3") == (-5, -4, -3)
    assert parse_day_list([3, 1, 1]) == (1, 3)
    for bad in ("14-1", "", "a-b", [True]):
        with pytest.raises(ValueError):
            parse_day_list(bad)
