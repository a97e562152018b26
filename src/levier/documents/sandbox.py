"""The Jinja2 sandbox administrators' templates run in, with bounds on what they compute.

Jinja's `SandboxedEnvironment` already hides private attributes and unsafe methods.
It does not bound size: `'a' * 100000000`, `[x] * 10**8` or `9 ** 999999999` build
gigabytes or compute for hours, and its `range` raises an OverflowError (a 500) instead
of a template error. Here repetitions, powers, ranges and every piece of output are
bounded, each refusal is a `SecurityError` naming the limit, and a template can never
load another one (there is no loader to reach files, and the refusal says so).
Time and memory as a whole are bounded by running the fill in a child process
(`bounded_run`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from jinja2 import BaseLoader
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from levier.core.french import group_digits

# A letter lists a few dozen items at most; this leaves room for long annexes.
MAX_RANGE = 10_000
# Largest integer result of `**`, in bits (10**300 has 997 bits).
MAX_POWER_BITS = 4_096
SIZED = (str, bytes, list, tuple)


def max_output() -> int:
    """The largest text (characters) or list (items) a template may build or print."""
    return int(settings.LEVIER_TEMPLATE_MAX_OUTPUT)


def _too_large(size: int) -> SecurityError:
    return SecurityError(
        _(
            "the template builds %(size)s characters or list items, beyond the limit of "
            "%(limit)s set by LEVIER_TEMPLATE_MAX_OUTPUT: reduce the repetition"
        )
        % {"size": group_digits(size, " "), "limit": group_digits(max_output(), " ")}
    )


def bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise SecurityError(
            _("range() of %(size)s numbers, beyond the limit of %(limit)s: use a smaller range")
            % {"size": len(numbers), "limit": MAX_RANGE}
        )
    return numbers


class NoTemplateLoader(BaseLoader):
    """Templates stand alone: `include`, `extends`, `import` reach no file or other template."""

    def get_source(self, environment, template):
        raise SecurityError(
            _(
                "a template cannot load another template (“%(name)s”): copy the text you need into it"
            )
            % {"name": template}
        )


class BoundedSandbox(SandboxedEnvironment):
    """The sandbox with bounded repetition, powers, ranges and output."""

    intercepted_binops = frozenset({"*", "+", "**", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(loader=NoTemplateLoader(), **options)
        self.globals["range"] = bounded_range

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, SIZED) and isinstance(times, int):
                    if len(sequence) * times > max_output():
                        raise _too_large(len(sequence) * times)
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            if abs(left) > 1 and right > 0 and abs(left).bit_length() * right > MAX_POWER_BITS:
                raise SecurityError(
                    _("the power %(base)s ** %(exponent)s is too large to compute")
                    % {"base": left, "exponent": right}
                )
        result = super().call_binop(context, operator, left, right)
        if isinstance(result, SIZED) and len(result) > max_output():  # `+`, `%` formatting
            raise _too_large(len(result))
        return result

    def concat(self, pieces: Iterable[str]) -> str:  # type: ignore[override]
        """Join the output (of the template, a macro, a block), refusing it past the limit."""
        limit, size, kept = max_output(), 0, []
        for piece in pieces:
            size += len(piece)
            if size > limit:
                raise _too_large(size)
            kept.append(piece)
        return "".join(kept)
