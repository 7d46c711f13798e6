"""The study design: arms (randomised or assigned) and decision points whose branches choose what follows.

A phase, assessment, decision or timing constraint is on every path unless it says ``arms: [..]`` (only in those
arms) or ``branch: decision.branch`` (only when that decision took that branch; a list allows several branches).
One arm and one branch of each decision make a *path*: one patient's schedule, compiled as one timeline.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, StrictInt, model_validator

from schedsim.language.model.types import AnchorField, Assumed, Id, StrictModel, require_unique

_BRANCH = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"
BranchRef = Annotated[str, Field(pattern=_BRANCH, description="decision.branch: 'post_consolidation.no_cr'")]


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


class OnPath(StrictModel):
    """What selects an item for a path: the arms it belongs to, the decision branches it follows."""

    arms: list[Id] | None = Field(None, min_length=1, description="only in these arms (every arm when absent)")
    branch: Annotated[list[BranchRef] | None, BeforeValidator(_as_list)] = Field(
        None, description="only after this decision branch ('post_consolidation.no_cr'), or one of several")


class Arm(StrictModel):
    """One arm of a multi-arm study."""

    id: Id
    label: str
    allocation: StrictInt = Field(1, ge=1, le=100, description="randomisation weight (2 and 1 for 2:1); for assigned "
                                                         "arms, the expected share in simulations")
    description: str | None = None
    assumed: Assumed = None


class Branch(StrictModel):
    """One way out of a decision point."""

    id: Id
    label: str
    probability: float | None = Field(None, ge=0, le=1, description="share of patients taking it, for simulation "
                                                                     "(a scenario may set its own)")
    assumed: Assumed = None


class Decision(OnPath):
    """A named decision point: at a time point, the patient goes down one of its branches."""

    id: Id
    label: str = Field(description="the question: 'CR after consolidation?'")
    at: AnchorField = Field(description="when it is taken: 'response.post_consolidation' (an assessment)")
    branches: list[Branch] = Field(min_length=2, max_length=12)
    default: Id | None = Field(None, description="the branch a timeline shows when none is chosen (the first)")
    assumed: Assumed = None

    @model_validator(mode="after")
    def _check(self) -> Decision:
        ids = [branch.id for branch in self.branches]
        require_unique("duplicate branch id(s)", ids)
        if self.default is not None and self.default not in ids:
            raise ValueError(f"default {self.default!r} is not one of the branches ({', '.join(ids)})")
        given = [branch.probability for branch in self.branches if branch.probability is not None]
        if given and len(given) != len(ids):
            raise ValueError("give every branch a probability, or none (then they are equally likely)")
        if given and not math.isclose(sum(given), 1.0, abs_tol=1e-6):
            raise ValueError(f"branch probabilities add up to {sum(given):g}, not 1")
        return self

    @property
    def default_branch(self) -> str:
        return self.default or self.branches[0].id

    def probabilities(self) -> dict[str, float]:
        """Each branch's probability (equal shares when the protocol gives none)."""
        if self.branches[0].probability is None:
            return {branch.id: 1 / len(self.branches) for branch in self.branches}
        return {branch.id: branch.probability or 0.0 for branch in self.branches}


ArmAssignment = Literal["randomised", "assigned"]
