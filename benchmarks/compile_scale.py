"""How tracing and compiling scale: time and memory per operation, up to a million.

    python benchmarks/compile_scale.py                  # 100k, 300k and 1M operations
    python benchmarks/compile_scale.py 30000 --runs 3   # other sizes, medians of 3 runs

The program is the chain x = relu(x * w + 0.5), three operations a link, traced with x
and w as arguments; its backward program has about three equations per operation.  Each
size runs in a fresh process (memory is the process's), ``--runs`` times, reporting the
median and the range: trace (run the function on Values and read the program, with its
backward), compile (write and compile the float replay's value_and_grad), the peak
resident memory while compiling over what was resident before it, per operation, and one
replay's time.  Resident memory is sampled every 5 ms while compiling.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

CHILD = r"""
import gc, json, resource, sys, threading, time
from autograd import trace

links = int(sys.argv[1])

def chain(x, w):
    for _ in range(links):
        x = (x * w + 0.5).relu()
    return x

def resident():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()

t = time.perf_counter()
program = trace(chain, 0.3, 0.999)
program.backward  # derived when first asked for: counted with the trace
traced = time.perf_counter() - t
gc.collect()
before = resident()
samples, done = [before], threading.Event()

def watch():  # the resident memory every 5 ms while compiling
    while not done.wait(0.005):
        samples.append(resident())

watcher = threading.Thread(target=watch)
watcher.start()
t = time.perf_counter()
fast = program.compiled(True)
compiled = time.perf_counter() - t
done.set()
watcher.join()
held = resident() - before
t = time.perf_counter()
program.value_and_grad(0.3, 0.999)
run = time.perf_counter() - t
print(json.dumps({"ops": len(program.equations), "backward": len(program.backward.equations),
                  "trace": traced, "compile": compiled, "peak": max(samples) - before,
                  "held": held, "run": run}))
"""


def measure(links: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(links)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ops", nargs="*", type=int, default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args(argv)
    print("operations: trace, compile (per operation), peak while compiling, held, one replay")
    for ops in args.ops:
        runs = [measure(max(1, ops // 3)) for _ in range(args.runs)]
        n = runs[0]["ops"]

        def show(key: str, scale: float, unit: str, runs: list = runs, n: int = n) -> str:
            xs = [r[key] * scale / n for r in runs]
            m = statistics.median(xs)
            return f"{m:.0f} {unit}" + (f" ({min(xs):.0f}-{max(xs):.0f})" if len(xs) > 1 else "")

        print(
            f"  {n:>9,} ops ({runs[0]['backward']:,} backward equations): "
            f"trace {show('trace', 1e6, 'us/op')}, compile {show('compile', 1e6, 'us/op')}, "
            f"peak {show('peak', 1, 'B/op')}, held {show('held', 1, 'B/op')}, "
            f"replay {show('run', 1e9, 'ns/op')}"
        )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
