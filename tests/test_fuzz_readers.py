"""Fuzzing the readers of user files (issue 17): whatever the text, YAML, CSV, JSON records, windows and durations
are read or refused with ``InputError`` (``ValueError`` for the small parsers) — never another exception."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedsim.errors import InputError
from schedsim.importer.record import parse_record
from schedsim.inputs import csv_rows
from schedsim.language.durations import Duration, Window
from schedsim.language.yamlsource import parse_yaml

YAML_PIECES = st.sampled_from(["a:", " b:", "- ", "&x ", "*x", "[", "]", "{", "}", ",", "1:30", "0o17", "yes", "~",
                               "!!python/object:os.system", "'", '"', "\\0", "\t", "\n", "  ", "2027-02-30",
                               "9" * 30, "<<: *x", "? ", "---", "...", "#", "%YAML 1.1", "\u202e", "\x1b"])
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.lists(YAML_PIECES, max_size=40).map("".join) | st.text(max_size=200))
def test_yaml_is_read_or_refused(text: str) -> None:
    try:
        parse_yaml(text, "fuzz.yaml")
    except InputError as error:
        assert all(problem.file == "fuzz.yaml" for problem in error.problems)


@FAST
@given(st.text(alphabet=st.sampled_from(list(',"\n\r\x00abc=+-@\u2028\x1b ')), max_size=300))
def test_csv_is_read_or_refused(text: str) -> None:
    try:
        rows = csv_rows(text, "fuzz.csv")
    except InputError:
        return
    assert all(isinstance(line, int) and isinstance(row, list) for line, row in rows)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                        st.sampled_from(["protocolSection", "studies", "designModule", "outcomesModule", "x"]),
                        inner, max_size=4), max_leaves=30)


@FAST
@given(JSON)
def test_json_records_are_read_or_refused(data: object) -> None:
    text = json.dumps(data)
    if not text.strip().startswith(("{", "[")):
        text = "[" + text + "]"
    try:
        parse_record(text, "fuzz.json")
    except InputError:
        pass


@FAST
@given(st.text(alphabet=st.sampled_from(list("+-±/0123456789dwmoy ")), max_size=14))
def test_windows_and_durations_are_read_or_refused(text: str) -> None:
    for parse in (Window.parse, Duration.parse):
        try:
            parse(text)
        except ValueError:
            pass
