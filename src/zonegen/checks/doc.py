"""The README's rule table, made from the registry (``checks.RULES``).

``python -m zonegen.checks.doc README.md`` rewrites the table between the two marker lines;
``--check`` writes nothing and exits 1 when the README's table is not what the registry
says (``make test`` runs it, so the docs cannot drift from the code).
"""

from __future__ import annotations

import sys
from pathlib import Path

from . import RULES

BEGIN = "<!-- rules: made by `python -m zonegen.checks.doc README.md`; do not edit -->"
END = "<!-- rules: end -->"


def table() -> str:
    rows = ["| rule | severity | from | what |", "|---|---|---|---|"]
    for rule in RULES:
        rows.append(f"| `{rule.id}` | {rule.severity} | {rule.rfc} | {rule.doc} |")
    return "\n".join(rows) + "\n"


def render(text: str) -> str:
    """``text`` with the table between the markers replaced."""
    head, begin, rest = text.partition(BEGIN + "\n")
    _, end, tail = rest.partition(END)
    if not begin or not end:
        raise ValueError(f"the markers are missing: {BEGIN!r} ... {END!r}")
    return head + begin + table() + end + tail


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [a for a in argv if a != "--check"]
    if len(paths) != 1 or paths[0].startswith("-"):
        print("usage: python -m zonegen.checks.doc [--check] README.md", file=sys.stderr)
        return 2
    path = Path(paths[0])
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        print(f"{path}: cannot read it: {e}", file=sys.stderr)
        return 2
    try:
        new = render(text)
    except ValueError as e:
        print(f"{path}: {e}", file=sys.stderr)
        return 2
    if check:
        if new != text:
            print(f"{path}: the rule table is not what the registry says; run make docs")
            return 1
        return 0
    if new != text:
        path.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
