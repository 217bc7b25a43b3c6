"""Sync to Google Cloud DNS with the real octoDNS Manager and google-cloud-dns client, against
a local server that speaks the Cloud DNS v1 REST API (tests/fake_clouddns.py)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from octodns.manager import Manager

from conftest import REPO, RR, normalise, parse_rdata, run, yaml_records
from fake_clouddns import FakeCloudDns
from zonegen.octodns import UnmanagedDelete

PROJECT = "zonegen-test"


@pytest.fixture
def api() -> Iterator[FakeCloudDns]:
    with FakeCloudDns() as fake:
        yield fake


def shipped_config(tmp: Path, zones: Path, endpoint: str, **guard: object) -> Path:
    """config/octodns.yaml as shipped, pointed at the test zones and the local API."""
    config = yaml.safe_load((REPO / "config" / "octodns.yaml").read_text())
    config["providers"]["zones"]["directory"] = str(zones)
    config["providers"]["gcloud"].update(project=PROJECT, api_endpoint=endpoint, anonymous=True)
    config["processors"]["delete-guard"].update(guard)
    path = tmp / ("octodns-keep.yaml" if guard else "octodns.yaml")
    path.write_text(yaml.safe_dump(config))
    return path


def build_example(tmp: Path) -> Path:
    out = tmp / "zones"
    result = run("build", "--site", REPO / "config" / "site.yaml", "--out", out)
    assert result.exit_code == 0, result.stderr
    return out


def sync(config: Path, *, doit: bool = True, force: bool = False) -> int:
    out = io.StringIO()
    return int(Manager(str(config)).sync(dry_run=not doit, force=force, plan_output_fh=out))


def served(api: FakeCloudDns, zone: str) -> set[RR]:
    """What the API holds, without Google's SOA and NS."""
    found: set[RR] = set()
    for rr in api.zone_by_dns_name(zone).rrsets.values():
        if rr["type"] in ("SOA", "NS"):
            continue
        for text in rr["rrdatas"]:
            found.add(
                (
                    rr["name"],
                    rr["type"],
                    rr["ttl"],
                    normalise(rr["type"], parse_rdata(rr["type"], text)),
                )
            )
    return found


def test_first_sync_creates_everything_then_nothing_changes(
    api: FakeCloudDns, tmp_path: Path
) -> None:
    zones = build_example(tmp_path)
    config = shipped_config(tmp_path, zones, api.endpoint)
    assert sync(config) > 0
    want = yaml_records(zones, "example.org.")
    assert served(api, "example.org.") == want
    # TLSA, a TXT with ';', a 411-character DKIM key, CAA and a null SRV are all there.
    types = {(name, t) for name, t, _, _ in want}
    assert ("_25._tcp.mx.example.org.", "TLSA") in types
    assert ("_imap._tcp.example.org.", "SRV") in types and ("example.org.", "CAA") in types
    zone = api.zone_by_dns_name("example.org.")
    assert zone.rrsets[("example.org.", "CAA")]["rrdatas"] == ['0 issue "letsencrypt.org"']
    assert zone.rrsets[("_imap._tcp.example.org.", "SRV")]["rrdatas"] == ["0 0 0 ."]
    # Google's NS were not touched.
    assert zone.rrsets[("example.org.", "NS")]["rrdatas"][0].startswith("ns-cloud-a1")
    changes_after_first = len(zone.changes)

    assert sync(config) == 0
    assert len(zone.changes) == changes_after_first


def test_a_zone_listed_in_pages_is_read_whole(tmp_path: Path) -> None:
    """The real API sends long lists in pages: with three zones and RRsets to a page, the
    provider must follow nextPageToken, or a second sync would see records missing (and try
    to add them again, a 409) and the first would not find the zone it made."""
    zones = build_example(tmp_path)
    with FakeCloudDns(page_size=3) as api:
        config = shipped_config(tmp_path, zones, api.endpoint)
        for name in ("a.example.", "b.example.", "c.example."):  # the zones list pages too
            api.create_zone({"name": name.replace(".", "-").strip("-"), "dnsName": name})
        assert sync(config) > 0
        want = yaml_records(zones, "example.org.")
        assert len(want) > 3 * 3 and served(api, "example.org.") == want
        zone = api.zone_by_dns_name("example.org.")
        changes = len(zone.changes)
        assert sync(config) == 0
        assert len(zone.changes) == changes
        assert api.page_tokens > 0  # it asked for later pages, not only the first


def test_one_changed_record_is_one_change(api: FakeCloudDns, tmp_path: Path) -> None:
    zones = build_example(tmp_path)
    config = shipped_config(tmp_path, zones, api.endpoint)
    sync(config)
    zone = api.zone_by_dns_name("example.org.")
    before = len(zone.changes)
    path = zones / "example.org.yaml"
    path.write_text(path.read_text().replace("value: 203.0.113.80", "value: 203.0.113.81"))
    assert sync(config) == 1
    assert len(zone.changes) == before + 1
    (change,) = zone.changes[before:]
    assert [(r["name"], r["rrdatas"]) for r in change["additions"]] == [
        ("www.example.org.", ["203.0.113.81"])
    ]
    assert [(r["name"], r["rrdatas"]) for r in change["deletions"]] == [
        ("www.example.org.", ["203.0.113.80"])
    ]


def test_foreign_records_stop_the_sync_unless_forced(api: FakeCloudDns, tmp_path: Path) -> None:
    zones = build_example(tmp_path)
    config = shipped_config(tmp_path, zones, api.endpoint)
    sync(config)
    zone = api.zone_by_dns_name("example.org.")
    zone.rrsets[("shop.example.org.", "A")] = {
        "name": "shop.example.org.",
        "type": "A",
        "ttl": 300,
        "rrdatas": ["192.0.2.7"],
    }
    with pytest.raises(UnmanagedDelete, match=r"would delete 1 record \(shop.example.org. A\)"):
        sync(config)
    assert ("shop.example.org.", "A") in zone.rrsets
    # keep_unmanaged: the record stays and the sync goes on.
    kept = shipped_config(tmp_path, zones, api.endpoint, keep_unmanaged=True)
    assert sync(kept) == 0
    assert ("shop.example.org.", "A") in zone.rrsets
    # --force: the user asked, so it goes.
    assert sync(config, force=True) == 1
    assert ("shop.example.org.", "A") not in zone.rrsets


def test_upstream_provider_cannot_sync_tlsa(api: FakeCloudDns, tmp_path: Path) -> None:
    """Why zonegen ships its own provider: the stock one refuses the DANE records."""
    from octodns.provider import SupportsException
    from octodns.provider.yaml import YamlProvider
    from octodns.zone import Zone
    from octodns_googlecloud import GoogleCloudProvider as Upstream

    from zonegen.octodns import GoogleCloudProvider

    zones = build_example(tmp_path)
    desired = Zone("example.org.", [])
    YamlProvider("zones", str(zones), escaped_semicolons=False).populate(desired)
    ours = GoogleCloudProvider("gcloud", project=PROJECT, api_endpoint=api.endpoint, anonymous=True)
    assert ours.plan(desired) is not None  # TLSA included
    # The same object as upstream's class (its client still points at the local API).
    ours.__class__ = Upstream
    with pytest.raises(SupportsException, match="TLSA records not supported"):
        ours.plan(desired)


def test_thresholds_stay_on(api: FakeCloudDns, tmp_path: Path) -> None:
    from octodns.provider.plan import TooMuchChange

    zones = build_example(tmp_path)
    config = shipped_config(tmp_path, zones, api.endpoint)
    sync(config)
    path = zones / "example.org.yaml"
    data = yaml.safe_load(path.read_text())
    kept = {k: v for k, v in data.items() if not k.startswith("_")}  # most of the zone
    from octodns.yaml import safe_dump

    with path.open("w") as fh:
        safe_dump(kept, fh)
    with pytest.raises(TooMuchChange, match="Too many deletes"):
        sync(config)
    assert sync(config, force=True) > 0


def test_caa_with_semicolons_and_tlsa_as_the_api_returns_it(
    api: FakeCloudDns, tmp_path: Path
) -> None:
    zones = tmp_path / "zones"
    zones.mkdir()
    (zones / "example.net.yaml").write_text(
        "---\n"
        "? ''\n"
        ": - ttl: 300\n"
        "    type: CAA\n"
        "    value:\n"
        "      flags: 0\n"
        "      tag: issue\n"
        "      value: letsencrypt.org; accounturi=https://acme-v02.api.letsencrypt.org/acme/acct/1;"
        " validationmethods=tls-alpn-01,http-01\n"
        "  - ttl: 300\n"
        "    type: TXT\n"
        "    value: v=spf1 ip4:192.0.2.1 mx ~all\n"
        "_25._tcp.mail:\n"
        "  ttl: 300\n"
        "  type: TLSA\n"
        "  value:\n"
        "    certificate_association_data: "
        "710b564e21fb4ebd21d153623afae8f268371dcdf77c243d18ab74794bfff0bb\n"
        "    certificate_usage: 3\n"
        "    matching_type: 1\n"
        "    selector: 1\n"
    )
    config = shipped_config(tmp_path, zones, api.endpoint)
    assert sync(config) > 0
    zone = api.zone_by_dns_name("example.net.")
    caa = zone.rrsets[("example.net.", "CAA")]["rrdatas"]
    assert caa == [
        '0 issue "letsencrypt.org; accounturi=https://acme-v02.api.letsencrypt.org'
        '/acme/acct/1; validationmethods=tls-alpn-01,http-01"'
    ]
    # An API that hands TLSA back upper-case and split, as some do, still plans nothing.
    tlsa = zone.rrsets[("_25._tcp.mail.example.net.", "TLSA")]
    tlsa["rrdatas"] = ["3 1 1 710B564E21FB4EBD21D153623AFAE8F2 68371DCDF77C243D18AB74794BFFF0BB"]
    assert sync(config) == 0


def test_txt_with_quotes_backslashes_and_a_4096_bit_key_arrive_exactly(
    api: FakeCloudDns, tmp_path: Path
) -> None:
    """octoDNS's TXT value is the text itself: a backslash is a backslash. Upstream sent it
    unescaped, so Cloud DNS (and the fake, which parses rrdatas) served `back\\slash` with
    one backslash and `gr\\195` as one octet, and every later plan read it back as unchanged."""
    zones = tmp_path / "zones"
    zones.mkdir()
    key = "v=DKIM1\\; k=rsa\\; p=" + "A" * 736  # a 4096-bit key's length: three strings
    (zones / "example.net.yaml").write_text(
        yaml.safe_dump(
            {
                "big._domainkey": {"ttl": 300, "type": "TXT", "value": key.replace("\\;", ";")},
                "weird": {
                    "ttl": 300,
                    "type": "TXT",
                    "values": ['a "quoted" word', "back\\\\slash", "gr\\195e", "semi;colon"],
                },
            }
        )
    )
    config = shipped_config(tmp_path, zones, api.endpoint)
    assert sync(config) == 2
    assert served(api, "example.net.") == yaml_records(zones, "example.net.")
    weird = api.zone_by_dns_name("example.net.").rrsets[("weird.example.net.", "TXT")]
    assert '"back\\\\\\\\slash"' in weird["rrdatas"] and '"gr\\\\195e"' in weird["rrdatas"]
    assert sync(config) == 0
