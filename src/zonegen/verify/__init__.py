"""``zonegen verify``: does the live DNS say what the built zones say, DNSSEC and DANE included."""

from .run import Finding, Options, Report, verify

__all__ = ["Finding", "Options", "Report", "verify"]
