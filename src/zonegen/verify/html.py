"""``zonegen verify --html FILE``: the verify document as one self-contained page.

The page is made from the JSON document (``findings.document``), not from ``Report``: what
monitoring reads and what people read cannot drift apart, and finding kinds, statuses and keys that
verify adds later appear on the page (as their own columns, or as generic key/value rows)
without a template change. The view model is built here in plain Python; the Jinja2 template
(``templates/verify.html``) only lays it out, with autoescape on: every value that came from
the DNS is hostile until escaped (a TXT record can hold ``<script>``), and characters that
hide or reorder text are shown as escapes (``report.visible``).

The page loads nothing: inline CSS, inline SVG, no JavaScript, no fonts, no images by URL.
Everything is in a fixed order, so two runs with the same findings give the same page
apart from the time stamps.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import jinja2

from ..text import visible
from .checkids import MAIL_CHECKS
from .findings import MARK, SEVERITIES, rank
from .since import TIME, identity, order

FINDING_KEYS = (
    "check",
    "status",
    "severity",
    "zone",
    "name",
    "rtype",
    "server",
    "expected",
    "got",
    "detail",
)
ZONE_KEYS = ("zone", "nameservers", "resolver", "signed", "signing", "rrsets", "validated")
DOC_KEYS = ("schema", "ok", "summary", "zones", "findings", "run", "since")
# Columns of a zone's table in this order; checks verify adds later follow, by name.
CHECK_ORDER = ("authoritative", "resolver", "dnssec", "dane", "mail")


def _column_key(f: dict[str, Any]) -> tuple[str, str]:
    """The mail checks share one column, "mail", each cell naming its check: one column each
    would make the table ten columns wide for a row or two of each."""
    if f["check"] in MAIL_CHECKS:
        return ("mail", "")
    return (f["check"], f["server"])


SEVERITY_COLOUR = {"ok": "#2e7d32", "warning": "#b26a00", "error": "#c62828", "fatal": "#6a1b9a"}


@dataclass
class Cell:
    severity: str
    text: str
    title: str


@dataclass
class Row:
    name: str
    rtype: str
    severity: str
    values: str  # the built values (or, for an extra record, what the server holds)
    values_label: str
    cells: list[Cell | None]


@dataclass
class Column:
    check: str
    server: str

    @property
    def label(self) -> str:
        return f"{self.check} {self.server}" if self.server else self.check


@dataclass
class Problem:
    severity: str
    mark: str
    check: str
    status: str
    zone: str
    name: str
    rtype: str
    server: str
    detail: str
    expected: list[str]
    got: list[str]
    extra: list[tuple[str, str]]
    since: str  # "new", "since <time>" or ""


@dataclass
class ZoneView:
    anchor: str
    zone: str
    severity: str
    problems: int
    facts: list[tuple[str, str]]
    dnssec: list[tuple[str, str, str]]  # severity, label, text
    columns: list[Column]
    rows: list[Row]


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]


@dataclass
class Page:
    verdict: str
    severity: str
    exit_code: int
    counts: list[tuple[str, int]]
    bar: list[tuple[str, str, str]]  # colour, x %, width %
    run: list[tuple[str, str]]
    since: dict[str, Any] | None
    problems: list[Problem]
    zones: list[ZoneView]
    dane: list[Problem]
    servers: list[list[str]]
    tables: list[Table] = field(default_factory=list)
    schema: str = ""


def render_html(doc: dict[str, Any]) -> str:
    """The page for one verify document (``--format json``'s, ``since`` included)."""
    return _environment().get_template("verify.html").render(page=page(doc))


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("zonegen.verify", "templates"),
        autoescape=True,  # every value is escaped, in text and in attributes
        finalize=visible,  # and shows hidden characters as escapes, wherever it goes
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["sev"] = _severity_class
    env.filters["mark"] = lambda severity: MARK.get(severity, visible(severity).upper())
    env.filters["when"] = _when
    return env


def _severity_class(severity: object) -> str:
    """A CSS class from a fixed set: a severity from a hand-edited file is never markup."""
    return f"sev-{severity}" if severity in SEVERITIES else "sev-unknown"


def _when(stamp: object) -> str:
    """``2025-01-31T12:00:00Z`` as people read it: ``2025-01-31 12:00:00 UTC``."""
    text = visible(stamp)
    if TIME.match(text):
        return f"{text[:10]} {text[11:19]} UTC"
    return text


def page(doc: dict[str, Any]) -> Page:
    findings: list[dict[str, Any]] = list(doc.get("findings", []))
    summary: dict[str, int] = doc.get("summary") or dict(Counter(f["severity"] for f in findings))
    counts = [(s, int(summary.get(s, 0))) for s in ("ok", "warning", "error", "fatal")]
    exit_code = 2 if summary.get("fatal") else 1 if summary.get("error") else 0
    verdict, severity = {
        0: ("All good", "ok"),
        1: ("Problems", "error"),
        2: ("Could not check", "fatal"),
    }[exit_code]
    since = doc.get("since")
    labels = _since_labels(since)
    problems = [_problem(f, labels) for f in sorted(findings, key=order) if f["severity"] != "ok"]
    zones = _zones(doc.get("zones", []), findings)
    return Page(
        verdict=verdict,
        severity=severity,
        exit_code=exit_code,
        counts=counts,
        bar=_bar(counts),
        run=_run(doc.get("run") or {}),
        since=since,
        problems=problems,
        zones=zones,
        dane=[_problem(f, labels) for f in sorted(findings, key=order) if f["check"] == "dane"],
        servers=_servers(doc.get("zones", []), findings),
        tables=_other_tables(doc),
        schema=str(doc.get("schema", "")),
    )


def _since_labels(since: dict[str, Any] | None) -> dict[tuple[str, ...], str]:
    if not since:
        return {}
    labels = {identity(f): "new" for f in since["newly_failing"]}
    for f in since["still_failing"]:
        labels[identity(f)] = f"since {_when(f['first_seen'])}" if f["first_seen"] else "before"
    return labels


def _problem(f: dict[str, Any], labels: dict[tuple[str, ...], str]) -> Problem:
    return Problem(
        severity=f["severity"],
        mark=MARK.get(f["severity"], str(f["severity"]).upper()),
        check=f["check"],
        status=f["status"],
        zone=f["zone"],
        name=f["name"],
        rtype=f["rtype"],
        server=f["server"],
        detail=f.get("detail", ""),
        expected=[str(v) for v in f.get("expected", [])],
        got=[str(v) for v in f.get("got", [])],
        extra=[(k, _text(v)) for k, v in f.items() if k not in FINDING_KEYS],
        since=labels.get(identity(f), ""),
    )


def _text(value: object) -> str:
    """A value of a key this module does not know, shown as it is in the JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _bar(counts: list[tuple[str, int]]) -> list[tuple[str, str, str]]:
    total = sum(n for _, n in counts) or 1
    parts, x = [], 0.0
    for severity, n in counts:
        if n:
            width = 100.0 * n / total
            parts.append((SEVERITY_COLOUR[severity], f"{x:.2f}", f"{width:.2f}"))
            x += width
    return parts


def _run(run: dict[str, Any]) -> list[tuple[str, str]]:
    shown = []
    for key, label in (("started", "started"), ("finished", "finished"), ("seconds", "took")):
        if key in run:
            value = run[key]
            if key == "seconds" and isinstance(value, int | float):
                shown.append((label, f"{value:.2f} s" if value < 10 else f"{value:.0f} s"))
            else:
                shown.append((label, _when(value)))
    if "zonegen" in run:
        shown.append(("zonegen", str(run["zonegen"])))
    known = ("started", "finished", "seconds", "zonegen")
    shown.extend((k, _text(v)) for k, v in run.items() if k not in known)
    return shown


def _worst(severities: list[str]) -> str:
    return min(severities, key=rank, default="ok")


def _name_order(name: str) -> tuple[str, ...]:
    """Names from the apex down, children under their parent (``mx``, ``_25._tcp.mx``)."""
    return tuple(reversed(name.lower().rstrip(".").split(".")))


def _zones(zones: list[dict[str, Any]], findings: list[dict[str, Any]]) -> list[ZoneView]:
    by_zone: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        by_zone.setdefault(f["zone"], []).append(f)
    views = []
    listed = [z["zone"] for z in zones]
    for i, zone in enumerate(zones):
        views.append(_zone(f"zone-{i + 1}", zone, by_zone.get(zone["zone"], [])))
    # Findings outside every listed zone (DANE of a host in no zone): shown all the same.
    for j, name in enumerate(sorted(z for z in by_zone if z not in listed)):
        views.append(_zone(f"other-{j + 1}", {"zone": name or "(no zone)"}, by_zone[name]))
    return views


def _zone(anchor: str, zone: dict[str, Any], findings: list[dict[str, Any]]) -> ZoneView:
    facts: list[tuple[str, str]] = []  # "signed" is in the DNSSEC list below
    if "nameservers" in zone:
        facts.append(("authoritative", ", ".join(zone["nameservers"]) or "none"))
    if "resolver" in zone:
        facts.append(("resolver", str(zone["resolver"])))
    if "rrsets" in zone:
        facts.append(("RRsets built", str(zone["rrsets"])))
    facts.extend((k, _text(v)) for k, v in zone.items() if k not in ZONE_KEYS)
    columns = _columns(zone, findings)
    index = {(c.check, c.server): i for i, c in enumerate(columns)}
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for f in sorted(findings, key=order):  # the row's values from the same finding every time
        grouped.setdefault((f["name"], f["rtype"]), []).append(f)
    rows = []
    for (name, rtype), here in sorted(grouped.items(), key=lambda i: (_name_order(i[0][0]), i[0])):
        cells: list[list[dict[str, Any]]] = [[] for _ in columns]
        for f in here:
            cells[index[_column_key(f)]].append(f)
        source = next((f for f in here if f.get("expected")), None)
        expected: list[str] = source["expected"] if source else []
        got: list[str] = next((f["got"] for f in here if f.get("got")), [])
        # A mail check's expected value is what Mox wants there, not a built record.
        built = "expected" if source and source["check"] in MAIL_CHECKS else "built"
        rows.append(
            Row(
                name=name,
                rtype=rtype,
                severity=_worst([f["severity"] for f in here]),
                values=_short(" | ".join(str(v) for v in (expected or got))),
                values_label=built if expected else "on the server" if got else "",
                cells=[_cell(c) for c in cells],
            )
        )
    return ZoneView(
        anchor=anchor,
        zone=str(zone["zone"]),
        severity=_worst([f["severity"] for f in findings]),
        problems=sum(1 for f in findings if f["severity"] != "ok"),
        facts=facts,
        dnssec=_dnssec(zone, findings),
        columns=columns,
        rows=rows,
    )


def _columns(zone: dict[str, Any], findings: list[dict[str, Any]]) -> list[Column]:
    """One column per check and server, the zone's own name servers in their order."""
    servers = list(zone.get("nameservers", []))
    pairs = {_column_key(f) for f in findings}

    def key(pair: tuple[str, str]) -> tuple[int, str, int, str]:
        check, server = pair
        rank = CHECK_ORDER.index(check) if check in CHECK_ORDER else len(CHECK_ORDER)
        at = servers.index(server) if server in servers else len(servers)
        return (rank, check, at, server)

    return [Column(c, s) for c, s in sorted(pairs, key=key)]


# The table shows the start of a record's values (which record it is); a problem shows them
# whole. A thousand zones of DKIM keys in full would make the page tens of megabytes.
SHORT = 90


def _short(text: str) -> str:
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"


def _cell(findings: list[dict[str, Any]]) -> Cell | None:
    if not findings:
        return None
    worst = min(findings, key=lambda f: rank(f["severity"]))
    text = worst["status"]
    if worst["check"] in MAIL_CHECKS:
        text = f"{worst['check']}: {text}"
    if worst["severity"] != "ok":  # in words too, not by colour alone (print, colour blindness)
        text = f"{MARK.get(worst['severity'], '?')} {text}"
    if len(findings) > 1:
        text += f" (+{len(findings) - 1})"
    return Cell(worst["severity"], text, worst.get("detail", ""))


def _dnssec(zone: dict[str, Any], findings: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """The zone's DNSSEC state: signed, what the validating resolver said, the chain."""
    lines: list[tuple[str, str, str]] = []
    if "signing" in zone:  # unsigned, and unknown when no server answered (never "no")
        signing = str(zone["signing"])
        colour = {"signed": "ok", "unsigned": "warning", "mixed": "error"}.get(signing, "fatal")
        said = {"signed": "yes", "unsigned": "no", "mixed": "on some servers only"}
        lines.append((colour, "signed", said.get(signing, "unknown: no server answered")))
    elif "signed" in zone:
        lines.append(
            ("ok" if zone["signed"] else "warning", "signed", "yes" if zone["signed"] else "no")
        )
    asked = [f for f in findings if f["check"] == "resolver"]
    # One finding per RRset asked; the zone's own rows (no AD at all, "*") and the EDE
    # notes next to a good answer are not answers.
    answers = [f for f in asked if f["rtype"] not in ("*", "") and f["status"] != "ede"]
    if asked:
        worst = _worst([f["severity"] for f in asked])
        # An answer as built is not a validated one: "validated" counts those with the AD
        # bit (older reports without it: the ok rows that say so).
        validated = zone.get("validated")
        if not isinstance(validated, int):
            validated = sum(1 for f in answers if f.get("detail") == "validated (AD)")
        text = f"{validated} of {len(answers)} answers validated (AD bit)"
        statuses = Counter(f["status"] for f in asked)
        others = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()) if s != "ok")
        lines.append((worst, "resolver", text + (f"; {others}" if others else "")))
    for f in sorted(findings, key=order):
        if f["check"] == "dnssec":
            text = f"{f['status']}: {f['name']} {f['rtype']}"
            if f.get("detail"):
                text += f" ({f['detail']})"
            lines.append((f["severity"], "chain" if f["rtype"] == "DS" else "dnssec", text))
    return lines


def _servers(zones: list[dict[str, Any]], findings: list[dict[str, Any]]) -> list[list[str]]:
    """Each server asked: its role, and what its answers came to."""
    roles: dict[str, set[str]] = {}
    for z in zones:
        for s in z.get("nameservers", []):
            roles.setdefault(str(s), set()).add("authoritative")
        if "resolver" in z:
            roles.setdefault(str(z["resolver"]), set()).add("resolver")
    tally: dict[str, Counter[str]] = {}
    for f in findings:
        if f["server"]:
            roles.setdefault(f["server"], set()).add(f["check"])
            tally.setdefault(f["server"], Counter())[f["severity"]] += 1
    rows = []
    for server in sorted(roles):
        t = tally.get(server, Counter())
        rows.append(
            [
                server,
                ", ".join(sorted(roles[server])),
                str(sum(t.values())),
                str(t["ok"]),
                str(t["warning"]),
                str(t["error"]),
                str(t["fatal"]),
            ]
        )
    return rows


def _other_tables(doc: dict[str, Any]) -> list[Table]:
    """Top-level keys this page does not know yet (per-server timing, say), as tables."""
    return [_table(k, v) for k, v in doc.items() if k not in DOC_KEYS]


def _table(title: str, value: object) -> Table:
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        columns: list[str] = []
        for item in value:
            columns.extend(k for k in item if k not in columns)
        rows = [[_text(item.get(c, "")) for c in columns] for item in value]
        return Table(title, columns, rows)
    if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
        columns = [""]
        for item in value.values():
            columns.extend(k for k in item if k not in columns)
        rows = [
            [str(k)] + [_text(item.get(c, "")) for c in columns[1:]] for k, item in value.items()
        ]
        return Table(title, columns, rows)
    if isinstance(value, dict):
        return Table(title, ["", ""], [[str(k), _text(v)] for k, v in value.items()])
    return Table(title, [""], [[_text(value)]])
