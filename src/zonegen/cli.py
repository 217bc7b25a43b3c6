"""The ``zonegen`` command line: a thin layer over the library.

Library errors become exit code 2 with one line on stderr here, and only here. Heavy modules
(octoDNS, dnspython) are imported inside the commands so ``zonegen --help`` stays quick.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from . import __version__
from .errors import ZonegenError

EXIT_PROBLEMS = 1
EXIT_BAD_INPUT = 2


def _fail(error: ZonegenError) -> NoReturn:
    click.echo(f"zonegen: error: {error}", err=True)
    sys.exit(EXIT_BAD_INPUT)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="zonegen")
def main() -> None:
    """Turn Mox's DNS records and a short site file into octoDNS YAML and BIND zones.

    \b
    Typical use, from the repository that holds config/site.yaml:
      zonegen build            # write zones/<zone>.yaml and zones/bind/<zone>.zone
      git diff zones/          # review what changed
      zonegen build --check    # in CI or pre-commit: exit 1 if zones/ is stale

    Exit codes: 0 fine, 1 problems found (--check: files would change), 2 bad input.
    """


@main.command()
@click.option(
    "--site",
    "site_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("config/site.yaml"),
    show_default=True,
    help="The site file.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("zones"),
    show_default=True,
    help="Where to write <zone>.yaml and bind/<zone>.zone.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any file would change.")
def build(site_path: Path, out_dir: Path, check: bool) -> None:
    """Build the zones from Mox's output and the site file.

    Writes OUT/<zone>.yaml (octoDNS, for YamlProvider with escaped_semicolons: false) and
    OUT/bind/<zone>.zone (BIND) for every zone in the site file. Files are replaced
    atomically and only when their content changes; on any error nothing is written.

    \b
    Examples:
      zonegen build
      zonegen build --site config/site.yaml --out zones
      zonegen build --check || echo "zones/ is stale: run zonegen build"
    """
    from .build import build_files
    from .output import plan, write

    try:
        result = build_files(site_path, out_dir)
        changes = plan(result.files)
    except ZonegenError as e:
        _fail(e)
    for note in result.notes:
        click.echo(f"zonegen: note: {note}", err=True)
    changed = [c for c in changes if c.status != "unchanged"]
    if check:
        for c in changed:
            click.echo(f"would be {c.status}: {c.path}")
        if changed:
            click.echo(
                f"{len(changed)} of {len(changes)} files are not current; run zonegen build",
                err=True,
            )
            sys.exit(EXIT_PROBLEMS)
        click.echo(f"all {len(changes)} files are current")
        return
    try:
        write(result.files, changes)
    except ZonegenError as e:
        _fail(e)
    for c in changes:
        click.echo(f"{c.status:9} {c.path}")
    click.echo(
        f"{len(result.zones)} zones, {result.record_count} records: "
        f"{len(changed)} files written, {len(changes) - len(changed)} unchanged"
    )
