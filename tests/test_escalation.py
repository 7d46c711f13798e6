"""The i3+3 decision rule and table: the published example, hand-computed cases, formats and properties."""

from __future__ import annotations

import json
from math import comb

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from schedsim.cli import app
from schedsim.escalation.rule import decide, decision_table, posterior_tail

runner = CliRunner()
EI = (0.25, 0.35)

# The published i3+3 table for p_T = 0.3, EI = [0.25, 0.35] (Liu, Wang & Ji 2020), n = 1..6, by column
PUBLISHED = {
    1: "ES",
    2: "ES" + "DU",
    3: "ESD" + "DU",
    4: "ESD" + "DU" * 2,
    5: "EESD" + "DU" * 2,
    6: "EESD" + "DU" * 3,
}


def column(n: int) -> str:
    return "".join(decision_table(0.3, EI, 6)[n][y] for y in range(n + 1))


def test_published_example() -> None:
    for n, expected in PUBLISHED.items():
        assert column(n) == expected, n


def test_hand_computed_cases() -> None:
    # n = 5, y = 2: 2/5 = 0.4 > EI2, but (2 - 1)/5 = 0.2 < EI1: stay (the i3+3 adjustment)
    assert decide(2, 5, 0.3, EI) == "S"
    # n = 4, y = 2: 0.5 > EI2 and 1/4 = 0.25 is not below EI1: de-escalate
    assert decide(2, 4, 0.3, EI) == "D"
    # n = 6, y = 3: Pr(p > 0.3 | Beta(4, 4)) = Pr(Bin(7, 0.3) <= 3) = 0.874 < 0.95: de-escalate, not exclude
    assert abs(posterior_tail(3, 6, 0.3) - 0.873964) < 1e-6
    assert decide(3, 6, 0.3, EI) == "D"
    # n = 3, y = 3: Pr(Bin(4, 0.3) <= 3) = 1 - 0.3**4 = 0.9919 > 0.95: exclude this and higher doses
    assert decide(3, 3, 0.3, EI) == "DU"
    # a different design: p_T = 0.2, EI = [0.15, 0.25], n = 6, y = 1 (1/6 = 0.167 inside the interval): stay
    assert decide(1, 6, 0.2, (0.15, 0.25)) == "S"


@given(st.integers(1, 30), st.integers(0, 30), st.floats(0.05, 0.6))
def test_posterior_tail_is_the_beta_tail(n: int, y: int, target: float) -> None:
    y = min(y, n)
    # Beta(y+1, n-y+1) tail by the binomial identity, computed the other way round
    upper = 1 - sum(comb(n + 1, j) * target**j * (1 - target) ** (n + 1 - j) for j in range(y + 1, n + 2))
    assert abs(posterior_tail(y, n, target) - upper) < 1e-9


@given(st.integers(1, 40))
def test_decisions_never_go_back_as_toxicity_rises(n: int) -> None:
    order = {"E": 0, "S": 1, "D": 2, "DU": 3}
    decisions = [order[d] for d in decision_table(0.3, EI, n)[n].values()]
    assert decisions == sorted(decisions)


def test_json_contract_covers_every_n_and_y() -> None:
    result = runner.invoke(app, ["escalation", "table", "--target", "0.3", "--ei", "0.25,0.35", "--max-n", "12",
                                 "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["target"] == 0.3 and data["ei"] == [0.25, 0.35]
    assert list(data["table"]) == [str(n) for n in range(1, 13)]
    for n, row in data["table"].items():
        assert list(row) == [str(y) for y in range(int(n) + 1)]
        assert set(row.values()) <= {"E", "S", "D", "DU"}
    assert data["table"]["3"] == {"0": "E", "1": "S", "2": "D", "3": "DU"}


def test_text_and_csv_show_rows_y_and_columns_n() -> None:
    text = runner.invoke(app, ["escalation", "table", "--target", "0.3", "--ei", "0.25,0.35", "--max-n", "6"])
    lines = text.output.splitlines()
    assert lines[1].split() == ["y\\n", "1", "2", "3", "4", "5", "6"]
    assert lines[2].split() == ["0", "E", "E", "E", "E", "E", "E"]
    csv = runner.invoke(app, ["escalation", "table", "--target", "0.3", "--ei", "0.25,0.35", "--max-n", "3",
                              "-f", "csv"]).output.splitlines()
    assert csv == ["y\\n,1,2,3", "0,E,E,E", "1,S,S,S", "2,,DU,D", "3,,,DU"]


def test_bad_designs_exit_2() -> None:
    for args in (["--ei", "0.35,0.25"], ["--ei", "0.2,0.28"], ["--ei", "x"], ["--ei", "0.25,0.35", "--max-n", "0"]):
        result = runner.invoke(app, ["escalation", "table", "--target", "0.3", *args])
        assert result.exit_code == 2 and "error:" in result.output


def test_protocol_escalation_block_is_validated(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import PROTOCOLS

    from schedsim.language.loader import load_protocol

    source = PROTOCOLS / "pcl-ct0596-dose-escalation.yaml"
    design = load_protocol(source).protocol.escalation
    assert design is not None and design.target == 0.3 and design.ei == (0.25, 0.35)
    assert [level.id for level in design.dose_levels] == ["dl1", "dl2", "dl3", "dl4"]
    assert design.dlt_window.approx_days == 28 and design.max_patients == 18
    text = source.read_text(encoding="utf-8").replace("ei: [0.25, 0.35]", "ei: [0.35, 0.25]").replace(
        "seed: ../seeds/", f"seed: {PROTOCOLS.parent / 'seeds'}/")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(bad)])
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if row.startswith("escalation:"))
    assert result.exit_code == 2 and f"{bad}:{line}: escalation: need 0 < EI1 < target < EI2 < 1" in result.output
