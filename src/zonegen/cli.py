"""The ``zonegen`` command line: a thin layer over the library.

Library errors become exit code 2 with one line on stderr here, and only here. Heavy modules
(octoDNS, dnspython) are imported inside the commands so ``zonegen --help`` stays quick.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from . import __version__
from .errors import ZonegenError
from .text import visible
from .verify.checkids import MAIL_DNS_CHECKS, MAIL_GROUP

if TYPE_CHECKING:
    import datetime

    from .sources import Inputs
    from .verify.since import Previous

EXIT_PROBLEMS = 1
EXIT_BAD_INPUT = 2

# The layout every command defaults to: config/site.yaml, zones/.
_site_option = click.option(
    "--site",
    "site_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("config/site.yaml"),
    show_default=True,
    help="The site file.",
)
_out_option = click.option(
    "--out",
    "out_dir",
    default=Path("zones"),
    type=click.Path(path_type=Path, file_okay=False),
    help="Where the built zones are: <zone>.yaml and bind/<zone>.zone.",
    show_default=True,
)
_dry_run_option = click.option("--dry-run", is_flag=True, help="Show the change, write nothing.")
_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output for people (text) or for tools and monitoring (json).",
)


def _number_option(
    *decls: str, default: float, help: str, minimum: float = 0.1, metavar: str = "S"
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A float option with a floor (seconds, unless ``metavar`` says otherwise)."""
    return click.option(
        *decls,
        type=click.FloatRange(min=minimum),
        default=default,
        show_default=True,
        metavar=metavar,
        help=help,
    )


def _path_option(
    *decls: str, help: str, folder: bool = False, metavar: str | None = None, required: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """An option naming a file (or, with ``folder``, a folder)."""
    kind = (
        click.Path(path_type=Path, file_okay=False)
        if folder
        else click.Path(path_type=Path, dir_okay=False)
    )
    return click.option(*decls, type=kind, metavar=metavar, required=required, help=help)


def _read(site_path: Path) -> Inputs:
    """The inputs of ``site_path``; what the site file itself calls for (a deprecated key) is
    said on stderr. (``build`` says it among its notes.)"""
    from .sources import read_inputs

    inputs = read_inputs(site_path)
    for note in inputs.site.notes:
        click.echo(f"zonegen: note: {visible(note)}", err=True)
    return inputs


def _fail(error: ZonegenError) -> NoReturn:
    click.echo(f"zonegen: error: {visible(error)}", err=True)
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
@_site_option
@_out_option
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any file would change.")
@click.option(
    "--no-cache", is_flag=True, help="Build everything even if nothing changed since last time."
)
def build(site_path: Path, out_dir: Path, check: bool, no_cache: bool) -> None:
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

    try:
        built = build_files(site_path, out_dir, check=check, use_cache=not no_cache)
    except ZonegenError as e:
        _fail(e)
    for note in built.notes:
        click.echo(f"zonegen: note: {visible(note)}", err=True)
    if built.error is not None:
        _fail(built.error)
    if built.problems:
        for problem in built.problems:
            click.echo(f"zonegen: {problem.as_text()}", err=True)
        click.echo(
            f"zonegen: {len(built.problems)} errors: nothing written (see `zonegen check`)",
            err=True,
        )
        sys.exit(EXIT_PROBLEMS)
    changed = [c for c in built.changes if c.status != "unchanged"]
    if check:
        for c in changed:
            click.echo(f"would be {c.status}: {c.path}")
        if changed:
            click.echo(
                f"{len(changed)} of {len(built.changes)} files are not current; run zonegen build",
                err=True,
            )
            sys.exit(EXIT_PROBLEMS)
        click.echo(f"all {len(built.changes)} files are current")
        return
    for c in built.changes:
        click.echo(f"{c.status:9} {c.path}")
    click.echo(
        f"{built.zones} zones, {built.records} records: "
        f"{len(changed)} files written, {len(built.changes) - len(changed)} unchanged"
    )


@main.command()
@click.argument("directory", default=Path(), type=click.Path(path_type=Path, file_okay=False))
@_path_option(
    "--quickstart",
    "log_path",
    required=True,
    metavar="LOG",
    help="The quickstart.log Mox wrote (or `mox config dnsrecords DOMAIN` output). Only its "
    "DNS records are kept; the log itself (it holds passwords) is never copied.",
)
@_path_option(
    "--mox-config",
    "mox_config",
    folder=True,
    metavar="DIR",
    help="Mox's config dir: mox.conf gives the host's name and IPs (written into the site "
    "file; the site file does not name the dir, whose private keys must stay out of git).",
)
@click.option(
    "--provider",
    type=click.Choice(["googlecloud", "bind", "powerdns"]),
    default="googlecloud",
    show_default=True,
    help="The octoDNS target of config/octodns.yaml.",
)
@click.option(
    "--zone",
    "zones",
    multiple=True,
    metavar="ZONE",
    help="A zone to write (repeatable). Default: each mail domain, and the mail host's zone "
    "when its name is in another domain (guessed from the name).",
)
def init(
    directory: Path,
    log_path: Path,
    mox_config: Path | None,
    provider: str,
    zones: tuple[str, ...],
) -> None:
    """Start a DNS repository in DIRECTORY (default: here) from a Mox quickstart.

    Writes config/site.yaml (the zones, the mail host's name and IPs), Mox's records as
    config/mox/dnsrecords-<domain>.txt, config/octodns.yaml for the provider (delete guard
    on, credentials from the environment), .gitignore, .pre-commit-config.yaml and a CI
    workflow (.github/workflows/dns.yml) that run `zonegen build --check`, and builds zones/.
    It never replaces a file: when one exists, nothing is written (exit 2). Then
    `zonegen build`, `zonegen check` and `zonegen build --check` work there without flags.

    \b
    Exit codes: 0 written, 1 the zones have errors (nothing written), 2 bad input or a file
    that exists already.

    \b
    Examples:
      zonegen init dns --quickstart ~/mox/quickstart.log
      zonegen init --quickstart quickstart.log --mox-config /home/mox/config --provider bind
    """
    from . import names
    from .build import build_pending, output_paths
    from .newrepo import OCTODNS, SITE, ZONES, plan_repo
    from .output import create, refuse_taken
    from .sources import read_mox_host, read_mox_output
    from .sources.files import show

    package = f"zonegen{'[providers]' if provider == 'powerdns' else ''}=={__version__}"
    try:
        log = read_mox_output(log_path)
        config = read_mox_host(mox_config) if mox_config else None
        if config is not None:
            from .pipeline import check_caa

            check_caa(log, config)
        repo = plan_repo(log, config=config, provider=provider, zones=zones, package=package)
        files = {directory / path: text for path, text in repo.files.items()}
        zone_files = [p for z in repo.zones for p in output_paths(directory / ZONES, z)]
        refuse_taken([*files, *zone_files])  # before building: say it first
        planned = build_pending(
            (directory / SITE).resolve(),
            directory / ZONES,
            {path.resolve(): text.encode() for path, text in files.items()},
        )
        for note in planned.notes:
            click.echo(f"zonegen: note: {visible(note)}", err=True)
        if planned.problems:
            for problem in planned.problems:
                click.echo(f"zonegen: {problem.as_text()}", err=True)
            click.echo(
                f"zonegen: {len(planned.problems)} errors: nothing written (see above)", err=True
            )
            sys.exit(EXIT_PROBLEMS)
        files.update(planned.files)
        create(files)
    except ZonegenError as e:
        _fail(e)
    for path in sorted(files):
        click.echo(f"created   {show(path)}")
    shown = ", ".join(names.unicode(z).rstrip(".") for z in repo.zones)
    click.echo(
        f"{planned.zones} zones ({shown}), {planned.records} records; mail host "
        f"{names.unicode(repo.hostname).rstrip('.')} ({', '.join(repo.ips)})"
    )
    if repo.guessed:
        click.echo(
            f"the mail host's zone {names.unicode(repo.guessed).rstrip('.')} is a guess from its "
            "name: if the zone is another, init again with --zone for each zone"
        )
    if config is not None:
        others = [d for d in config.domains if d not in repo.domains]
        if others:
            click.echo(
                "Mox also has "
                + ", ".join(names.unicode(d).rstrip(".") for d in others)
                + ": add each one's `mox config dnsrecords DOMAIN` output to config/mox/, "
                "mox.records and zones: in config/site.yaml"
            )
    where = "" if directory == Path() else f"cd {show(directory)} && "
    click.echo(
        f"next: {where}git init && git add -A && git commit -m 'DNS from Mox'; then set bind.ns "
        f"in {SITE} and the credentials {OCTODNS} names, and review the plan: "
        f"octodns-sync --config-file {OCTODNS}"
    )


@main.command()
@_site_option
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
@click.option(
    "--smtp",
    metavar="ADDR[:PORT]",
    help="Check DANE on the SMTP server at this IP address instead of the mail host's.",
)
@click.option(
    "--ds",
    "ds_texts",
    multiple=True,
    metavar="'ZONE DS KEYTAG ALG DIGESTTYPE DIGEST'",
    help="The DS a zone's chain of trust starts from (repeatable). Default: the parent's, "
    "through the resolver, when --nameserver is not given.",
)
@_number_option(
    "--timeout",
    "total_timeout",
    default=120.0,
    help="Seconds for the whole run; what is unanswered by then is reported, exit 2.",
)
@_number_option(
    "--query-timeout",
    default=3.0,
    help="Seconds for one query (three UDP sends, and TCP when the answer is truncated).",
)
@_number_option(
    "--expiry-window",
    default=7.0,
    minimum=0,
    metavar="DAYS",
    help="Warn about DNSSEC signatures that expire within this many days.",
)
@click.option(
    "--https",
    "https_on",
    is_flag=True,
    help="Fetch each domain's MTA-STS policy over HTTPS and check it; check the certificate "
    "of autoconfig and autodiscover on port 443 (a TLS handshake, as Mox's check).",
)
@click.option(
    "--tls",
    "tls_on",
    is_flag=True,
    help="STARTTLS on each MX (port 25, or --smtp): the certificate by the Web PKI.",
)
@click.option("--online", is_flag=True, help="All the connection checks: --https --tls --dane.")
@click.option(
    "--https-resolve",
    "https_resolve",
    multiple=True,
    metavar="NAME:ADDR:PORT",
    help="Connect to ADDR:PORT for https://NAME (repeatable), as curl --resolve.",
)
@_path_option(
    "--ca-bundle",
    metavar="FILE",
    help="The CAs --https and --tls trust (PEM). Default: the system's bundle.",
)
@click.option(
    "--cert-window",
    type=click.FloatRange(min=0),
    default=14.0,
    show_default=True,
    metavar="DAYS",
    help="Warn about certificates (--https, --tls) that expire within this many days.",
)
@click.option(
    "--skip",
    "skipped",
    multiple=True,
    type=click.Choice([MAIL_GROUP, *MAIL_DNS_CHECKS]),
    help="Leave out a mail check (repeatable); 'mail': all of them.",
)
@_format_option
@_path_option(
    "--html",
    "html_path",
    help="Also write the report as one self-contained HTML page to this file.",
)
@_path_option(
    "--json",
    "json_path",
    help="Also write the JSON report (as --format json prints it) to this file.",
)
@_path_option(
    "--since",
    "since_path",
    metavar="PREV.json",
    help="An earlier JSON report: say what is newly failing, fixed and still failing.",
)
def verify(
    site_path: Path,
    nameservers: tuple[str, ...],
    resolver: str | None,
    dane: bool,
    smtp: str | None,
    ds_texts: tuple[str, ...],
    total_timeout: float,
    query_timeout: float,
    expiry_window: float,
    fmt: str,
    html_path: Path | None,
    json_path: Path | None,
    since_path: Path | None,
    https_on: bool,
    tls_on: bool,
    online: bool,
    https_resolve: tuple[str, ...],
    ca_bundle: Path | None,
    cert_window: float,
    skipped: tuple[str, ...],
) -> None:
    """Check that the live DNS says what the built zones say, DNSSEC and DANE included.

    Builds the zones in memory as `build` does (no files are read from zones/ or written).
    Asks every authoritative server, with DO and without recursion, for every record, the
    SOA, the DNSKEY set and a name that does not exist, and judges each server on its own
    (records, signed or not, serial, every signature, the denial of existence) and against
    the others. Checks the chain of trust from the DS (--ds, or the parent's). Asks a
    validating resolver for each record and checks the AD bit. With --dane or --smtp it
    compares the certificate chain served after STARTTLS with the TLSA records; no SMTP
    connection is made without them.

    It also makes the checks of Mox's own "Check DNS" page, one finding kind each, over DNS
    through the resolver: iprev, spf-eval, dkim-key (with mox.config), dmarc-external,
    tlsrpt, mta-sts, srv-clients, autoconfig, autodiscover (--skip CHECK leaves one out).
    --https fetches each MTA-STS policy and checks the certificate of autoconfig and
    autodiscover on port 443, --tls checks STARTTLS and the certificate of each MX (--online:
    both, and --dane); no HTTPS connection is made without them.

    --html writes a page that loads nothing and needs no JavaScript (for a CI artifact or
    a web server); --since compares with an earlier JSON report, which --json keeps: the
    same file may be given to both (it is read first, then replaced; on the first run it
    may be missing). The exit code is always that of this run.

    \b
    Exit codes: 0 all good (warnings allowed), 1 a mismatch or a DNSSEC, DANE or mail
    check failure, 2 bad usage, bad input (a --since file that is no verify report), or
    servers that did not answer (one line each) by --timeout.

    \b
    Examples:
      zonegen verify
      zonegen verify --resolver 127.0.0.1 --format json      # from cron, for monitoring
      zonegen verify --nameserver 192.0.2.53 --smtp 192.0.2.25:25
      zonegen verify --html status.html --since last.json --json last.json   # a timer
      zonegen verify --online --ca-bundle /etc/ssl/certs/ca-certificates.crt
      zonegen verify --nameserver 192.0.2.53 --resolver 127.0.0.1 \\
          --ds 'example.com. DS 2371 13 2 1F987CC6583E92DF0890718C42...' --timeout 30
    """
    import datetime
    import json

    from .pipeline import build as build_zones
    from .verify import Options
    from .verify import verify as run_verify
    from .verify.report import render_since, render_text
    from .verify.servers import parse_ds, parse_resolve, parse_server
    from .verify.since import load_previous

    if dane and smtp:
        raise click.UsageError("give --dane or --smtp, not both")
    https_on, tls_on = https_on or online, tls_on or online
    dane = (dane or online) and not smtp
    if https_resolve and not https_on:
        raise click.UsageError("--https-resolve is for --https (or --online)")
    if html_path and {html_path.resolve()} & {p.resolve() for p in (json_path, since_path) if p}:
        raise click.UsageError("--html needs a file of its own (not the --json or --since file)")
    previous: Previous | None = None
    try:
        if since_path:
            first_run = (
                json_path is not None
                and since_path.resolve() == json_path.resolve()
                and not since_path.exists()
            )
            if first_run:  # a timer's first run: --json is about to create the file
                click.echo(
                    f"zonegen: note: {visible(since_path)} does not exist yet: first run", err=True
                )
            else:
                previous = load_previous(since_path)
        started = datetime.datetime.now(datetime.UTC)
        servers = [parse_server(n, default_port=53, what="--nameserver") for n in nameservers]
        resolver_server = (
            parse_server(resolver, default_port=53, what="--resolver") if resolver else None
        )
        smtp_server = parse_server(smtp, default_port=25, what="--smtp") if smtp else None
        ds: dict[str, tuple[Any, ...]] = {}
        for text in ds_texts:
            zone, rdata = parse_ds(text)
            ds[zone] = (*ds.get(zone, ()), rdata)
        options = Options(
            query_timeout=query_timeout,
            timeout=total_timeout,
            expiry_window_days=expiry_window,
            ds=ds,
            skip=_skipped(skipped),
            previous_policies=previous.mta_sts if previous else {},
            https=https_on,
            tls=tls_on,
            trust=_trust(ca_bundle) if https_on or tls_on else None,
            https_resolve=dict(parse_resolve(t) for t in https_resolve),
            cert_window_days=cert_window,
        )
        built = build_zones(_read(site_path))
        report = run_verify(
            built,
            nameservers=servers,
            resolver=resolver_server,
            smtp=smtp_server,
            dane=dane,
            options=options,
        )
        doc = _verify_document(report.as_json(), started, previous)
        _write_reports(doc, html_path, json_path)
    except ZonegenError as e:
        _fail(e)
    if fmt == "json":
        click.echo(json.dumps(doc, indent=2, sort_keys=True))
    else:
        click.echo(render_text(report), nl=False)
        if "since" in doc:
            click.echo(render_since(doc["since"]), nl=False)
    sys.exit(report.exit_code)


def _trust(ca_bundle: Path | None) -> Any:
    """The CAs of --ca-bundle, else of the system's bundle (as OpenSSL finds it)."""
    import ssl

    from .errors import InputError
    from .sources.files import read_text, show
    from .verify.webpki import load_trust

    if ca_bundle is None:
        default = ssl.get_default_verify_paths().cafile
        if not default:
            raise InputError("no CA bundle found on this machine: give --ca-bundle FILE (PEM)")
        ca_bundle = Path(default)
    return load_trust(read_text(ca_bundle, what="CA bundle"), show(ca_bundle))


def _skipped(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(MAIL_DNS_CHECKS if MAIL_GROUP in names else names)


def _verify_document(
    report: dict[str, Any], started: datetime.datetime, previous: Previous | None
) -> dict[str, Any]:
    """The JSON document of a verify run: the report, when it ran, what changed since."""
    import datetime

    from .verify.findings import document
    from .verify.since import compare

    finished = datetime.datetime.now(datetime.UTC)
    doc = document(report, started=started, finished=finished, version=__version__)
    if previous is not None:
        doc["since"] = compare(doc["findings"], doc["run"]["started"], previous)
    return doc


def _write_reports(doc: dict[str, Any], html_path: Path | None, json_path: Path | None) -> None:
    """--html and --json, written together and atomically (output.write)."""
    import json

    from .output import plan, write

    files: dict[Path, str] = {}
    if html_path:
        from .verify.html import render_html

        files[html_path] = render_html(doc)
    if json_path:
        files[json_path] = json.dumps(doc, indent=2, sort_keys=True) + "\n"
    if files:
        write(files, plan(files))


@main.command()
@_site_option
@_format_option
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option(
    "--provider",
    "provider",
    metavar="NAME",
    help="Check against this octoDNS target instead of the octoDNS config's: powerdns, "
    "cloudflare, hetzner, desec, route53, googlecloud, bind, a provider id of the config, "
    "or a class path.",
)
def check(site_path: Path, fmt: str, strict: bool, provider: str | None) -> None:
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
      zonegen check --provider desec      # what deSEC would refuse, before moving there
    """
    import json

    from .build import no_collection
    from .checks import ERROR, WARNING, run_checks
    from .pipeline import build as build_zones

    try:
        with no_collection():
            problems = run_checks(build_zones(_read(site_path)), provider=provider, strict=strict)
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
@_site_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["zone", "octodns", "gcloud-yaml", "gcloud-json"]),
    default=None,
    help="The export's format (default: detected from its text).",
)
@click.option(
    "--join-txt",
    is_flag=True,
    help="Take TXT records whose strings are split at other than 255 octets as their joined "
    "text in 255-octet strings (each one is listed).",
)
@click.option("--strict", is_flag=True, help="Write nothing if any record is refused.")
@_dry_run_option
def import_(
    export: Path,
    zone: str,
    site_path: Path,
    fmt: str | None,
    join_txt: bool,
    strict: bool,
    dry_run: bool,
) -> None:
    """Take an existing zone into the site's kept records, so the first sync loses nothing.

    EXPORT is a BIND zone file (also `gcloud dns record-sets export --zone-file-format` and
    `dig AXFR` output), octoDNS YAML (`octodns-dump`), a Cloud DNS YAML export
    (`gcloud dns record-sets export`) or a Cloud DNS JSON list (`gcloud dns record-sets list
    --format=json`); the format is detected, --format overrides. Every record is kept
    exactly (what build writes is read back and compared), left out with a note (SOA, apex
    NS, DNSSEC records, duplicates) or refused with its line and the reason. Kept records go
    to the zone's kept file (default: kept/<zone>.yaml next to the site file), which every
    build includes. Where the old zone and Mox want the same name (MX, SPF, DMARC, a CNAME),
    import lists the conflict and its choices; build refuses until the site file decides
    each under zones.<zone>.conflicts. Run it again on a newer export to see what changed.

    \b
    Exit codes: 0 every record kept or left out with a note, 1 records refused (the others
    are written; with --strict nothing is), 2 bad input (nothing is written).

    \b
    Examples:
      gcloud dns record-sets export old.zone --zone example-com --zone-file-format
      zonegen import old.zone --zone example.com
      dig @ns1.example.net example.com AXFR > axfr.txt && zonegen import axfr.txt --zone example.com
      gcloud dns record-sets list --zone example-com --format=json > rrsets.json
      zonegen import rrsets.json --zone example.com --strict
    """
    from .importer import import_zone, report
    from .output import write

    try:
        result = import_zone(_read(site_path), export, zone, fmt=fmt, join_txt=join_txt)
        held = strict and bool(result.refused)
        if not dry_run and not held:
            write({result.path: result.text}, [result.change])
    except ZonegenError as e:
        _fail(e)
    click.echo(report(result, zone), nl=False)
    if dry_run:
        click.echo("(dry run: nothing written)")
    if held:
        click.echo(
            f"zonegen: {len(result.refused)} records refused: nothing written (--strict)",
            err=True,
        )
    if result.refused:
        sys.exit(EXIT_PROBLEMS)


def _edit_file(path: Path, old: str, new: str, dry_run: bool) -> None:
    """Print a file's change as a unified diff and write it atomically (unless dry run)."""
    import difflib

    from .output import FileChange, write
    from .sources.files import show

    if old == new:
        click.echo(f"{show(path)}: no change")
        return
    diff = difflib.unified_diff(
        old.splitlines(True), new.splitlines(True), f"{show(path)}", f"{show(path)}"
    )
    click.echo("".join(diff), nl=False)
    if dry_run:
        click.echo(f"(dry run: {show(path)} not written)")
    else:
        write({path: new}, [FileChange(path, "changed")])


@main.group()
def ip() -> None:
    """The mail host's public IPs: show, set, check.

    \b
    Examples:
      zonegen ip show
      zonegen ip set 203.0.113.7 2001:db8::7 --mox-config /home/mox/config
      zonegen ip check || zonegen ip set $(curl -s https://api.ipify.org)
    """


@ip.command("show")
@_site_option
@_out_option
def ip_show(site_path: Path, out_dir: Path) -> None:
    """List the host's IPs as the site file, mox.conf and the built zones have them, and say
    where they disagree with what the next build publishes. Exit 1 when they disagree.

    \b
    Example:
      zonegen ip show        # after a move: exit 1 names what still has the old address
    """
    from .hostip import disagreements, sightings

    try:
        seen, wanted = sightings(_read(site_path), out_dir)
    except ZonegenError as e:
        _fail(e)
    for s in seen:
        click.echo(f"{s.where}: {', '.join(s.ips) or 'none'}")
    click.echo(f"the next build publishes: {', '.join(wanted)}")
    problems = disagreements(seen, wanted)
    for p in problems:
        click.echo(f"disagrees: {p}")
    if problems:
        sys.exit(EXIT_PROBLEMS)


@ip.command("set")
@click.argument("addresses", nargs=-1, required=True)
@_site_option
@_path_option(
    "--mox-config",
    folder=True,
    help="Also rewrite the public listener's NATIPs (or IPs) in this mox.conf.",
)
@_dry_run_option
def ip_set(
    addresses: tuple[str, ...], site_path: Path, mox_config: Path | None, dry_run: bool
) -> None:
    """Write new public IPs into the site file (host.ipv4/ipv6 of each family given),
    keeping its comments and layout; the next build then changes the host's A/AAAA and
    the SPF ip4:/ip6: mechanisms and nothing else.

    \b
    Examples:
      zonegen ip set 203.0.113.7 --dry-run
      zonegen ip set 203.0.113.7 2001:db8::7 --mox-config /home/mox/config
    """
    from . import siteedit
    from .hostip import edit_mox_conf, split_families
    from .output import backup
    from .sources.files import read_text, show

    try:
        v4, v6 = split_families(addresses)
        old = read_text(site_path, what="site file")
        new = old
        if v4:
            new = siteedit.set_value(
                new, ("host", "ipv4"), f"[{', '.join(v4)}]", shown=show(site_path)
            )
        if v6:
            new = siteedit.set_value(
                new, ("host", "ipv6"), f"[{', '.join(v6)}]", shown=show(site_path)
            )
        _edit_file(site_path, old, new, dry_run)
        if mox_config:
            path, conf_old, conf_new = edit_mox_conf(mox_config, v4, v6)
            if conf_old != conf_new and not dry_run:
                saved = backup(path, conf_old)
                click.echo(f"backup of mox.conf: {show(saved)}")
            _edit_file(path, conf_old, conf_new, dry_run)
            if conf_old != conf_new and not dry_run:
                click.echo("restart Mox for the new addresses (e.g. systemctl restart mox)")
    except ZonegenError as e:
        _fail(e)
    if not dry_run:
        # The DNS repo init writes has no Makefile: name the octoDNS command itself.
        click.echo(
            "next: zonegen build, review git diff zones/, then the plan and the sync: "
            "octodns-sync --config-file config/octodns.yaml [--doit]"
        )


@ip.command("check")
@_site_option
@click.option(
    "--url",
    default=None,
    help="IP-echo service answering with the caller's "
    "address as plain text. Default: https://api.ipify.org (IPv4).",
)
@click.option("--timeout", default=10.0, show_default=True, help="Seconds to wait.")
def ip_check(site_path: Path, url: str | None, timeout: float) -> None:
    """Ask an IP-echo service for the current public address and compare it with the site.

    For cron or a systemd timer (examples/zonegen-ip-check.timer). Exit 0 when equal, 1 when
    it differs (with the line to fix it), 2 when it cannot tell.

    \b
    Examples:
      zonegen ip check
      zonegen ip check --url https://api6.ipify.org     # the IPv6 address
    """
    import ipaddress

    from .hostip import DEFAULT_ECHO_URL, CannotTell, public_address
    from .pipeline import host_ips

    try:
        inputs = _read(site_path)
        known = host_ips(inputs.site, inputs.mox_config())
        current = public_address(url or DEFAULT_ECHO_URL, timeout=timeout)
    except ZonegenError as e:
        _fail(e)
    except CannotTell as e:
        click.echo(f"zonegen: cannot tell: {visible(e)}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    version = ipaddress.ip_address(current).version
    same_family = [ip for ip in known if ipaddress.ip_address(ip).version == version]
    if current in known:
        click.echo(f"public IPv{version} {current} is the site's")
        return
    if not same_family:
        click.echo(
            f"zonegen: cannot tell: the site has no IPv{version} address to compare {current} with",
            err=True,
        )
        sys.exit(EXIT_BAD_INPUT)
    click.echo(
        f"public IPv{version} is now {current}, the site says {', '.join(same_family)}: "
        f"run zonegen ip set {current}"
    )
    sys.exit(EXIT_PROBLEMS)


@main.group()
def ttl() -> None:
    """TTL lifecycle: promote to stable TTLs once mail works, lower before a change.

    \b
    Examples:
      zonegen ttl promote --dry-run
      zonegen ttl lower
    """


def _ttl_edit(site_path: Path, dry_run: bool, promote: bool) -> None:
    from . import ttls
    from .pipeline import build as build_zones
    from .sources import read_inputs
    from .sources.files import read_text, show

    try:
        old = read_text(site_path, what="site file")
        new = (ttls.promote if promote else ttls.lower)(old, show(site_path))
        old_inputs = read_inputs(site_path, site_text=old)
        for note in old_inputs.site.notes:
            click.echo(f"zonegen: note: {visible(note)}", err=True)
        before = build_zones(old_inputs)
        after = build_zones(read_inputs(site_path, site_text=new))
    except ZonegenError as e:
        _fail(e)
    _edit_file(site_path, old, new, dry_run)
    changes = ttls.changes(before, after)
    from . import names

    for c in changes[:40]:
        click.echo(f"  {names.unicode(c.name)} {c.rtype}: {c.old} -> {c.new}")
    if len(changes) > 40:
        click.echo(f"  ... and {len(changes) - 40} more")
    click.echo(f"{len(changes)} RRsets change TTL" + ("" if dry_run else "; next: zonegen build"))


@ttl.command("promote")
@_site_option
@_dry_run_option
def ttl_promote(site_path: Path, dry_run: bool) -> None:
    """Stable TTLs: an hour for most records, a day for DKIM and TLSA, a week for the null
    SRVs (ttl.default and ttl.kinds in the site file; ttl.overrides still win).

    \b
    Example:
      zonegen ttl promote --dry-run && zonegen ttl promote && zonegen build
    """
    _ttl_edit(site_path, dry_run, promote=True)


@ttl.command("lower")
@_site_option
@_dry_run_option
def ttl_lower(site_path: Path, dry_run: bool) -> None:
    """Short TTLs (Mox's 300 s) before a planned change; promote again afterwards.

    \b
    Example:
      zonegen ttl lower && zonegen build     # sync, wait out the old TTLs, then change
    """
    _ttl_edit(site_path, dry_run, promote=False)


@main.command()
@_site_option
@_out_option
@click.option("--days", default=7, show_default=True, help="Grace period.")
@_dry_run_option
def retire(site_path: Path, out_dir: Path, days: int, dry_run: bool) -> None:
    """Keep DKIM and TLSA records that Mox no longer prints published for a grace period.

    Compares the built zones on disk with what the inputs build now: a DKIM key whose
    selector left Mox's config, or a TLSA for a host key that was replaced, is added to
    `retired:` in the site file with an end date, and builds keep publishing it until then
    (DANE rollover, RFC 7671 8.1). `zonegen check` warns once the date has passed.

    \b
    Example:
      zonegen retire --days 14 && zonegen build
    """
    import datetime

    from . import siteedit
    from .pipeline import build as build_zones
    from .retire import entry, rolled_over
    from .sources.files import read_text, show

    try:
        gone = rolled_over(build_zones(_read(site_path)), out_dir)
        if not gone:
            click.echo("nothing to retire: every published DKIM and TLSA record is still built")
            return
        until = datetime.date.today() + datetime.timedelta(days=days)
        old = read_text(site_path, what="site file")
        new = siteedit.append_items(
            old, "retired", [entry(r, until) for r in gone], shown=show(site_path)
        )
    except ZonegenError as e:
        _fail(e)
    for record in gone:
        click.echo(f"retire {record.describe()} until {until.isoformat()}")
    _edit_file(site_path, old, new, dry_run)


def run() -> NoReturn:
    """The ``zonegen`` console script: :func:`main`, then a quick exit.

    A build leaves a few hundred thousand objects behind; tearing them down one by one at
    interpreter exit costs as much as writing the files did. Everything zonegen writes is
    flushed and renamed before this point and it keeps no other resource (no temporary
    files, no atexit work), so the process ends with ``os._exit`` after flushing the
    standard streams. In-process callers (tests, other tools) use :func:`main`.
    """
    import os

    try:
        main()
        code: object = 0
    except SystemExit as e:
        code = e.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        click.echo(code, err=True)  # what sys.exit("message") would print
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more to say there
            code = code or 1
    os._exit(code)
