"""The verify report as a person reads it: one line per record, problems spelled out."""

from __future__ import annotations

from .run import ERROR, FATAL, OK, WARNING, Finding, Report

_MARK = {OK: "ok", WARNING: "WARN", ERROR: "FAIL", FATAL: "FAIL"}


def render_text(report: Report) -> str:
    lines: list[str] = []
    for zone in report.zones:
        signed = "signed" if zone["signed"] else "not signed"
        lines.append(
            f"zone {zone['zone']} ({signed}; authoritative {', '.join(zone['nameservers'])}; "
            f"resolver {zone['resolver']})"
        )
        rows: dict[tuple[str, str], dict[str, Finding]] = {}
        for f in report.findings:
            if f.zone == zone["zone"] and f.status != "extra":
                rows.setdefault((f.name, f.rtype), {})
                prior = rows[(f.name, f.rtype)].get(f.check)
                if prior is None or _rank(f) < _rank(prior):
                    rows[(f.name, f.rtype)][f.check] = f
        width = max((len(n) for n, _ in rows), default=10)
        lines.append(
            f"  {'NAME':<{width}}  {'TYPE':<5}  {'AUTH':<11}  {'RESOLVER':<13}  OTHER".rstrip()
        )
        for (name, rtype), checks in sorted(rows.items()):
            auth = checks.get("authoritative")
            res = checks.get("resolver")
            other = [
                f"{c}: {f.status}"
                for c, f in checks.items()
                if c not in ("authoritative", "resolver")
            ]
            row = f"  {name:<{width}}  {rtype:<5}  {_cell(auth):<11}  {_cell(res):<13}  "
            lines.append((row + ", ".join(other)).rstrip())
        lines.append("")
    problems = [f for f in report.findings if f.severity != OK]
    if problems:
        lines.append("problems:")
        for f in problems:
            where = f" @ {f.server}" if f.server else ""
            lines.append(f"  {_MARK[f.severity]} {f.check} {f.status}: {f.name} {f.rtype}{where}")
            if f.detail:
                lines.append(f"       {f.detail}")
            if f.expected and f.status in ("different", "missing", "ttl", "mismatch"):
                lines.append(f"       built: {' | '.join(f.expected)}")
            if f.got and f.status != "ok":
                lines.append(f"       live:  {' | '.join(f.got)}")
        lines.append("")
    n = {s: report.count(s) for s in (OK, WARNING, ERROR, FATAL)}
    verdict = (
        "all good"
        if report.exit_code == 0
        else "PROBLEMS"
        if report.exit_code == 1
        else ("COULD NOT CHECK")
    )
    lines.append(
        f"{verdict}: {n[OK]} ok, {n[WARNING]} warnings, {n[ERROR]} errors"
        + (f", {n[FATAL]} unreachable" if n[FATAL] else "")
    )
    return "\n".join(lines) + "\n"


def _rank(f: Finding) -> int:
    return {FATAL: 0, ERROR: 1, WARNING: 2, OK: 3}[f.severity]


def _cell(f: Finding | None) -> str:
    if f is None:
        return "-"
    return f.status if f.severity == OK else f"{f.status.upper()}"
