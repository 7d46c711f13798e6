"""Whatever a user writes, schedsim answers with a result or a located message (exit 2), never a traceback."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from conftest import MINIMAL
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from schedsim.cli import app

runner = CliRunner()
BASE = yaml.safe_load(MINIMAL + """
  - id: block
    kind: procedure
    after: induction.end
    gap: 7d
    steps:
      - {id: give, day: 0, window: -1d/+1d}
      - {id: watch, kind: visit, days: [1, 7]}
horizon: induction.start + 1y
assessments:
  - {id: fu, label: Follow-up, every: 3mo, from: induction.start, until: study.horizon}
  - {id: once, label: Once, at: block.give + 1mo, window: ±3d}
""")

VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=20),
    st.sampled_from(["21d", "-3d", "10000", "99y", "induction.end", "nowhere.x", "1-400", "-5..-3", "{cycle} {x}",
                     "study.horizon - 2y", "block.give + 1mo", "±3d", "calendar"]),
    st.lists(st.integers(-30, 30), max_size=4), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


PATHS = _paths(BASE)


def _replace(data: Any, path: tuple, value: Any) -> Any:
    result = copy.deepcopy(data)
    node = result
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return result


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(PATHS), VALUES)
def test_mutated_protocols_never_crash(tmp_path: Path, path: tuple, value: Any) -> None:
    protocol = tmp_path / "p.yaml"
    protocol.write_text(yaml.safe_dump(_replace(BASE, path, value), allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["timeline", str(protocol), "--format", "json", "--start", "2027-01-04"])
    assert result.exception is None or isinstance(result.exception, SystemExit), (path, value, result.exception)
    assert result.exit_code in (0, 2), (path, value, result.output)
    if result.exit_code == 2:
        assert result.stderr.startswith(f"error: {protocol}"), result.stderr
