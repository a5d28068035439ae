"""nets.course.kernel: code in a fresh kernel, within a time limit that always holds."""

from __future__ import annotations

import time

import pytest

pytest.importorskip("jupyter_client")

from nets.course.kernel import Kernel


@pytest.fixture
def kernel(tmp_path):
    with Kernel(tmp_path) as k:
        yield k


def test_output_errors_and_state(kernel, tmp_path):
    assert kernel.run("x = 21\nprint(x * 2)", 30).text == "42\n"
    out = kernel.run("1 / 0", 30)
    assert out.status == "error" and out.error.startswith("ZeroDivisionError: division by zero")
    assert kernel.run("print(x)", 30).text == "21\n"  # the kernel lives on after an error
    assert kernel.run("import os\nprint(os.getcwd())", 30).text.strip() == str(tmp_path / "work")


def test_an_endless_loop_is_interrupted_and_the_kernel_goes_on(kernel):
    start = time.monotonic()
    out = kernel.run("while True:\n    pass", 2)
    assert out.status == "timeout" and out.details == {"killed": False}
    assert time.monotonic() - start < 2 + 5
    assert kernel.run("print('still here')", 30).text == "still here\n"


def test_a_loop_that_swallows_the_interrupt_is_killed(kernel):
    # The interrupt lands in the inner loop, inside the try, all but always.
    loop = (
        "while True:\n    try:\n        while True:\n            pass\n"
        "    except BaseException:\n        pass"
    )
    start = time.monotonic()
    out = kernel.run(loop, 1)
    assert out.status == "timeout" and out.details == {"killed": True}
    assert time.monotonic() - start < 1 + 5 + 5
    assert kernel.dead and kernel.run("1", 5).status == "dead"


def test_a_kernel_that_dies_is_reported(kernel):
    out = kernel.run("import os\nos._exit(3)", 30)
    assert out.status == "dead" and kernel.dead
