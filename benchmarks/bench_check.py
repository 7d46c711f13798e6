"""Benchmark: ``schedsim check`` on seed 000, and the temporal-network check on a 5,000-event protocol.

Targets (issue 5): checking seed 000 in-process under 100 ms; the network check of a 5,000-event network under 2 s
(a 16-year seed-000 protocol, consistent and with a conflict, and a random network with no structure to exploit).
Baselines measured in the same run: for seed 000, loading and compiling it (what every command does first); for the
network, one relaxation sweep over all its edges (the least any shortest-path check does) and textbook
Bellman–Ford with early exit (what ``stn.py`` replaced).

Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_check.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

from benchtools import median_seconds  # a sibling module: scripts run from benchmarks/

from schedsim.check.checker import check_file
from schedsim.check.links import rule_links
from schedsim.check.network import find_conflicts, placement_links, planned_times
from schedsim.compile.compiler import compile_file, compile_protocol
from schedsim.compile.ir import Timeline
from schedsim.compile.stn import Edge, distance_edges, negative_cycle
from schedsim.language.loader import load_protocol

ROOT = Path(__file__).resolve().parent.parent
SEED_000 = ROOT / "protocols" / "ppcl-vrd-cart-asct-cart2.yaml"


def big_protocol(folder: Path, conflict: bool) -> Path:
    """Seed 000 run for 16 years (about 5,000 events: 200 maintenance cycles), optionally with CAR-T #2 at ASCT + 90 d
    and maintenance at + 60 d (a conflict to find and explain)."""
    text = SEED_000.read_text(encoding="utf-8")
    text = text.replace("value: induction.start + 2y", "value: induction.start + 16y")
    text = text.replace("seed: ../seeds/", f"seed: {ROOT / 'seeds'}/")
    if conflict:
        text = text.replace("value: asct.transplant + 60d", "value: asct.transplant + 90d").replace(
            "start: asct.transplant + 100d", "start: asct.transplant + 60d")
    path = folder / ("big-conflict.yaml" if conflict else "big.yaml")
    path.write_text(text, encoding="utf-8")
    return path


def network_check(timeline: Timeline) -> int:
    times = planned_times(timeline)
    landmarks = {phase.reference for phase in timeline.phases if phase.reference}
    conflicts, _ = find_conflicts(placement_links(timeline), rule_links(timeline, times, set()), times, landmarks)
    return len(conflicts)


def edges_of(timeline: Timeline) -> list[Edge]:
    times = planned_times(timeline)
    links = placement_links(timeline) + rule_links(timeline, times, set())
    return [edge for link in links for edge in link.edges()]


def one_sweep(edges: list[Edge]) -> None:
    distance = dict.fromkeys((n for e in edges for n in (e.source, e.target)), 0.0)
    for edge in edges:
        candidate = distance[edge.source] + edge.weight
        if candidate < distance[edge.target]:
            distance[edge.target] = candidate


def textbook_bellman_ford(edges: list[Edge]) -> bool:
    """Consistent? Rounds over every edge until nothing changes (at most V rounds)."""
    distance = dict.fromkeys((n for e in edges for n in (e.source, e.target)), 0.0)
    for _ in range(len(distance)):
        changed = False
        for edge in edges:
            candidate = distance[edge.source] + edge.weight
            if candidate < distance[edge.target] - 1e-9:
                distance[edge.target] = candidate
                changed = True
        if not changed:
            return True
    return False


def random_network(nodes: int, seed: int = 5) -> list[Edge]:
    """A consistent network with no structure to exploit: each node within a window of a random earlier node's time
    (a hidden schedule), plus as many random constraints between any two nodes that the schedule meets."""
    rng = random.Random(seed)
    times = [rng.randint(0, 5 * nodes) for _ in range(nodes)]
    edges: list[Edge] = []
    pairs = [(rng.randrange(i), i) for i in range(1, nodes)]
    pairs += [(rng.randrange(nodes), rng.randrange(nodes)) for _ in range(nodes)]
    for a, b in pairs:
        gap = times[b] - times[a]
        edges += distance_edges(a, b, gap - rng.randint(0, 7), gap + rng.randint(0, 7))
    return edges


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    check = median_seconds(lambda: check_file(SEED_000), args.runs)
    baseline = median_seconds(lambda: compile_protocol(load_protocol(SEED_000)), args.runs)
    events = len(compile_file(SEED_000).events)
    print(f"seed 000 ({events} events), median of {args.runs} runs")
    print(f"  check (load + compile + network + rules)  {check * 1000:7.1f} ms  (target < 100 ms: "
          f"{'met' if check < 0.1 else 'NOT met'})")
    print(f"  baseline: load + compile                  {baseline * 1000:7.1f} ms  (ratio {check / baseline:.1f}x)")

    with tempfile.TemporaryDirectory() as folder:
        for conflict in (False, True):
            timeline = compile_file(big_protocol(Path(folder), conflict))
            edges = edges_of(timeline)
            runs = max(3, args.runs // 4)
            found = network_check(timeline)
            took = median_seconds(lambda t=timeline: network_check(t), runs)
            sweep = median_seconds(lambda e=edges: one_sweep(e), runs)
            textbook = median_seconds(lambda e=edges: textbook_bellman_ford(e), max(1, runs // 3), warm_up=False)
            what = f"with a conflict ({found} found and explained)" if conflict else f"consistent ({found} conflicts)"
            print(f"network of {len(timeline.events)} events, {len(edges)} edges, {what}")
            print(f"  network check                            {took * 1000:7.1f} ms  (target < 2 s: "
                  f"{'met' if took < 2 else 'NOT met'})")
            print(f"  baseline: one relaxation sweep           {sweep * 1000:7.1f} ms  (ratio {took / sweep:.1f}x)")
            print(f"  textbook Bellman-Ford (early exit)       {textbook * 1000:7.1f} ms  "
                  f"(speed-up {textbook / took:.1f}x)")

    edges = random_network(5000)
    assert negative_cycle(edges) is None
    took = median_seconds(lambda: negative_cycle(edges), 3)
    sweep = median_seconds(lambda: one_sweep(edges), 3)
    textbook = median_seconds(lambda: textbook_bellman_ford(edges), 1, warm_up=False)
    print(f"random consistent network of 5000 nodes, {len(edges)} edges, no start guess")
    print(f"  negative-cycle search                    {took * 1000:7.1f} ms  (target < 2 s: "
          f"{'met' if took < 2 else 'NOT met'})")
    print(f"  baseline: one relaxation sweep           {sweep * 1000:7.1f} ms  (ratio {took / sweep:.1f}x)")
    print(f"  textbook Bellman-Ford (early exit)       {textbook * 1000:7.1f} ms  (speed-up {textbook / took:.1f}x)")


if __name__ == "__main__":
    main()
