"""Filling an administrator's template in a child process, bounded in time and memory.

The sandbox (`sandbox.py`) bounds each operation, but a nest of loops can still run for
hours and a chain of joins can still claim gigabytes. So a fill runs in a forked child
(it inherits the loaded code and the merge context, so it starts in milliseconds) with
an address-space limit, and is killed when it overruns its time budget: the web or
task worker that asked stays free, and the administrator reads what to simplify.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import resource
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.utils.translation import gettext as _
from jinja2 import TemplateError
from jinja2.sandbox import SecurityError

T = TypeVar("T")
MEGABYTE = 1024 * 1024


class TemplateTooCostly(SecurityError):
    """The fill overran its time or memory budget, or its process died; the message says which."""


def _address_space() -> int | None:
    """This process's current virtual size in bytes (Linux), None when unknown."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _limit_memory() -> None:
    """Allow the child its inherited address space plus the budget (setting, in MB)."""
    current = _address_space()
    if current is None:
        return
    budget = current + int(settings.LEVIER_TEMPLATE_RENDER_MEMORY_MB) * MEGABYTE
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        budget = min(budget, hard)
    resource.setrlimit(resource.RLIMIT_AS, (budget, hard))


def _child(sender, function: Callable[..., Any], args: tuple) -> None:
    """Run in the child: send back ("ok", result) or what went wrong, in plain values."""
    from .render import MissingMergeValue, RenderError

    # A short life: a collection would touch every inherited object and copy its page.
    gc.disable()
    try:
        _limit_memory()
        outcome: tuple[str, Any] = ("ok", function(*args))
    except MissingMergeValue as error:
        outcome = ("missing", (error.message, error.name))
    except MemoryError:
        outcome = ("memory", None)
    except RenderError as error:
        outcome = ("render", str(error))
    except TemplateError as error:
        outcome = ("template", str(error))
    except Exception as error:  # a bug or an unexpected library error: reported, not raised
        outcome = ("template", f"{type(error).__name__}: {error}")
    sender.send(outcome)
    sender.close()


def run_bounded(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` run in a child process within LEVIER_TEMPLATE_RENDER_SECONDS and
    LEVIER_TEMPLATE_RENDER_MEMORY_MB; its errors raised here again, an overrun as
    TemplateTooCostly (a template error the callers already turn into a clear message)."""
    from .render import MissingMergeValue, RenderError

    seconds = float(settings.LEVIER_TEMPLATE_RENDER_SECONDS)
    fork = multiprocessing.get_context("fork")
    receiver, sender = fork.Pipe(duplex=False)
    process = fork.Process(target=_child, args=(sender, function, args))
    process.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise TemplateTooCostly(
                _(
                    "filling the template took more than %(seconds)s seconds and was stopped: "
                    "simplify its loops and repetitions"
                )
                % {"seconds": f"{seconds:g}"}
            )
        try:
            kind, value = receiver.recv()
        except EOFError:  # the child died without a word: killed by the system, or crashed
            kind, value = "memory", None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    if kind == "ok":
        return value
    if kind == "missing":
        message, name = value
        raise MissingMergeValue(message, name=name)
    if kind == "memory":
        raise TemplateTooCostly(
            _(
                "filling the template needed more than %(megabytes)s MB of memory and was "
                "stopped: simplify its loops and repetitions"
            )
            % {"megabytes": settings.LEVIER_TEMPLATE_RENDER_MEMORY_MB}
        )
    if kind == "render":
        raise RenderError(value)
    raise TemplateError(value)
