"""The README's command examples run as written: every `zonegen ...` it shows names a command
that exists and only options that command has, and the files it points users at are there.

A new user copies these lines; a renamed flag or a moved example file leaves them stuck."""

from __future__ import annotations

import re
import shlex

import click
import pytest

from conftest import REPO
from zonegen.cli import main

README = (REPO / "README.md").read_text()


def _examples() -> list[str]:
    """Every zonegen command line of the README: inline code and lines of code blocks
    (`$ zonegen ...` included), cut at a comment or a shell operator."""
    found = [" ".join(m.split()) for m in re.findall(r"`(zonegen [^`]+)`", README)]
    blocks = re.findall(r"^\s*```[a-z]*\n(.*?)^\s*```", README, flags=re.S | re.M)
    found += [
        m.group(1)
        for block in blocks
        for line in block.splitlines()
        if (m := re.match(r"^\s*(?:\$ )?(zonegen [a-z].*)$", line))
    ]
    lines = []
    for line in found:
        for cut in ("  #", " && ", " || ", " > ", " | "):
            line = line.split(cut)[0]
        lines.append(line.rstrip(" \\"))
    return sorted(set(lines))


EXAMPLES = _examples()


def _command(tokens: list[str]) -> tuple[click.Command, list[str]]:
    command: click.Command = main
    rest = tokens[1:]
    while isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        assert rest[0] in command.commands, f"no command {rest[0]!r}"
        command = command.commands[rest[0]]
        rest = rest[1:]
    return command, rest


def test_the_readme_shows_the_commands() -> None:
    # Enough to mean the extraction works: init, build, check, import, verify, ip, ttl, retire.
    assert len(EXAMPLES) > 30
    for name in ("init", "build", "check", "import", "verify", "ip", "ttl", "retire"):
        assert any(e.startswith(f"zonegen {name}") for e in EXAMPLES), name


@pytest.mark.parametrize("line", EXAMPLES)
def test_each_example_names_a_command_and_its_options(line: str) -> None:
    try:
        tokens = shlex.split(line)
    except ValueError:  # an example cut inside a quoted argument
        tokens = line.split()
    # Synopses write optional parts in brackets: `zonegen retire [--days 7]`.
    command, rest = _command([t.strip("[]") for t in tokens])
    options = {o for p in command.params for o in getattr(p, "opts", [])} | {"-h", "--help"}
    options |= {"--version"} if command is main else set()
    unknown = [t for t in rest if t.startswith("--") and t.split("=")[0] not in options]
    assert not unknown, f"{line}: {command.name} has no {unknown}"


def test_the_files_the_readme_points_at_exist() -> None:
    paths = set(
        re.findall(
            r"`((?:examples|docs|bench)/[\w./-]+|tests/[\w/-]+\.py|\.pre-commit-hooks\.yaml)`",
            README,
        )
    )
    assert paths, "no paths found: the pattern no longer matches the README"
    missing = sorted(p for p in paths if not (REPO / p).exists())
    assert not missing, missing
