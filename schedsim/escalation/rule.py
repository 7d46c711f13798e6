"""The i3+3 dose-escalation rule (Liu, Wang & Ji, J Biopharm Stat 2020) and its decision table.

With y DLTs among n patients at the current dose, target toxicity p_T and equivalence interval EI = [EI1, EI2]:
y/n < EI1 escalate (E); EI1 ≤ y/n ≤ EI2 stay (S); y/n > EI2 stay if (y−1)/n < EI1, else de-escalate (D). Safety:
if Pr(p > p_T | y, n) > 0.95 under a Beta(y+1, n−y+1) posterior, de-escalate and exclude this and every higher
dose (DU). The posterior tail is exact: Pr(p > p_T) = Pr(Binomial(n+1, p_T) ≤ y).

>>> [decide(y, 3, 0.3, (0.25, 0.35)) for y in range(4)]
['E', 'S', 'D', 'DU']
>>> decide(2, 5, 0.3, (0.25, 0.35))  # 2/5 > 0.35, but 1/5 < 0.25: stay
'S'
"""

from __future__ import annotations

import csv
import io
import json
from math import comb
from typing import Literal

from schedsim.errors import InputError, Problem

Decision = Literal["E", "S", "D", "DU"]
MAX_N = 200
EPSILON = 1e-12  # y/n on an interval's edge counts as inside it


def posterior_tail(y: int, n: int, target: float) -> float:
    """Pr(p > target) under the Beta(y+1, n−y+1) posterior of y DLTs in n patients.

    >>> round(posterior_tail(3, 3, 0.3), 4)
    0.9919
    """
    return sum(comb(n + 1, j) * target**j * (1 - target) ** (n + 1 - j) for j in range(y + 1))


def decide(y: int, n: int, target: float, ei: tuple[float, float], safety: float = 0.95) -> Decision:
    """The i3+3 decision after ``y`` DLTs in ``n`` patients at the current dose."""
    if not 0 <= y <= n or n < 1:
        raise ValueError(f"need 0 <= y <= n and n >= 1, got y={y}, n={n}")
    if posterior_tail(y, n, target) > safety:
        return "DU"
    low, high = ei
    rate = y / n
    if rate < low - EPSILON:
        return "E"
    if rate <= high + EPSILON:
        return "S"
    return "S" if (y - 1) / n < low - EPSILON else "D"


def check_design(target: float, ei: tuple[float, float], max_n: int, safety: float = 0.95) -> None:
    """``InputError`` unless 0 < EI1 < p_T < EI2 < 1, 1 ≤ max_n ≤ 200 and 0.5 ≤ safety < 1."""
    problems = []
    low, high = ei
    if not 0 < low < target < high < 1:
        problems.append(Problem("--ei", None, "", f"need 0 < EI1 < target < EI2 < 1, got EI = [{low}, {high}] "
                                                  f"and target {target}"))
    if not 1 <= max_n <= MAX_N:
        problems.append(Problem("--max-n", None, "", f"give 1 to {MAX_N} patients, not {max_n}"))
    if not 0.5 <= safety < 1:
        problems.append(Problem("--safety", None, "", f"the safety cut-off is a probability in [0.5, 1), not {safety}"))
    if problems:
        raise InputError(problems)


def decision_table(target: float, ei: tuple[float, float], max_n: int, safety: float = 0.95
                   ) -> dict[int, dict[int, Decision]]:
    """Every decision: ``table[n][y]`` for 1 ≤ n ≤ max_n and 0 ≤ y ≤ n."""
    check_design(target, ei, max_n, safety)
    return {n: {y: decide(y, n, target, ei, safety) for y in range(n + 1)} for n in range(1, max_n + 1)}


def table_json(target: float, ei: tuple[float, float], max_n: int, safety: float = 0.95) -> str:
    table = decision_table(target, ei, max_n, safety)
    data = {"target": target, "ei": list(ei), "safety": safety,
            "table": {str(n): {str(y): d for y, d in row.items()} for n, row in table.items()}}
    return json.dumps(data, indent=2) + "\n"


def table_csv(target: float, ei: tuple[float, float], max_n: int, safety: float = 0.95) -> str:
    """Rows y, columns n (as the published design shows it); blank where y > n."""
    table = decision_table(target, ei, max_n, safety)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["y\\n", *table])
    for y in range(max_n + 1):
        writer.writerow([y, *(row.get(y, "") for row in table.values())])
    return out.getvalue()


def table_text(target: float, ei: tuple[float, float], max_n: int, safety: float = 0.95) -> str:
    table = decision_table(target, ei, max_n, safety)
    width = 3
    lines = [f"i3+3 decisions: target {target}, EI [{ei[0]}, {ei[1]}], safety {safety} "
             "(E escalate, S stay, D de-escalate, DU de-escalate and exclude this and higher doses)",
             "y\\n".ljust(4) + "".join(str(n).rjust(width) for n in table)]
    for y in range(max_n + 1):
        lines.append(str(y).ljust(4) + "".join(row.get(y, "").rjust(width) for row in table.values()))
    return "\n".join(lines) + "\n"


def parse_interval(text: str) -> tuple[float, float]:
    """``"0.25,0.35"`` → (0.25, 0.35); ``InputError`` otherwise."""
    try:
        low, high = (float(part) for part in text.split(","))
    except ValueError:
        raise InputError(Problem("--ei", None, "", f"expected two numbers such as 0.25,0.35, got {text!r}")) from None
    return low, high


def parse_probabilities(text: str) -> list[float]:
    """``"0.05,0.15,0.3"`` → [0.05, 0.15, 0.3]; ``InputError`` otherwise."""
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise InputError(Problem("--true-dlt", None, "", f"expected numbers such as 0.05,0.15,0.3, got {text!r}")
                         ) from None


Format = Literal["text", "csv", "json"]
RENDER = {"text": table_text, "csv": table_csv, "json": table_json}
