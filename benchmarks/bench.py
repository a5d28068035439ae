"""Speed and memory of valuegrad against micrograd 0.1.0 (and PyTorch where installed).

Everything runs in this one process, with Python's garbage collector on, as users run
it; each measurement is repeated, alternating the engines, and the median is reported.

    python benchmarks/bench.py            # full run (about a minute)
    python benchmarks/bench.py --quick    # smaller sizes, fewer repeats
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable

import autograd

try:
    import micrograd.engine
    import micrograd.nn
except ImportError:  # pragma: no cover - the Makefile installs it
    sys.exit("micrograd is missing: pip install micrograd==0.1.0 (or use `make bench`)")


def chain(Value: type, links: int):
    """x <- relu(x * w + 0.5), ``links`` times: four nodes per link."""
    x, w = Value(0.3), Value(0.999)
    for _ in range(links):
        x = (x * w + 0.5).relu()
    return x, w


def chain_step(Value: type, links: int) -> None:
    x, w = chain(Value, links)
    x.backward()
    assert w.grad != 0.0


def torch_chain_step(links: int) -> None:
    import torch

    x = torch.tensor(0.3, dtype=torch.float64)
    w = torch.tensor(0.999, dtype=torch.float64, requires_grad=True)
    for _ in range(links):
        x = torch.relu(x * w + 0.5)
    x.backward()


def bytes_per_node(Value: type, links: int) -> float:
    """Memory held by the chain's graph after backward, per node (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    x, w = chain(Value, links)
    x.backward()
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del x, w
    return held / (4 * links + 2)


def moons(n: int) -> tuple[list[list[float]], list[float]]:
    from nets.data import make_moons

    X, y = make_moons(n_samples=n, noise=0.1, seed=1)
    return X, [2.0 * label - 1.0 for label in y]


def train_step(model, X: list[list[float]], y: list[float], k: int) -> float:
    """One step of micrograd's demo: hinge loss + 1e-4 L2, full batch, SGD with decay."""
    scores = [model(row) for row in X]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    loss = data_loss + reg_loss
    model.zero_grad()
    loss.backward()
    lr = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss.data


def timed(fn: Callable[[], object]) -> float:
    """CPU seconds for ``fn`` and for collecting the garbage it left (its reference
    cycles), so that no engine's clean-up is charged to the next one measured.  CPU time,
    not wall time: on a shared machine the wait for a core is nobody's work."""
    gc.collect()
    t = time.process_time()
    fn()
    gc.collect()
    return time.process_time() - t


def compare(name: str, jobs: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    times: dict[str, list[float]] = {k: [] for k in jobs}
    for _ in range(repeats):
        for key, job in jobs.items():
            times[key].append(timed(job))
    medians = {k: statistics.median(v) for k, v in times.items()}
    print(f"\n{name}")
    for k, t in medians.items():
        print(f"  {k:<12} {t * 1e3:10.1f} ms  (median of {repeats})")
    return medians


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    args = parser.parse_args(argv)
    links = 20_000 if args.quick else 100_000
    repeats = 3 if args.quick else 5
    # micrograd's recursive topological sort needs this for a deep chain; ours does not.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 8 * links))
    print(f"Python {sys.version.split()[0]}, garbage collector {'on' if gc.isenabled() else 'off'}")

    nodes = 4 * links + 2
    jobs = {
        "valuegrad": lambda: chain_step(autograd.Value, links),
        "micrograd": lambda: chain_step(micrograd.engine.Value, links),
    }
    t = compare(
        f"chain of {links:,} links x = relu(x * w + 0.5), forward + backward", jobs, repeats
    )
    for k, v in t.items():
        print(f"  {k:<12} {v / nodes * 1e6:10.2f} us per node")
    print(f"  speed-up over micrograd: {t['micrograd'] / t['valuegrad']:.1f}x")

    mem_links = 20_000
    ours = bytes_per_node(autograd.Value, mem_links)
    theirs = bytes_per_node(micrograd.engine.Value, mem_links)
    print(f"\nmemory after backward, chain of {mem_links:,} links (tracemalloc)")
    print(f"  valuegrad    {ours:10.0f} bytes per node")
    print(f"  micrograd    {theirs:10.0f} bytes per node")
    print(f"  ratio: {ours / theirs:.2f} of micrograd's ({theirs / ours:.1f}x less)")

    try:
        import nets
    except ImportError:
        print("\nnets is not installed: training-step benchmark skipped")
        return torch_phase(links, repeats)
    import random

    X, y = moons(100)
    random.seed(1337)
    ours_model = nets.MLP(2, [16, 16, 1])
    random.seed(1337)
    their_model = micrograd.nn.MLP(2, [16, 16, 1])
    ours_x = X
    steps = {"valuegrad": 0, "micrograd": 0}

    def step(key: str, model) -> None:
        train_step(model, ours_x, y, steps[key] % 100)
        steps[key] += 1

    t = compare(
        "one training step of micrograd's demo: MLP(2, [16, 16, 1]), 100 moons points",
        {
            "valuegrad": lambda: step("valuegrad", ours_model),
            "micrograd": lambda: step("micrograd", their_model),
        },
        repeats,
    )
    print(f"  speed-up over micrograd: {t['micrograd'] / t['valuegrad']:.1f}x")
    return torch_phase(links, repeats)


def torch_phase(links: int, repeats: int) -> int:
    """PyTorch last: importing it enlarges the heap that the collector walks."""
    try:
        import torch  # noqa: F401
    except ImportError:
        print("\nPyTorch is not installed: its comparison is skipped")
        return 0
    t = compare(
        f"chain of {links:,} links on PyTorch scalars (float64), forward + backward",
        {
            "valuegrad": lambda: chain_step(autograd.Value, links),
            "pytorch": lambda: torch_chain_step(links),
        },
        repeats,
    )
    print(f"  speed-up over PyTorch: {t['pytorch'] / t['valuegrad']:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
