"""The verify report as a person reads it: a table per zone, the servers with their times, the
problems spelled out (the same problem on several servers is one entry), and with ``--since``
what changed; and :func:`visible`, which every text from the DNS passes on its way to a person.

A TXT record can hold anything: terminal escape sequences, a right-to-left override that
makes ``moc.elpmaxe`` read as ``example.com``, a NUL, a line break that forges a report line,
a lone surrogate that cannot be encoded. Every such character is shown as an escape
(``\\u202e``), so what a person reads is what the server holds.
"""

from __future__ import annotations

from typing import Any

from ..text import visible
from .findings import ERROR, FATAL, MARK, OK, RANK, WARNING, Finding, Report

_SHOW_VALUES = ("different", "missing", "ttl", "mismatch", "records", "serial", "keys")


def render_text(report: Report) -> str:
    lines: list[str] = []
    for zone in report.zones:
        lines.append(
            f"zone {zone['zone']} ({_signed(zone)}; authoritative "
            f"{', '.join(zone['nameservers']) or 'none found'}; resolver {zone['resolver']})"
        )
        rows: dict[tuple[str, str], dict[str, Finding]] = {}
        for f in report.findings:
            if f.zone == zone["zone"] and f.status != "extra" and f.rtype not in ("*", ""):
                checks = rows.setdefault((f.name, f.rtype), {})
                prior = checks.get(f.check)
                if prior is None or RANK[f.severity] < RANK[prior.severity]:
                    checks[f.check] = f
        width = max((len(n) for n, _ in rows), default=10)
        lines.append(
            f"  {'NAME':<{width}}  {'TYPE':<6}  {'AUTH':<11}  {'RESOLVER':<13}  OTHER".rstrip()
        )
        for (name, rtype), checks in sorted(rows.items()):
            other = [
                f"{c}: {f.status}"
                for c, f in sorted(checks.items())
                if c not in ("authoritative", "resolver")
            ]
            row = (
                f"  {name:<{width}}  {rtype:<6}  {_cell(checks.get('authoritative')):<11}  "
                f"{_cell(checks.get('resolver')):<13}  "
            )
            lines.append((row + ", ".join(other)).rstrip())
        lines.append("")
    if report.servers:
        lines.append("servers:")
        width = max(len(s["server"]) for s in report.servers)
        for s in report.servers:
            lines.append(f"  {s['server']:<{width}}  {s['role']:<13}  {_server(s)}")
        lines.append("")
    problems = _folded(_merged([f for f in report.findings if f.severity != OK]))
    if problems:
        lines.append("problems:")
        for f, servers, rrsets in problems:
            where = f" @ {', '.join(servers)}" if any(servers) else ""
            if len(rrsets) > 1:
                what = f": {len(rrsets)} RRsets"
            else:
                what = f": {f.name} {f.rtype}" if f.name else ""
            lines.append(f"  {MARK[f.severity]} {f.check} {f.status}{what}{where}")
            if f.detail:
                detail = f.detail
                if len(rrsets) > 1:
                    detail = detail.replace(f"{f.name} {f.rtype}", "each RRset below")
                lines.append(f"       {detail}")
            for _, text in f.ede:
                lines.append(f"       {text}")
            if len(rrsets) > 1:
                lines.extend(_listed("at: ", [f"{name} {rtype}" for name, rtype in rrsets]))
            if f.expected and f.status in _SHOW_VALUES:
                lines.append(f"       built: {' | '.join(f.expected)}")
            if f.got and f.status in _SHOW_VALUES:
                label = "live: " if f.check != "consistency" else "seen: "
                lines.append(f"       {label} {' | '.join(f.got)}".replace(":  ", ": ", 1))
        lines.append("")
    n = {s: report.count(s) for s in (OK, WARNING, ERROR, FATAL)}
    verdict = {0: "all good", 1: "PROBLEMS"}.get(report.exit_code, "COULD NOT CHECK")
    lines.append(
        f"{verdict}: {n[OK]} ok, {n[WARNING]} warnings, {n[ERROR]} errors"
        + (f", {n[FATAL]} could not check" if n[FATAL] else "")
        + f" ({report.seconds:.1f} s)"
    )
    # Each line on its own: a line break inside a value is shown, it starts no line.
    return "\n".join(visible(line) for line in lines) + "\n"


def _signed(zone: dict[str, Any]) -> str:
    signing = zone["signing"]
    if signing == "signed":
        chain = {
            "ok": "chain of trust checked",
            "broken": "chain of trust BROKEN",
            "unknown": "no DS known",
        }
        return f"signed, {chain.get(zone['chain'], zone['chain'])}"
    return {
        "unsigned": "not signed",
        "mixed": "signed on some servers only",
    }.get(signing, "signed or not: unknown, no server answered")


def _server(s: dict[str, Any]) -> str:
    text = (
        f"{s['queries']} queries, {s['answered']} answered in {s['span']:.2f} s"
        f" (slowest {s['slowest']:.2f} s: {s['slowest_query'] or '-'})"
    )
    if s["skipped"]:
        text += f", {s['skipped']} not asked"
    if s["rcodes"]:
        text += ", " + ", ".join(f"{n} {r}" for r, n in s["rcodes"].items())
    return f"{text}: {s['outcome']}"


def _merged(findings: list[Finding]) -> list[tuple[Finding, list[str]]]:
    """Identical findings from several servers, once, with the servers listed."""
    groups: dict[tuple[Any, ...], tuple[Finding, list[str]]] = {}
    for f in findings:
        key = (f.severity, f.check, f.status, f.zone, f.name, f.rtype, f.detail, f.got, f.ede)
        if key in groups:
            if f.server not in groups[key][1]:  # two findings alike from one server: once
                groups[key][1].append(f.server)
        else:
            groups[key] = (f, [f.server])
    return list(groups.values())


def _folded(
    problems: list[tuple[Finding, list[str]]],
) -> list[tuple[Finding, list[str], list[tuple[str, str]]]]:
    """One entry for the RRsets that share one problem and its words (but for the RRset's
    own name): a zone whose chain of trust is broken is bogus at every name, and the cause
    is said once, not once per RRset (the table above still marks each). Problems that show
    values (built, live) stay one per RRset, as their values differ."""
    out: list[tuple[Finding, list[str], list[tuple[str, str]]]] = []
    at: dict[tuple[Any, ...], int] = {}
    for f, servers in problems:
        if not f.name or f.status in _SHOW_VALUES:
            out.append((f, servers, [(f.name, f.rtype)]))
            continue
        words = f.detail.replace(f"{f.name} {f.rtype}", "\0")
        key = (f.severity, f.check, f.status, f.zone, words, f.ede, tuple(servers))
        if key in at:
            out[at[key]][2].append((f.name, f.rtype))
        else:
            at[key] = len(out)
            out.append((f, servers, [(f.name, f.rtype)]))
    return out


def _listed(label: str, items: list[str], width: int = 100) -> list[str]:
    """``items`` after ``label``, comma-separated, in lines of about ``width``."""
    lines, line = [], "       " + label
    for i, item in enumerate(items):
        text = item + ("," if i < len(items) - 1 else "")
        if len(line) + len(text) > width and not line.endswith(label):
            lines.append(line.rstrip())
            line = "       " + " " * len(label)
        line += text + " "
    lines.append(line.rstrip())
    return lines


def _cell(f: Finding | None) -> str:
    if f is None:
        return "-"
    return f.status if f.severity == OK else f.status.upper()


# ------------------------------------------------------------------------ --since


def describe(finding: dict[str, Any]) -> str:
    """One line, as the text report writes a problem: ``FAIL check status: name type @ server``."""
    where = f" @ {finding['server']}" if finding["server"] else ""
    mark = MARK.get(finding["severity"], finding["severity"].upper())
    return visible(
        f"{mark} {finding['check']} {finding['status']}: {finding['name']} {finding['rtype']}"
        f"{where}"
    )


def render_since(since: dict[str, Any]) -> str:
    """The ``since`` section (``since.compare``) for people, appended to the text report."""
    prev = since["previous"]
    newly, fixed, still = since["newly_failing"], since["fixed"], since["still_failing"]
    lines = [
        f"since the run of {prev['started']} ({visible(prev['file'])}): "
        f"{len(newly)} newly failing, {len(fixed)} fixed, {len(still)} still failing"
    ]
    if newly:
        lines.append("  newly failing:")
        lines.extend(f"    {describe(f)}" for f in newly)
    if fixed:
        lines.append("  fixed:")
        for f in fixed:
            now = f"now {visible(f['now'])}" if f["now"] else "no longer checked"
            lines.append(f"    was {describe(f)} ({now})")
    if still:
        lines.append("  still failing:")
        lines.extend(f"    {describe(f)} (since {f['first_seen']})" for f in still)
    return "\n".join(lines) + "\n"
