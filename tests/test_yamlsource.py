from __future__ import annotations

import pytest

from schedsim.errors import InputError
from schedsim.language.yamlsource import parse_yaml


def test_lines_are_recorded_per_field_path() -> None:
    doc = parse_yaml("a: 1\nb:\n  - x: 2\n  - y: 3\n", "t.yaml")
    assert doc.data == {"a": 1, "b": [{"x": 2}, {"y": 3}]}
    assert doc.line(("a",)) == 1
    assert doc.line(("b", 1, "y")) == 4
    assert doc.line(("b", 1, "nonexistent")) == 4  # falls back to the nearest ancestor


def test_assumed_wrapper_is_unwrapped_and_recorded() -> None:
    doc = parse_yaml("gap:\n  value: 14d\n  assumed: 'two weeks'\nstep: {day: 3, assumed: why}\n", "t.yaml")
    assert doc.data == {"gap": "14d", "step": {"day": 3, "assumed": "why"}}
    assert doc.assumptions == {("gap",): "two weeks", ("step",): "why"}


def test_empty_rationale_is_refused() -> None:
    with pytest.raises(InputError, match="t.yaml:1: gap.assumed: assumed needs"):
        parse_yaml("gap: {value: 14d, assumed: ''}\n", "t.yaml")


def test_duplicate_key_names_line() -> None:
    with pytest.raises(InputError) as caught:
        parse_yaml("id: a\nphases: []\nid: b\n", "p.yaml")
    assert str(caught.value) == "p.yaml:3: id: duplicate key 'id'"


def test_malformed_yaml_names_line() -> None:
    with pytest.raises(InputError, match=r"p.yaml:3: malformed YAML"):
        parse_yaml("a: 1\nb: [1, 2\nc: 3\n", "p.yaml")


def test_empty_file() -> None:
    with pytest.raises(InputError, match="empty"):
        parse_yaml("", "p.yaml")


def test_merge_keys_work() -> None:
    doc = parse_yaml("base: &b {x: 1}\nmore:\n  <<: *b\n  y: 2\n", "t.yaml")
    assert doc.data["more"] == {"x": 1, "y": 2}
