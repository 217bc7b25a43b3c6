"""The obvious approach, for comparison: parse each Mox output with dnspython's zone-file
reader and write BIND files with dnspython. No checks, no octoDNS YAML, no key checks."""

from __future__ import annotations

import sys
from pathlib import Path

import dns.name
import dns.zone


def main(site_dir: Path, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in sorted((site_dir / "mox").glob("dnsrecords-*.txt")):
        domain = path.name[len("dnsrecords-") : -len(".txt")]
        zone = dns.zone.from_text(
            path.read_text(), origin=domain + ".", relativize=False, check_origin=False
        )
        count += sum(1 for _ in zone.iterate_rdatas())
        (out / f"{domain}.zone").write_text(zone.to_text(sorted=True, relativize=True))
    return count


if __name__ == "__main__":
    print(main(Path(sys.argv[1]), Path(sys.argv[2])))
