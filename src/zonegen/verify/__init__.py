"""``zonegen verify``: does the live DNS say what the built zones say, DNSSEC and DANE included.

The names below are loaded on first use (PEP 562), so that the command line can read the
table of check ids in ``findings`` without importing dnspython.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .run import Finding, Options, Report, verify

__all__ = ["Finding", "Options", "Report", "verify"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import run

        return getattr(run, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
