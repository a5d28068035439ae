"""Run code in a fresh Jupyter kernel, with a time limit that always holds.

:class:`Kernel` starts a Python kernel (``jupyter_client``, which ``valuegrad[notebook]``
installs) in a folder of its own, runs code in it and collects what it printed and the
error it raised.  Code still running at its deadline is interrupted (a
KeyboardInterrupt in the kernel); a kernel that does not stop then, or that dies, is
killed and reported as such.  The kernel's own files (its connection file, IPython's
history, matplotlib's font cache) are kept in that folder.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty
from typing import Any

from autograd.support.extras import check

__all__ = ["Kernel", "Outcome"]

# After an interrupt, how long a kernel gets to come back before it is killed.
GRACE = 5.0
MAX_TEXT = 20_000  # characters of printed output kept per run


@dataclass
class Outcome:
    """How one piece of code ran: ``ok``, ``error``, ``timeout`` or ``dead``."""

    status: str
    text: str = ""
    error: str = ""  # "Name: message" of the exception, if any
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)


class Kernel:
    """One fresh Python kernel working in ``folder``; use as a context manager."""

    def __init__(
        self, folder: Path, start_timeout: float = 60.0, env: Mapping[str, str] | None = None
    ) -> None:
        check(["ipykernel"], "grading (it runs notebooks in Jupyter kernels)")
        import jupyter_client  # ipykernel's own dependency

        self.folder = folder
        ipython = folder / "ipython"
        (ipython / "profile_default").mkdir(parents=True, exist_ok=True)
        # Plain tracebacks: no colour codes in the messages the feedback quotes.
        (ipython / "profile_default" / "ipython_kernel_config.py").write_text(
            'c.InteractiveShell.colors = "nocolor"\n', encoding="utf-8"
        )
        work = folder / "work"
        work.mkdir(exist_ok=True)
        env = dict(os.environ if env is None else env)
        # IPython's history, matplotlib's font cache and Jupyter's runtime files go into
        # the kernel's folder too, not into the home folder.
        env.update(
            IPYTHONDIR=str(ipython),
            MPLCONFIGDIR=str(folder / "matplotlib"),
            JUPYTER_RUNTIME_DIR=str(folder / "runtime"),
            PYTHONDONTWRITEBYTECODE="1",
        )
        env.pop("MPLBACKEND", None)  # the notebooks' inline plots need the default
        self.dead = False
        self.manager = jupyter_client.KernelManager(kernel_name="python3")
        self.manager.connection_file = str(folder / "kernel.json")
        self.manager.start_kernel(
            cwd=str(work), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.client = self.manager.client()
        self.client.start_channels()
        try:
            self.client.wait_for_ready(timeout=start_timeout)
        except RuntimeError:
            self.close()
            raise

    def __enter__(self) -> Kernel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the kernel (at once: nothing of it is worth waiting for)."""
        try:
            self.client.stop_channels()
        finally:
            if self.manager.has_kernel:
                self.manager.shutdown_kernel(now=True)

    def run(self, code: str, timeout: float) -> Outcome:
        """Run ``code``; at ``timeout`` seconds it is interrupted, and killed if need be."""
        if self.dead:
            return Outcome("dead", error="the kernel is no longer running")
        start = time.monotonic()
        msg_id = self.client.execute(code, store_history=True, allow_stdin=False)
        texts: list[str] = []
        error = ""
        deadline = start + max(timeout, 0.0)
        interrupted = False
        while True:
            now = time.monotonic()
            if now >= deadline:
                if interrupted:
                    self._kill()
                    return Outcome(
                        "timeout", "".join(texts)[-MAX_TEXT:], error, now - start, {"killed": True}
                    )
                self.manager.interrupt_kernel()
                interrupted = True
                deadline = now + GRACE
            try:
                msg = self.client.get_iopub_msg(timeout=min(0.5, deadline - now))
            except Empty:
                if not self.manager.is_alive():
                    self.dead = True
                    return Outcome("dead", "".join(texts)[-MAX_TEXT:], error, now - start)
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                texts.append(content.get("text", ""))
            elif kind == "error":
                error = f"{content.get('ename', 'Error')}: {content.get('evalue', '')}"
            elif kind == "status" and content.get("execution_state") == "idle":
                seconds = time.monotonic() - start
                text = "".join(texts)[-MAX_TEXT:]
                if interrupted:
                    return Outcome("timeout", text, error, seconds, {"killed": False})
                return Outcome("error" if error else "ok", text, error, seconds)

    def _kill(self) -> None:
        self.dead = True
        self.manager.shutdown_kernel(now=True)
