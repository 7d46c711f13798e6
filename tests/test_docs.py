"""The README and the tutorial cannot drift from the tool (issue 16, finding 9).

Every ```console block of README.md is run: each ``$ schedsim ...`` command (``\\`` continues a line) goes through
the command line in a scratch folder that sees the repository's ``protocols/`` and ``seeds/``, and every output
line the README shows must appear in what the command prints, in order. A README line may leave parts out with
``...``: the printed line must start with the part before the first ``...`` and contain the other parts in order; a
line that is only ``...`` stands for lines left out. A block preceded by ``<!-- not run: REASON -->`` is skipped
for that reason. Every ```python block of README.md and docs/tutorial.md is executed, block after block in one
namespace, in the same kind of folder.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from schedsim.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
TUTORIAL = ROOT / "docs" / "tutorial.md"
_BLOCK = re.compile(r"(?:<!-- not run: (?P<skip>[^>]+) -->\n)?```(?P<lang>\w+)\n(?P<body>.*?)^```", re.S | re.M)
runner = CliRunner()


def blocks(path: Path, lang: str) -> list[tuple[int, str, str | None]]:
    """(line, body, reason not run) of each ```lang block."""
    text = path.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start("body")) + 1, m.group("body"), m.group("skip"))
            for m in _BLOCK.finditer(text) if m.group("lang") == lang]


def commands(body: str) -> list[tuple[str, list[str]]]:
    """Each ``$ command`` of a console block with the output lines shown under it."""
    found: list[tuple[str, list[str]]] = []
    lines = body.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("$ "):
            command = line[2:]
            while command.rstrip().endswith("\\"):
                i += 1
                command = command.rstrip()[:-1] + " " + lines[i].strip()
            found.append((command.split("  #")[0].strip(), []))
        elif found:
            found[-1][1].append(line)
        i += 1
    return found


def matches(shown: str, printed: str) -> bool:
    parts = [part.rstrip() for part in shown.split("...")]
    if not printed.startswith(parts[0]):
        return False
    at = len(parts[0])
    for part in parts[1:]:
        if not part.strip():
            continue
        found = printed.find(part.strip(), at)
        if found < 0:
            return False
        at = found + len(part.strip())
    return True


def missing_lines(shown: list[str], printed: list[str]) -> list[str]:
    """The shown lines that the printed output does not contain, in order."""
    missing = []
    at = 0
    for line in shown:
        if not line.strip() or line.strip() == "...":
            continue
        for index in range(at, len(printed)):
            if matches(line, printed[index]):
                at = index + 1
                break
        else:
            missing.append(line)
    return missing


@pytest.fixture()
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with copies of the repository's protocols/, seeds/ and docs/, as the working folder."""
    for name in ("protocols", "seeds", "docs"):
        shutil.copytree(ROOT / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path


CONSOLE = [(line, body, skip) for line, body, skip in blocks(README, "console")]


@pytest.mark.parametrize(("line", "body", "skip"), CONSOLE, ids=[f"README.md:{c[0]}" for c in CONSOLE])
def test_readme_console_examples_are_what_the_commands_print(line: int, body: str, skip: str | None,
                                                             scratch: Path) -> None:
    if skip:
        pytest.skip(f"README.md:{line} not run: {skip}")
    for command, shown in commands(body):
        args = shlex.split(command)
        assert args[0] == "schedsim", command
        result = runner.invoke(app, args[1:])
        assert result.exit_code in (0, 1), f"{command}\n{result.output}"
        printed = result.output.splitlines()
        assert not missing_lines(shown, printed), (f"README.md:{line}: `{command}` no longer prints these lines "
                                                   f"(update the README):\n" + "\n".join(
                                                       missing_lines(shown, printed)) + "\n--- printed:\n"
                                                   + result.output[:4000])


@pytest.mark.parametrize("document", [README, TUTORIAL], ids=lambda p: p.name)
def test_python_examples_run(document: Path, scratch: Path) -> None:
    namespace: dict[str, object] = {"__name__": "__docs__"}
    found = blocks(document, "python")
    assert found, f"{document.name} has no python block"
    for line, body, skip in found:
        if skip:
            continue
        code = compile(body, f"{document.name}:{line}", "exec")
        exec(code, namespace)  # noqa: S102 - the documentation's own examples


def test_matching_rules() -> None:
    assert matches("  A3  protocols/x.yaml:39 phases.1.gap: Rest ...", "  A3  protocols/x.yaml:39 phases.1.gap: Rest b")
    assert matches("x (protocols/ppcl-...yaml:78 phases.5.start)", "x (protocols/ppcl-vrd.yaml:78 phases.5.start)")
    assert not matches("x (protocols/ppcl-...yaml:71 phases.5.start)", "x (protocols/ppcl-vrd.yaml:78 phases.5.start)")
    assert missing_lines(["a", "...", "c"], ["a", "b", "c"]) == []
    assert missing_lines(["c", "a"], ["a", "b", "c"]) == ["a"]  # order matters


def test_readme_says_how_schedsim_gets_on_the_path() -> None:
    text = README.read_text(encoding="utf-8")
    head = text[:text.index("## Worked example")]
    assert "pip install" in head and ".venv/bin/schedsim" in head and "PATH" in head
    assert os.path.exists(ROOT / "Makefile")
