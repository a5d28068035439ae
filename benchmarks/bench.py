"""Speed and memory of valuegrad against micrograd 0.1.0 (and PyTorch where installed).

Everything runs in this one process, with Python's garbage collector on, as users run
it; each measurement is repeated, alternating the engines run by run, and every figure is
reported as the median with its range over the runs: ``0.73 (0.70-0.81) us per node``.
A ratio between two engines is the median (and range) of the run-by-run ratios, run i of
one over run i of the other, not a ratio of medians: ``16.2x (14.7-16.7x)``.  Ratios
marked * pair the runs of two separate passes by index (the engines did not alternate).
The memory figure (tracemalloc) is deterministic and reported once.

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


def timed(fn: Callable[[], object], number: int = 1) -> float:
    """CPU seconds per call of ``fn`` (run ``number`` times), including collecting the
    garbage it left (its reference cycles), so that no engine's clean-up is charged to
    the next one measured.

    A collection also walks every live object of the process (modules, models, the other
    engines' data: 2 ms here before PyTorch is imported, 80 ms after), which is nobody's
    work: the time of an idle collection, measured right after, is taken off, and quick
    jobs run many times between collections so that its noise averages out.  CPU time,
    not wall time: on a shared machine the wait for a core is nobody's work either.
    """
    gc.collect()
    t = time.process_time()
    for _ in range(number):
        fn()
    gc.collect()
    elapsed = time.process_time() - t
    t = time.process_time()
    gc.collect()
    return (elapsed - (time.process_time() - t)) / number


def spread(xs: list[float], digits: int = 2, unit: str = "", width: int = 0) -> str:
    """``median (min-max)`` of ``xs``, e.g. ``0.73 (0.70-0.81)`` or ``16.2x (14.7-16.7x)``;
    the median right-aligned in ``width`` characters."""
    m, lo, hi = statistics.median(xs), min(xs), max(xs)
    return f"{m:{width}.{digits}f}{unit} ({lo:.{digits}f}-{hi:.{digits}f}{unit})"


def paired(a: list[float], b: list[float], digits: int = 1) -> str:
    """The run-by-run ratios a[i] / b[i], as ``median (min-max)``."""
    return spread([x / y for x, y in zip(a, b, strict=True)], digits, "x")


def compare(
    name: str, jobs: dict[str, Callable[[], object]], repeats: int, number: int = 1
) -> dict[str, list[float]]:
    """Seconds per call of each job, one list per job, the jobs alternating run by run."""
    times: dict[str, list[float]] = {k: [] for k in jobs}
    for _ in range(repeats):
        for key, job in jobs.items():
            times[key].append(timed(job, number))
    print(f"\n{name}")
    calls = f" per call (runs of {number} calls)" if number > 1 else ""
    for k, v in times.items():
        print(f"  {k:<12} {spread([t * 1e3 for t in v], width=10)} ms{calls}")
    return times


class TracedDemo:
    """micrograd's demo step replayed from programs traced once: the per-sample loss
    (hinge of one row) and the L2 term, with the parameters as inputs.

    The float replay is bit-identical to the Value path's step: rows are replayed last to
    first with seed 1/n, each adding into the gradients left by the L2 term, as backward()
    visits the whole step's graph.  The numpy replay runs every row at once.
    """

    def __init__(self, model, X: list[list[float]], y: list[float]) -> None:
        from autograd import trace

        params = model.parameters()

        def sample(ps, row, t):
            return (1 + -t * model(row)).relu()

        def l2(ps):
            return 1e-4 * sum(p * p for p in ps)

        t0 = time.process_time()
        self.sample = trace(sample, params, X[0], y[0])
        self.batch = trace(sample, params, X[0], y[0], backend="numpy")
        self.l2 = trace(l2, params)
        self.trace_seconds = time.process_time() - t0
        t0 = time.process_time()
        self.sample.value_and_grad([p.data for p in params], X[0], y[0])
        self.compile_seconds = time.process_time() - t0
        self.params = [p.data for p in params]
        self.rows = list(zip(reversed(X), reversed(y)))
        self.n = len(X)
        self.columns = None

    def step(self, k: int) -> float:
        pv, n = self.params, self.n
        reg, (acc,) = self.l2.value_and_grad(pv)
        losses = []
        for row, t in self.rows:
            value, (acc, _, _) = self.sample.value_and_grad(
                pv, row, t, seed=1.0 / n, start=(acc, None, None)
            )
            losses.append(value)
        total = 0.0
        for value in reversed(losses):  # sum(losses): first row first, from 0
            total = total + value
        lr = 1.0 - 0.9 * k / 100
        pv[:] = [p - lr * g for p, g in zip(pv, acc)]
        return total * (1.0 / n) + reg

    def numpy_step(self, k: int) -> float:
        import numpy as np

        if self.columns is None:
            rows = [r for r, _ in reversed(self.rows)]
            self.columns = [np.array([r[i] for r in rows]) for i in range(len(rows[0]))]
            self.targets = np.array([t for _, t in reversed(self.rows)])
        pv, n = self.params, self.n
        reg, (greg,) = self.l2.value_and_grad(pv)
        values, (g, _, _) = self.batch.value_and_grad(pv, self.columns, self.targets, seed=1.0 / n)
        lr = 1.0 - 0.9 * k / 100
        pv[:] = [p - lr * (a + b) for p, a, b in zip(pv, greg, g)]
        return float(values.sum()) * (1.0 / n) + reg


def interpreter(program):
    """The design not taken, kept to measure it: value_and_grad of ``program`` by a loop
    over its IR (forward equations, then the backward program's blocks), the slots in a
    list, + - * written out: the same operations in the same order as the generated code."""
    from autograd import ops

    ADD, SUB, MUL = ops.ADD, ops.SUB, ops.MUL
    b = program.backward
    size = program.num_slots
    constants = [*program.constants.items(), *b.constants.items()]
    forward = [(op, ins, out) for op, ins, out in program.equations]
    blocks = [(blk.gradient, b.equations[blk.start : blk.stop]) for blk in b.blocks]
    head = b.equations[: b.blocks[0].start] if b.blocks else list(b.equations)
    n = program.num_inputs

    def run(equations, v):
        for op, ins, out in equations:
            if op is MUL:
                v[out] = v[ins[0]] * v[ins[1]]
            elif op is ADD:
                v[out] = v[ins[0]] + v[ins[1]]
            elif op is SUB:
                v[out] = v[ins[0]] - v[ins[1]]
            else:
                v[out] = op.forward(*[v[i] for i in ins])

    def value_and_grad(leaves: list[float]) -> tuple[float, list[float]]:
        v = [0.0] * size
        v[:n] = leaves
        for s, c in constants:
            v[s] = c
        run(forward, v)
        v[b.seed] = 1.0
        run(head, v)
        for gradient, equations in blocks:
            if v[gradient]:  # a gradient of 0 passes nothing on
                run(equations, v)
        return v[b.root], [v[s] for s in b.starts]

    return value_and_grad


def torch_demo(model, X: list[list[float]], y: list[float]):
    """The same step on PyTorch: nn.Sequential in float64 on the whole batch, weights
    copied from ``model`` (an MLP(2, [16, 16, 1]) of nets)."""
    import torch

    layers = []
    for i, layer in enumerate(model.layers):
        linear = torch.nn.Linear(layer.nin, layer.nout).double()
        with torch.no_grad():
            linear.weight.copy_(
                torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64)
            )
            linear.bias.copy_(torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64))
        layers.append(linear)
        if i < len(model.layers) - 1:
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    xs = torch.tensor(X, dtype=torch.float64)
    ys = torch.tensor(y, dtype=torch.float64)

    def step(k: int) -> float:
        scores = net(xs).squeeze(1)
        loss = torch.relu(1 - ys * scores).mean() + 1e-4 * sum(
            (p * p).sum() for p in net.parameters()
        )
        net.zero_grad()
        loss.backward()
        lr = 1.0 - 0.9 * k / 100
        with torch.no_grad():
            for p in net.parameters():
                p -= lr * p.grad
        return loss.item()

    return step


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    args = parser.parse_args(argv)
    links = 20_000 if args.quick else 100_000
    repeats = 3 if args.quick else 7
    # micrograd's recursive topological sort needs this for a deep chain; ours does not.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 8 * links))
    print(f"Python {sys.version.split()[0]}, garbage collector {'on' if gc.isenabled() else 'off'}")
    print(
        f"CPU time, median (min-max) of {repeats} runs, the engines alternating run by run; "
        "each timing includes collecting the garbage the run left"
    )
    print(
        f"ratios: median (min-max) of the {repeats} run-by-run ratios, run i over run i "
        "(* : of two separate passes, not alternating)"
    )

    nodes = 4 * links + 2
    jobs = {
        "valuegrad": lambda: chain_step(autograd.Value, links),
        "micrograd": lambda: chain_step(micrograd.engine.Value, links),
    }
    t = compare(
        f"chain of {links:,} links x = relu(x * w + 0.5) ({3 * links:,} operations), "
        "forward + backward + freeing the graph",
        jobs,
        repeats,
    )
    for k, v in t.items():
        print(f"  {k:<12} {spread([s / nodes * 1e6 for s in v], width=10)} us per node")
    print(f"  speed-up over micrograd: {paired(t['micrograd'], t['valuegrad'])}")

    mem_links = 20_000
    ours = bytes_per_node(autograd.Value, mem_links)
    theirs = bytes_per_node(micrograd.engine.Value, mem_links)
    print(f"\nmemory after backward, chain of {mem_links:,} links (tracemalloc, deterministic)")
    print(f"  valuegrad    {ours:10.0f} bytes per node")
    print(f"  micrograd    {theirs:10.0f} bytes per node")
    print(f"  ratio: {ours / theirs:.2f} of micrograd's ({theirs / ours:.1f}x less)")

    try:
        import nets
    except ImportError:
        print("\nnets is not installed: training-step benchmark skipped")
        return torch_phase(links, repeats, None)
    import random

    X, y = moons(100)
    random.seed(1337)
    ours_model = nets.MLP(2, [16, 16, 1])
    random.seed(1337)
    their_model = micrograd.nn.MLP(2, [16, 16, 1])
    random.seed(1337)
    traced = TracedDemo(nets.MLP(2, [16, 16, 1]), X, y)
    check_traced_step(traced, X, y)
    steps = {"valuegrad": 0, "micrograd": 0, "traced": 0}

    def step(key: str, run: Callable[[int], object]) -> None:
        run(steps[key] % 100)
        steps[key] += 1

    t = compare(
        "one training step of micrograd's demo: MLP(2, [16, 16, 1]), 100 moons points, "
        "hinge + L2, SGD",
        {
            "valuegrad": lambda: step("valuegrad", lambda k: train_step(ours_model, X, y, k)),
            "micrograd": lambda: step("micrograd", lambda k: train_step(their_model, X, y, k)),
        },
        repeats,
    )
    t.update(
        compare(
            "the same step replayed from the traced programs, on floats",
            {"traced": lambda: step("traced", traced.step)},
            repeats,
            number=20,
        )
    )
    run = interpreter(traced.sample)
    flat = [traced.params + list(row) + [target] for row, target in traced.rows]
    assert run(flat[0])[0] == traced.sample(traced.params, *traced.rows[0])
    rows = traced.rows
    u = compare(
        "one sample's value and gradients for the 100 rows: generated code or an "
        "interpreter over the steps",
        {
            "generated": lambda: [
                traced.sample.value_and_grad(traced.params, r, y) for r, y in rows
            ],
            "interpreter": lambda: [run(args) for args in flat],
        },
        repeats,
        number=10,
    )
    print(f"  the generated code is {paired(u['interpreter'], u['generated'])} faster")
    print(f"  Value path (define-by-run) over micrograd: {paired(t['micrograd'], t['valuegrad'])}")
    ratio = paired(t["micrograd"], t["traced"], 0)
    print(f"  traced, float replay (bit-identical), over micrograd: {ratio} *")
    print(f"  traced over the Value path: {paired(t['valuegrad'], t['traced'])} *")
    print(
        f"  tracing took {traced.trace_seconds * 1e3:.0f} ms, compiling the "
        f"{len(traced.sample)}-operation sample program {traced.compile_seconds * 1e3:.0f} ms "
        "(once each, a single run)"
    )
    return torch_phase(links, repeats, (traced, X, y, t["micrograd"]))


def check_traced_step(traced: TracedDemo, X: list[list[float]], y: list[float]) -> None:
    """Three traced steps against three Value-path steps from the same weights: the same
    losses and parameters bit for bit (the numpy replay is checked to 1e-12 in torch_phase)."""
    import random

    import nets

    random.seed(1337)
    model = nets.MLP(2, [16, 16, 1])
    saved = list(traced.params)
    for k in range(3):
        want = train_step(model, X, y, k)
        assert traced.step(k) == want, "traced step: loss differs from the Value path"
    assert traced.params == [p.data for p in model.parameters()], "traced step: parameters"
    traced.params[:] = saved
    print("\ntraced step checked: 3 steps, losses and parameters bit-identical to the Value path")


def torch_phase(links: int, repeats: int, demo: tuple | None) -> int:
    """PyTorch last: importing it enlarges the heap that the collector walks."""
    try:
        import torch
    except ImportError:
        print("\nPyTorch is not installed: its comparison is skipped")
        return 0
    torch.set_num_threads(1)  # one core, as the Python engines use
    if demo is not None:
        import random

        import nets

        traced, X, y, micrograd_seconds = demo
        random.seed(1337)
        model = nets.MLP(2, [16, 16, 1])
        torch_step = torch_demo(model, X, y)
        traced.params[:] = [p.data for p in model.parameters()]  # the same start
        saved = list(traced.params)
        for k in range(3):
            a, b = traced.numpy_step(k), torch_step(k)
            assert abs(a - b) <= 1e-12 * abs(b), f"numpy replay {a!r} vs PyTorch {b!r}"
        traced.params[:] = saved
        torch_step = torch_demo(model, X, y)
        steps = {"numpy": 0, "pytorch": 0}

        def step(key: str, run: Callable[[int], object]) -> None:
            run(steps[key] % 100)
            steps[key] += 1

        t = compare(
            "the same step on a whole batch: the traced program on numpy arrays, and "
            "PyTorch's nn.Sequential in float64 (1 thread); losses checked equal to 1e-12",
            {
                "numpy": lambda: step("numpy", traced.numpy_step),
                "pytorch": lambda: step("pytorch", torch_step),
            },
            repeats,
            number=50,
        )
        print(f"  numpy replay over micrograd: {paired(micrograd_seconds, t['numpy'], 0)} *")
        print(f"  PyTorch over micrograd: {paired(micrograd_seconds, t['pytorch'], 0)} *")
        print(f"  numpy replay takes {paired(t['numpy'], t['pytorch'])} PyTorch's time")
    t = compare(
        f"chain of {links:,} links on PyTorch scalars (float64), forward + backward",
        {
            "valuegrad": lambda: chain_step(autograd.Value, links),
            "pytorch": lambda: torch_chain_step(links),
        },
        repeats,
    )
    print(f"  speed-up over PyTorch: {paired(t['pytorch'], t['valuegrad'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
