"""Random numbers for simulations: named streams and duration distributions.

Every sample comes from a stream derived from ``(seed, replicate, subject, stream name)`` through numpy's
``SeedSequence`` spawn keys, never from a global generator: the same seed gives the same draws however the
replicates are spread over processes, and adding a subject or a stream leaves every other draw unchanged.

>>> a = stream(7, 0, 3, "dropout").random()
>>> a == stream(7, 0, 3, "dropout").random(), a == stream(7, 0, 4, "dropout").random()
(True, False)
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import numpy as np

from schedsim.language.durations import Duration
from schedsim.language.model import DistributionSpec

Z95 = 1.6448536269514722  # the standard normal's 95th percentile


def stream(seed: int, replicate: int, subject: int, name: str) -> np.random.Generator:
    """The generator of one named stream of one subject in one replicate."""
    key = zlib.crc32(name.encode("utf-8"))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(replicate, subject, key))))


def _days(duration: Duration) -> float:
    return duration.approx_days


@dataclass(frozen=True, slots=True)
class Distribution:
    """A distribution of whole days: ``sample``, ``mean`` and ``quantile`` (of the continuous law)."""

    kind: str
    params: tuple[float, ...]

    @classmethod
    def from_spec(cls, spec: DistributionSpec) -> Distribution:
        if spec.fixed is not None:
            return cls("fixed", (_days(spec.fixed),))
        if spec.uniform is not None:
            return cls("uniform", tuple(_days(d) for d in spec.uniform))
        if spec.triangular is not None:
            return cls("triangular", tuple(_days(d) for d in spec.triangular))
        if spec.lognormal is not None:
            median, p95 = _days(spec.lognormal.median), _days(spec.lognormal.p95)
            return cls("lognormal", (math.log(median), (math.log(p95) - math.log(median)) / Z95))
        assert spec.exponential is not None
        return cls("exponential", (_days(spec.exponential.mean),))

    def sample(self, rng: np.random.Generator) -> int:
        """One draw, rounded to whole days (uniform: each day of the range equally likely)."""
        p = self.params
        if self.kind == "fixed":
            return round(p[0])
        if self.kind == "uniform":
            return int(rng.integers(round(p[0]), round(p[1]) + 1))
        if self.kind == "triangular":
            return round(rng.triangular(p[0], p[1], p[2]) if p[0] < p[2] else p[0])
        if self.kind == "lognormal":
            return round(rng.lognormal(p[0], p[1]))
        return round(rng.exponential(p[0]))

    @property
    def mean(self) -> float:
        p = self.params
        if self.kind == "fixed":
            return p[0]
        if self.kind == "uniform":
            return (round(p[0]) + round(p[1])) / 2
        if self.kind == "triangular":
            return sum(p) / 3
        if self.kind == "lognormal":
            return math.exp(p[0] + p[1] ** 2 / 2)
        return p[0]

    def describe(self) -> dict[str, object]:
        """The parameters as written into outputs."""
        p = self.params
        if self.kind == "lognormal":
            return {"lognormal": {"median_days": round(math.exp(p[0]), 3),
                                  "p95_days": round(math.exp(p[0] + Z95 * p[1]), 3)}}
        return {self.kind: [round(x, 3) for x in p] if len(p) > 1 else round(p[0], 3)}
