"""``zonegen init``: a new DNS repository from what a Mox quickstart printed.

The repository uses the layout every command defaults to, so ``zonegen build``, ``check``
and ``build --check`` work in it without flags:

- ``config/site.yaml``: the domains' zones (and the mail host's, when it is in another
  domain), the host's name and IPs, the records file;
- ``config/mox/dnsrecords-<domain>.txt``: Mox's DNS records, written from zonegen's model in
  the grammar of ``mox config dnsrecords`` (never a line of the log: it holds the admin and
  account passwords), so builds in CI need neither the log nor Mox's config;
- ``config/octodns.yaml``: the octoDNS config of the chosen provider (the shipped
  ``config/octodns*.yaml``: delete guard on, credentials from the environment, the plan as
  Markdown);
- ``.gitignore``, ``.pre-commit-config.yaml``, ``.github/workflows/dns.yml``;
- ``zones/``: built, as ``zonegen build`` builds it.

Everything is computed here, in memory; the CLI writes it all or nothing (``output.create``).
With Mox's config dir, its mox.conf gives the host's name and IPs, which are written into the
site file: the site file does not name the config dir, because a build would then read Mox's
private keys, which must not be in the repository or in CI.
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from pathlib import Path

from .. import names
from ..errors import InputError
from ..model import MOX, Record
from ..sources.mox_config import MoxConfig
from ..sources.mox_records import MoxOutput, format_mox_output

PROVIDERS = ("googlecloud", "bind", "powerdns")
SITE = Path("config/site.yaml")
OCTODNS = Path("config/octodns.yaml")
ZONES = Path("zones")

# What the dns job of the CI workflow needs from the repository, per provider.
_CI_ENV = {
    "googlecloud": ("GOOGLE_CLOUD_PROJECT: ${{ vars.GOOGLE_CLOUD_PROJECT }}",),
    "bind": (
        "BIND_HOST: ${{ vars.BIND_HOST }}",
        "BIND_PORT: ${{ vars.BIND_PORT || '53' }}",
        "TSIG_NAME: ${{ vars.TSIG_NAME }}",
        "TSIG_SECRET: ${{ secrets.TSIG_SECRET }}",
    ),
    "powerdns": (
        "PDNS_API_HOST: ${{ vars.PDNS_API_HOST }}",
        "PDNS_API_PORT: ${{ vars.PDNS_API_PORT || '8081' }}",
        "PDNS_API_SCHEME: ${{ vars.PDNS_API_SCHEME || 'http' }}",
        "PDNS_API_KEY: ${{ secrets.PDNS_API_KEY }}",
    ),
}
_CI_AUTH = {
    "googlecloud": (
        "      - uses: google-github-actions/auth@v2\n"
        "        with:\n"
        "          workload_identity_provider: ${{ secrets.GCP_WORKLOAD_IDENTITY_PROVIDER }}\n"
        "          service_account: ${{ secrets.GCP_DNS_SERVICE_ACCOUNT }}\n"
    ),
}
# Second-level labels under which country-code registries hand out names (co.uk, com.au):
# the mail host's zone is then three labels deep. zonegen has no public suffix list; --zone
# names the zones when this guess is wrong, and init says which zone it guessed.
_SECOND_LEVEL = frozenset({"ac", "co", "com", "edu", "gov", "ne", "net", "or", "org"})


@dataclass(frozen=True, slots=True)
class NewRepo:
    """What ``zonegen init`` writes, and what to tell the user."""

    files: dict[Path, str]  # path (under the repository folder) -> text
    domains: tuple[str, ...]  # Mox's mail domains, absolute A-labels
    zones: tuple[str, ...]
    hostname: str
    ips: tuple[str, ...]
    guessed: str | None  # the host's zone, when init guessed it


def template(name: str) -> str:
    """A file of this package (the shipped templates)."""
    return importlib.resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def plan_repo(
    log: MoxOutput,
    *,
    config: MoxConfig | None,
    provider: str,
    zones: tuple[str, ...] = (),
    package: str,
) -> NewRepo:
    """The repository's files except ``zones/`` (see :func:`zonegen.build.render_files`).

    ``log`` is what Mox printed, ``config`` its config dir (mox.conf's host name and IPs win
    over what the records say), ``provider`` one of :data:`PROVIDERS`, ``zones`` the zones to
    write (default: each mail domain, and the host's zone when the host is in none of them),
    ``package`` what pip installs in CI.
    """
    records = [r for r in log.records if r.kind == MOX]
    domains = _domains(records, log.path)
    hostname = config.hostname if config else _host(records, log.path)
    ips = _ips(records, config, log.path)
    guessed = None
    if zones:
        zone_names = tuple(
            dict.fromkeys(
                names.absolute_or_error(z, path=None, line=None, what="--zone") for z in zones
            )
        )
    else:
        zone_names = domains
        if not any(names.in_zone(hostname, d) for d in domains):
            guessed = host_zone(hostname)
            zone_names = (*domains, guessed)
    records_file = Path("config/mox") / f"dnsrecords-{_file_label(domains[0])}.txt"
    files = {
        SITE: site_text(records_file, hostname, ips, domains, zone_names, guessed, config),
        records_file: records_text(log, domains),
        OCTODNS: template(f"octodns-{provider}.yaml"),
        Path(".gitignore"): template("gitignore"),
        Path(".pre-commit-config.yaml"): template("pre-commit-config.yaml"),
        Path(".github/workflows/dns.yml"): workflow_text(provider, package),
    }
    return NewRepo(files, domains, zone_names, hostname, ips, guessed)


def _domains(records: list[Record], shown: str) -> tuple[str, ...]:
    """The mail domains: the owners of Mox's MX records, in the order Mox printed them."""
    found = [r.name for r in records if r.rtype == "MX" and not r.disabled]
    if not found:
        raise InputError(
            "Mox's records have no MX record, so there is no mail domain to start from",
            path=shown,
            hint="give the quickstart.log of a quickstart that finished",
        )
    return tuple(dict.fromkeys(found))


def _host(records: list[Record], shown: str) -> str:
    hosts = sorted({str(r.target) for r in records if r.rtype == "MX"} - {"."})
    if len(hosts) != 1:
        raise InputError(
            f"Mox's records name {len(hosts)} mail hosts ({', '.join(hosts) or 'none'})",
            path=shown,
            hint="give --mox-config DIR: mox.conf names the host",
        )
    return hosts[0]


def _ips(records: list[Record], config: MoxConfig | None, shown: str) -> tuple[str, ...]:
    """mox.conf's public IPs with a config dir, else the ip4:/ip6: of Mox's SPF records."""
    from ..pipeline import spf_ips

    ips = config.ips if config else spf_ips(records)
    if not ips:
        raise InputError(
            "no IP address for the mail host: "
            + ("mox.conf's public listener has none" if config else "Mox's SPF records name none"),
            path=config.shown if config else shown,
            hint="give --mox-config DIR (mox.conf has the listener IPs), or set host.ipv4 in "
            "config/site.yaml after init",
        )
    return ips


def host_zone(hostname: str) -> str:
    """The zone the mail host's name is in, guessed: its last two labels, three under a
    country code's second level (mail.example.co.uk -> example.co.uk)."""
    labels = hostname.rstrip(".").split(".")
    depth = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-depth:]) + "."


def _file_label(domain: str) -> str:
    return domain.rstrip(".") or "root"


def _shown(name: str) -> str:
    return names.unicode(name).rstrip(".")


def records_text(log: MoxOutput, domains: tuple[str, ...]) -> str:
    first = _shown(domains[0])
    return format_mox_output(
        log,
        (
            f"Mox's DNS records for {first}, as `mox config dnsrecords {first}` prints them.",
            "Written by zonegen init from the record block of a Mox quickstart log (the log",
            "itself holds passwords and is not copied). When Mox's records change, replace",
            f"this file: mox config dnsrecords {first} > config/mox/dnsrecords-{first}.txt",
        ),
    )


def site_text(
    records_file: Path,
    hostname: str,
    ips: tuple[str, ...],
    domains: tuple[str, ...],
    zones: tuple[str, ...],
    guessed: str | None,
    config: MoxConfig | None,
) -> str:
    v4 = [ip for ip in ips if ":" not in ip]
    v6 = [ip for ip in ips if ":" in ip]
    source = "mox.conf" if config else "Mox's SPF record"
    rel = records_file.relative_to("config")
    lines = [
        "# zonegen site file: what Mox printed, the mail host, the zones to write.",
        '# Written by `zonegen init`. Reference: zonegen\'s README, "Site file".',
        "# Relative paths are relative to this file's folder.",
        "mox:",
        "  records:",
        f"    - {rel}",
        "  # config: /path/to/mox/config   # cross-checks DKIM and TLSA against Mox's key files;",
        "  #                               # needs the private keys wherever zonegen runs (not CI)",
        "",
        "host:",
        f"  name: {_shown(hostname)}",
        f"  ipv4: [{', '.join(v4)}]" + f"          # from {source}",
        f"  ipv6: [{', '.join(repr(ip) for ip in v6)}]",
        "",
        "bind:                       # SOA and NS of the BIND files in zones/bind/",
        "  # ns: [ns1.example.net., ns2.example.net.]   # your zones' name servers (until",
        "  #                        # then the BIND files name the placeholder ns.invalid.)",
        "  # glue: {ns1.example.com: [192.0.2.53]}  # name servers inside their own zone",
        "",
        "zones:",
    ]
    for zone in zones:
        what = "a mail domain" if zone in domains else "the mail host's zone"
        if zone == guessed:
            what += " (guessed from its name: run init with --zone to name the zones)"
        lines += [
            f"  {_shown(zone)}:                # {what}",
            "    # signed: true   # once its DNS provider signs the zone (DNSSEC): publishes the",
            "    #                # TLSA (DANE) records Mox printed commented out",
        ]
    return "\n".join(lines) + "\n"


def workflow_text(provider: str, package: str) -> str:
    env = "".join(f"      {line}\n" for line in _CI_ENV[provider])
    return (
        template("workflow.yml")
        .replace("@ZONEGEN@", package)
        .replace("@ENV@\n", env)
        .replace("@AUTH@\n", _CI_AUTH.get(provider, ""))
    )
