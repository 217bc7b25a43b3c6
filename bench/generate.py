"""Generate N Mox domains for the benchmark: renamed copies of a real `mox config dnsrecords`
output (tests/fixtures/mox/v17-dualstack-dnssec), and the site file listing them."""

from __future__ import annotations

import argparse
from pathlib import Path

FIXTURE = (
    Path(__file__).resolve().parent.parent
    / "tests/fixtures/mox/v17-dualstack-dnssec/dnsrecords-example.org.txt"
)


def generate(n: int, out: Path) -> Path:
    text = FIXTURE.read_text()
    mox = out / "mox"
    mox.mkdir(parents=True, exist_ok=True)
    # The host stays mx.example.org (its records repeat in every domain's output, as Mox
    # prints them); each domain gets its own name.
    host_zone = text.replace("example.org.", "HOSTZONE.")
    files = []
    for i in range(n):
        domain = f"d{i:05d}.example"
        # Report addresses too: each domain's own (at example.org they would be external
        # destinations, which verify's dmarc-external check wants authorized).
        body = (
            host_zone.replace("mx.HOSTZONE.", "mx.example.org.")
            .replace("HOSTZONE.", f"{domain}.")
            .replace("@example.org", f"@{domain}")
        )
        path = mox / f"dnsrecords-{domain}.txt"
        path.write_text(body)
        files.append(path.name)
    zones = "".join(f"  d{i:05d}.example: {{}}\n" for i in range(n))
    site = out / "site.yaml"
    site.write_text(
        "mox:\n  records:\n"
        + "".join(f"    - mox/{f}\n" for f in files)
        + "host:\n  name: mx.example.org\n  ipv4: [203.0.113.25]\n  ipv6: ['2001:db8:25::25']\n"
        + "bind:\n  ns: [ns1.dns.example., ns2.dns.example.]\n"
        + "zones:\n  example.org: {signed: true}\n"
        + zones.replace("{}", "{signed: true}")
    )
    return site


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    print(generate(args.n, args.out))
