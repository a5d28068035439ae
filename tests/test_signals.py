"""autograd.support.signals: termination signals raised as exceptions, or held off."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from autograd.support.signals import Terminated, held, terminations_raise


def deliver(signum: int) -> None:
    os.kill(os.getpid(), signum)
    time.sleep(0.05)  # Python runs the handler at its next instruction


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_termination_signals_raise_inside_the_block_only(signum):
    with pytest.raises(Terminated) as caught, terminations_raise():
        deliver(signum)
    assert caught.value.signum == signum and signal.Signals(signum).name in str(caught.value)
    assert signal.getsignal(signum) is signal.SIG_DFL


def test_a_handler_already_installed_is_kept():
    seen = []
    old = signal.signal(signal.SIGTERM, lambda s, f: seen.append(s))
    try:
        with terminations_raise():
            deliver(signal.SIGTERM)
        assert seen == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, old)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_held_signals_arrive_when_the_block_ends(signum):
    done = []
    with pytest.raises((KeyboardInterrupt, Terminated)), terminations_raise(), held():
        deliver(signum)
        done.append("the rest of the block")
    assert done == ["the rest of the block"]


def test_held_restores_the_handlers_and_lets_ignored_signals_be():
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    old = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with held():
            deliver(signal.SIGHUP)  # ignored before, ignored still
    finally:
        signal.signal(signal.SIGHUP, old)
    assert {s: signal.getsignal(s) for s in before} == before


def test_outside_the_main_thread_they_do_nothing():
    errors = []

    def work():
        try:
            with terminations_raise(), held():
                pass
        except BaseException as e:
            errors.append(e)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert errors == []
