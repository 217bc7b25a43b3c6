"""A problem a check found: rule id, severity, the record it is about, and the fix."""

from __future__ import annotations

from dataclasses import dataclass

from .text import visible

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    zone: str
    name: str
    rtype: str
    rule: str  # short kebab-case id, e.g. "spf-too-many-lookups"
    severity: str  # "error" or "warning"
    message: str
    fix: str
    origin: str = ""  # file:line the record came from, when known

    def as_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "zone": self.zone,
            "name": self.name,
            "type": self.rtype,
            "message": self.message,
            "fix": self.fix,
            "origin": self.origin,
        }

    def as_text(self) -> str:
        where = f" [{self.origin}]" if self.origin else ""
        subject = f"{self.name} {self.rtype}".strip()
        line = f"{self.severity}: {self.rule}: {subject}: {self.message} (fix: {self.fix}){where}"
        return visible(line)  # one line, whatever a record or path echoed here holds
