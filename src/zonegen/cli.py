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
    if result.problems:
        for problem in result.problems:
            click.echo(f"zonegen: {problem.as_text()}", err=True)
        click.echo(
            f"zonegen: {len(result.problems)} errors: nothing written (see `zonegen check`)",
            err=True,
        )
        sys.exit(EXIT_PROBLEMS)
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
    "--nameserver",
    "nameservers",
    multiple=True,
    metavar="ADDR[:PORT]",
    help="Authoritative server to ask (repeatable). Default: each zone's NS.",
)
@click.option(
    "--resolver",
    metavar="ADDR[:PORT]",
    help="Validating resolver to ask. Default: the system's (/etc/resolv.conf).",
)
@click.option("--dane", is_flag=True, help="Check DANE on the mail host's addresses, port 25.")
@click.option("--smtp", metavar="HOST[:PORT]", help="Check DANE on this SMTP server instead.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output for people (text) or for monitoring (json).",
)
def verify(
    site_path: Path,
    nameservers: tuple[str, ...],
    resolver: str | None,
    dane: bool,
    smtp: str | None,
    fmt: str,
) -> None:
    """Check that the live DNS says what the built zones say, DNSSEC and DANE included.

    Builds the zones in memory as `build` does (no files are read from zones/ or written),
    asks every authoritative server for every record without recursion, asks a validating
    resolver for each record and checks the AD bit, and with --dane or --smtp compares the
    certificate served after STARTTLS with the TLSA records. No SMTP connection is made
    without --dane or --smtp.

    \b
    Exit codes: 0 all good, 1 a mismatch or a DNSSEC/DANE failure, 2 bad usage or
    unreachable servers.

    \b
    Examples:
      zonegen verify
      zonegen verify --resolver 127.0.0.1 --format json      # from cron, for monitoring
      zonegen verify --nameserver 192.0.2.53 --smtp mail.example.com:25
    """
    import json

    from .pipeline import build as build_zones
    from .sources.site import load_site
    from .verify import verify as run_verify
    from .verify.report import render_text
    from .verify.servers import parse_server

    if dane and smtp:
        raise click.UsageError("give --dane or --smtp, not both")
    try:
        servers = [parse_server(n, default_port=53, what="--nameserver") for n in nameservers]
        resolver_server = (
            parse_server(resolver, default_port=53, what="--resolver") if resolver else None
        )
        smtp_server = parse_server(smtp, default_port=25, what="--smtp") if smtp else None
        built = build_zones(load_site(site_path))
        report = run_verify(
            built, nameservers=servers, resolver=resolver_server, smtp=smtp_server, dane=dane
        )
    except ZonegenError as e:
        _fail(e)
    if fmt == "json":
        click.echo(json.dumps(report.as_json(), indent=2, sort_keys=True))
    else:
        click.echo(render_text(report), nl=False)
    sys.exit(report.exit_code)


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
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output for people (text) or for tools (json).",
)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
def check(site_path: Path, fmt: str, strict: bool) -> None:
    """Lint the zones the site file builds: SPF, DMARC, DKIM, TLSA, MX/SRV, CNAME, MTA-STS,
    TLSRPT, CAA, provider support and TTLs, before anything reaches DNS.

    Reads what `build` reads and writes nothing. Each problem has a rule id, a severity,
    the record, the fix, and the file and line the record came from. `build` runs the
    error-level rules and refuses to write zones that have errors.

    \b
    Exit codes: 0 no errors (with --strict: no warnings either), 1 problems, 2 bad input.

    \b
    Examples:
      zonegen check
      zonegen check --strict --format json | jq '.problems[] | .rule'
    """
    import json

    from .checks import ERROR, WARNING, run_checks
    from .pipeline import build as build_zones
    from .sources.site import load_site

    try:
        problems = run_checks(build_zones(load_site(site_path)))
    except ZonegenError as e:
        _fail(e)
    errors = sum(1 for p in problems if p.severity == ERROR)
    warnings = sum(1 for p in problems if p.severity == WARNING)
    if fmt == "json":
        out = {
            "ok": not errors and not (strict and warnings),
            "summary": {"errors": errors, "warnings": warnings},
            "problems": [p.as_dict() for p in problems],
        }
        click.echo(json.dumps(out, indent=2, sort_keys=True))
    else:
        for problem in problems:
            click.echo(problem.as_text())
        click.echo(f"{errors} errors, {warnings} warnings")
    if errors or (strict and warnings):
        sys.exit(EXIT_PROBLEMS)


@main.command("import")
@click.argument("export", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--zone", "zone", required=True, help="The zone the export holds.")
@click.option(
    "--site",
    "site_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("config/site.yaml"),
    show_default=True,
    help="The site file.",
)
@click.option("--dry-run", is_flag=True, help="Report, write nothing.")
def import_(export: Path, zone: str, site_path: Path, dry_run: bool) -> None:
    """Take an existing zone into the site's kept records, so the first sync loses nothing.

    EXPORT is a BIND zone file (`gcloud dns record-sets export --zone-file-format`,
    `dig AXFR` output) or octoDNS YAML (`octodns-dump`, by the .yaml extension). SOA, the
    apex NS and DNSSEC records are left out; everything else that Mox does not already
    produce is written to the zone's kept file (default: kept/<zone>.yaml next to the site
    file), which every build includes. Where the old zone and Mox want the same name (MX,
    SPF, DMARC, a CNAME), import lists the conflict and its choices; build refuses until
    the site file decides each under zones.<zone>.conflicts. Run it again on a newer export
    to see what changed.

    \b
    Examples:
      gcloud dns record-sets export old.zone --zone example-com --zone-file-format
      zonegen import old.zone --zone example.com
      dig @ns1.example.net example.com AXFR > axfr.txt && zonegen import axfr.txt --zone example.com
    """
    from .importer import import_zone, report
    from .output import write
    from .sources.site import load_site

    try:
        result = import_zone(load_site(site_path), export, zone)
        if not dry_run:
            write({result.path: result.text}, [result.change])
    except ZonegenError as e:
        _fail(e)
    click.echo(report(result, zone), nl=False)
