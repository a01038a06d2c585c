"""Faults for the server's log, with nothing personal in them.

An exception's text can quote the data being read (a value that failed to parse, a row), and the
log is read by whoever runs the server, not only by the data officer. So a fault is logged by its
type and where it happened (each frame's file, line and function), never by its text, its
arguments or the values in play."""

from __future__ import annotations

import logging
import sys

from reach.presentation.safe_text import fault_summary

LOGGER = logging.getLogger("reach.dashboard")


def fault(message: str, *args) -> None:
    """Log `message % args` (args chosen by the caller: a kind of file, an action, never a value from
    a file or a person's address) with the current exception's type and frames."""
    error = sys.exc_info()[1]
    if error is None:
        LOGGER.error(message, *args)
        return
    LOGGER.error(message + ": %s", *args, fault_summary(error))
