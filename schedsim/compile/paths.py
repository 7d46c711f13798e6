"""Paths through a study design: one arm and one branch of each decision on the way, compiled as one timeline.

``choose_path`` checks a choice (``--arm b --branch post_consolidation=no_cr``) and fills in what it leaves open (the
first arm, each decision's default branch); ``all_paths`` lists every path (``check`` and ``validate`` compile each);
``on_path`` says whether a phase, assessment, decision or constraint is on a path, and ``left_out`` why one is not.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from schedsim.errors import InputError, Problem
from schedsim.language.loader import LoadedProtocol
from schedsim.language.model import Protocol
from schedsim.language.model.design import OnPath

MAX_PATHS = 64


@dataclass(frozen=True, slots=True)
class PathChoice:
    """One arm (``None`` in a single-arm study) and the branch taken at each decision on the way."""

    arm: str | None = None
    branches: tuple[tuple[str, str], ...] = ()  # (decision, branch), in protocol order

    @property
    def chosen(self) -> dict[str, str]:
        return dict(self.branches)

    @property
    def label(self) -> str:
        """``arm b, post_consolidation=no_cr`` (empty for a study with one path)."""
        parts = ([f"arm {self.arm}"] if self.arm else []) + [f"{d}={b}" for d, b in self.branches]
        return ", ".join(parts)

    @property
    def key(self) -> str:
        """A short name for file names and columns: ``b+no_cr``."""
        return "+".join([*([self.arm] if self.arm else []), *(b for _, b in self.branches)]) or "main"


def on_path(item: OnPath, arm: str | None, chosen: Mapping[str, str]) -> bool:
    """Whether an item is on the path of ``arm`` with the branches ``chosen`` so far."""
    if item.arms is not None and arm not in item.arms:
        return False
    for decision, branches in _branch_sets(item).items():
        if chosen.get(decision) not in branches:
            return False
    return True


def left_out(item: OnPath, arm: str | None, chosen: Mapping[str, str]) -> str:
    """Why an item is not on the path: 'only in arm a', 'only after post_consolidation=no_cr'."""
    if item.arms is not None and arm not in item.arms:
        return f"only in arm {' or '.join(item.arms)}"
    sets = _branch_sets(item)
    return "only after " + " and ".join(f"{d}={' or '.join(sorted(b))}" for d, b in sets.items())


def _branch_sets(item: OnPath) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for ref in item.branch or ():
        decision, branch = ref.split(".")
        found.setdefault(decision, set()).add(branch)
    return found


def check_design(loaded: LoadedProtocol) -> None:
    """Every ``arms`` and ``branch`` names an arm, or a branch of an earlier decision: else ``InputError`` at the
    line of the field."""
    protocol, doc = loaded.protocol, loaded.doc
    arms = [arm.id for arm in protocol.arms]
    branches = {d.id: [b.id for b in d.branches] for d in protocol.decisions}
    order = [d.id for d in protocol.decisions]
    problems: list[Problem] = []
    for path, item in _selectable(protocol):
        for j, arm in enumerate(item.arms or ()):
            if not arms:
                problems.append(doc.problem((*path, "arms"), "the protocol declares no 'arms'"))
                break
            if arm not in arms:
                problems.append(doc.problem((*path, "arms", j), f"unknown arm {arm!r}{_hint(arm, arms)}"))
        for j, ref in enumerate(item.branch or ()):
            decision, branch = ref.split(".")
            where = (*path, "branch", j) if len(item.branch or ()) > 1 else (*path, "branch")
            if decision not in branches:
                problems.append(doc.problem(where, f"unknown decision {decision!r}{_hint(decision, order)}"))
            elif branch not in branches[decision]:
                problems.append(doc.problem(where, f"decision {decision!r} has no branch {branch!r} (branches: "
                                                   f"{', '.join(branches[decision])})"))
            elif path[0] == "decisions" and order.index(decision) >= int(path[1]):
                problems.append(doc.problem(where, f"a decision follows a branch of an earlier decision; "
                                                   f"{decision!r} is not before it"))
    if problems:
        raise InputError(problems)
    paths = _paths(loaded, None, {})
    for path, item in _selectable(protocol):  # an item whose arms and branches never meet is on no path
        if not any(on_path(item, p.arm, p.chosen) for p in paths):
            where = (*path, "branch") if item.branch else (*path, "arms")
            problems.append(doc.problem(where, "this is on no path of the design: no arm has the branches it "
                                               "follows (a decision limited to some arms has branches only there)"))
    if problems:
        raise InputError(problems)


def _selectable(protocol: Protocol) -> list[tuple[tuple[str | int, ...], OnPath]]:
    found: list[tuple[tuple[str | int, ...], OnPath]] = []
    for name in ("phases", "decisions", "assessments", "constraints"):
        found.extend(((name, i), item) for i, item in enumerate(getattr(protocol, name)))
    for i, assessment in enumerate(protocol.assessments):
        if isinstance(assessment.at, list):
            found.extend((("assessments", i, "at", j), point) for j, point in enumerate(assessment.at))
    return found


def _hint(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=2, cutoff=0.6)
    return f"; did you mean {' or '.join(close)}?" if close else f" (known: {', '.join(known) or 'none'})"


def choose_path(loaded: LoadedProtocol, arm: str | None = None, branches: Mapping[str, str] | None = None
                ) -> PathChoice:
    """The path of ``arm`` (default: the first) with ``branches`` (decision → branch; default: each decision's
    default branch); ``InputError`` naming ``--arm`` or ``--branch`` for a choice the protocol does not have."""
    check_design(loaded)
    protocol = loaded.protocol
    given = dict(branches or {})
    problems = _choice_problems(protocol, arm, given)
    if problems:
        raise InputError(problems)
    arm = _arm(protocol, arm) or (protocol.arms[0].id if protocol.arms else None)
    chosen: dict[str, str] = {}
    for decision in protocol.decisions:
        if on_path(decision, arm, chosen):
            chosen[decision.id] = given.pop(decision.id, decision.default_branch)
    if given:
        decision = next(iter(given))
        where = next(d for d in protocol.decisions if d.id == decision)
        raise InputError(Problem("--branch", None, "", f"decision {decision!r} is not on this path (it is "
                                                       f"{left_out(where, arm, chosen)})"))
    return PathChoice(arm, tuple(chosen.items()))


def patient_path(loaded: LoadedProtocol, arm: str | None, branches: Mapping[str, str] | None = None,
                 where: str = "--arm") -> PathChoice:
    """The path of one patient: in a study with arms the arm must be given (a calendar on the wrong arm is wrong
    for that patient); a decision not yet taken follows its default branch."""
    if arm is None and loaded.protocol.arms:
        arms = ", ".join(a.id for a in loaded.protocol.arms)
        raise InputError(Problem(where, None, "", f"{loaded.doc.file} has arms ({arms}): name the patient's arm"))
    return choose_path(loaded, arm, branches)


def _arm(protocol: Protocol, arm: str | None) -> str | None:
    """The arm asked for, matched without regard to case (``--arm A`` for arm ``a``)."""
    if arm is None:
        return None
    return next((a.id for a in protocol.arms if a.id == arm.lower() or a.id == arm), arm)


def _choice_problems(protocol: Protocol, arm: str | None, given: Mapping[str, str]) -> list[Problem]:
    problems = []
    arms = [a.id for a in protocol.arms]
    arm = _arm(protocol, arm)
    if arm is not None and arm not in arms:
        text = f"unknown arm {arm!r}{_hint(arm, arms)}" if arms else f"the protocol has no arms (asked for {arm!r})"
        problems.append(Problem("--arm", None, "", text))
    decisions = {d.id: d for d in protocol.decisions}
    for decision, branch in given.items():
        if decision not in decisions:
            problems.append(Problem("--branch", None, "", f"unknown decision {decision!r}"
                                                          f"{_hint(decision, list(decisions))}"))
        elif branch not in [b.id for b in decisions[decision].branches]:
            names = ", ".join(b.id for b in decisions[decision].branches)
            problems.append(Problem("--branch", None, "", f"decision {decision!r} has no branch {branch!r} "
                                                          f"(branches: {names})"))
    return problems


def all_paths(loaded: LoadedProtocol, arm: str | None = None, branches: Mapping[str, str] | None = None
              ) -> list[PathChoice]:
    """Every path of the design (only those of ``arm`` and through ``branches`` when given), in protocol order."""
    check_design(loaded)
    problems = _choice_problems(loaded.protocol, arm, branches or {})
    if problems:
        raise InputError(problems)
    return _paths(loaded, _arm(loaded.protocol, arm), branches or {})


def _paths(loaded: LoadedProtocol, arm: str | None, branches: Mapping[str, str]) -> list[PathChoice]:
    protocol = loaded.protocol
    arms = [arm] if arm is not None else [a.id for a in protocol.arms] or [None]
    paths: list[PathChoice] = []
    for each in arms:
        partial: list[dict[str, str]] = [{}]
        for decision in protocol.decisions:
            fixed = branches.get(decision.id)
            options = [fixed] if fixed else [b.id for b in decision.branches]
            grown = []
            for chosen, option in itertools.product(partial, options):
                grown.append({**chosen, decision.id: option} if on_path(decision, each, chosen) else chosen)
            partial = list({tuple(c.items()): c for c in grown}.values())
            if len(partial) * len(arms) > MAX_PATHS:
                raise InputError(loaded.doc.problem(("decisions",), f"the design has more than {MAX_PATHS} paths "
                                                                    f"(arms × branches): split the protocol"))
        paths.extend(PathChoice(each, tuple(chosen.items())) for chosen in partial)
    return paths
