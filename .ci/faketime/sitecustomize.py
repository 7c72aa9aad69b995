"""Loaded (through PYTHONPATH) only for the suite's run under Debian's faketime.

faketime 0.9.10 with FAKETIME_DONT_FAKE_MONOTONIC=1 (without it timed waits never return) makes
CPython's time.sleep fail with EINVAL; select() with a timeout still waits as asked.
"""
import select
import time


def _sleep(seconds: float) -> None:
    """Wait `seconds` with select(), which faketime leaves working."""
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    select.select([], [], [], seconds)


time.sleep = _sleep
