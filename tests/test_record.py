"""autograd/trace/record.py: what the function does is read from its graph and its tape;
nothing of Value is patched; reading, setting or printing a traced number is refused."""

from __future__ import annotations

import threading

import pytest

import autograd.value
from autograd import Value, trace
from autograd.trace import TraceError, allow_data


@pytest.mark.parametrize(
    "read",
    [
        lambda x: f"{x}",
        lambda x: str(x),
        lambda x: repr(x),
        lambda x: format(x, ""),
        lambda x: "%s" % (x,),  # noqa: UP031
        lambda x: x.data,
        lambda x: (x * 2).data,
    ],
)
def test_printing_or_reading_a_traced_number_is_refused(read):
    def fn(x):
        return x * (2 if read(x).__class__ is str and read(x).startswith("Value(data=-") else 3)

    with pytest.raises(TraceError, match=r"read \.data of a Value that depends on the traced"):
        trace(fn, 1.0)


def test_a_formatted_branch_inside_allow_data_is_baked_in_and_check_finds_it():
    def fn(x):
        with allow_data():
            negative = f"{x}".startswith("Value(data=-")
        return x * (2 if negative else 3)

    program = trace(fn, 1.0)
    assert program(-1.0) == -3.0  # the branch of the example
    with pytest.raises(AssertionError, match=r"output: replay -3.0, Values -2.0"):
        program.check(-1.0)


def test_numbers_that_do_not_depend_on_the_inputs_may_be_printed():
    c = Value(2.0, label="c")
    program = trace(lambda x: x * float(repr(c).split("=")[1].split(",")[0]), 1.0)
    assert program(3.0) == 6.0


def test_a_number_too_large_for_a_float_is_named():
    with pytest.raises(TraceError, match=r"returned a number of about 401 digits, too large"):
        trace(lambda x: 10**400, 1.0)
    with pytest.raises(TraceError, match=r"returned inf, not a finite number"):
        trace(lambda x: float("inf"), 1.0)
    assert trace(lambda x: [x, 10**300], 1.0)(2.0) == [2.0, 1e300]


def test_dead_operations_are_kept_so_that_their_errors_are_the_value_paths():
    def fn(x, y):
        _ = x / x  # its result is never used
        return y + y

    program = trace(fn, 1.0, 1.0)
    with pytest.raises(ZeroDivisionError, match=r"div: division by zero in 0.0 / 0.0"):
        program(0.0, 1.0)


def test_a_trace_inside_a_trace_records_into_both():
    def inner(x):
        return x * 3

    def outer(x):
        program = trace(inner, 1.0)  # noqa: F841 - traced while the outer trace runs
        return (x * 2).tanh()

    assert trace(outer, 0.5)(0.5) == (Value(0.5) * 2).tanh().data
    assert autograd.value._tapes is None


def test_other_threads_print_their_values_while_a_trace_runs():
    started, done = threading.Event(), threading.Event()
    printed = []

    def worker():
        started.wait()
        printed.append(repr(Value(1.5) * 2))
        done.set()

    def slow(x):
        started.set()
        done.wait(10)
        return x * 2

    t = threading.Thread(target=worker)
    t.start()
    trace(slow, 1.0)
    t.join()
    assert printed == ["Value(data=3.0, grad=0.0)"]
