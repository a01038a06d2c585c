"""Faults for the server's log, with nothing personal in them.

An exception's text can quote the data being read (a value that failed to parse, a row), and the
log is read by whoever runs the server, not only by the data officer. So a fault is logged by its
type and where it happened (each frame's file, line and function), never by its text, its
arguments or the values in play."""

from __future__ import annotations

import logging
import sys
import traceback

LOGGER = logging.getLogger("reach.dashboard")


def fault(message: str, *args) -> None:
    """Log `message % args` (args chosen by the caller: a kind of file, an action, never a value from
    a file or a person's address) with the current exception's type and frames."""
    error = sys.exc_info()[1]
    if error is None:
        LOGGER.error(message, *args)
        return
    frames = "; ".join(f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} in {frame.name}"
                       for frame in traceback.extract_tb(error.__traceback__))
    LOGGER.error(message + ": %s at %s", *args, type(error).__name__, frames or "an unknown place")
