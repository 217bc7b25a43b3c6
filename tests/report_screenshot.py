"""Make the README's screenshots of the verify page from a real run on the test lab.

    PATH="$PATH:/usr/sbin" .venv/bin/python tests/report_screenshot.py

Starts named and unbound on 127.0.0.1 as the tests do, runs verify as a timer would (each
run's JSON kept for the next), breaks and fixes records in between, and has headless
Chromium photograph the last page: docs/verify-report.png (desktop) and
docs/verify-report-phone.png.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from chromium import Chromium
from conftest import REPO, run
from test_report_live import DMARC, settle
from test_verify import SITE, start_lab

WRONG_TLSA = "3 1 1 " + "ab" * 32


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="zonegen-shot-"))
    lab = start_lab(work / "lab", dnssec=True)
    assert lab.unbound
    os.chdir(work)  # the page names the --since file as given: last.json
    last, html = Path("last.json"), work / "status.html"

    def verify() -> None:
        run(
            "verify",
            "--site",
            SITE,
            "--nameserver",
            f"127.0.0.1:{lab.named.port}",
            "--resolver",
            f"127.0.0.1:{lab.unbound.port}",
            "--html",
            html,
            "--since",
            last,
            "--json",
            last,
        )
        time.sleep(1)  # a new time stamp for the next run

    try:
        verify()
        lab.named.replace("example.org.", "_dmarc.example.org.", "TXT", '"v=DMARC1;p=none"')
        lab.named.update("example.org.", "example.org.", "A", "192.0.2.99")
        settle(lab, "_dmarc.example.org.", "TXT", "v=DMARC1;p=none")
        verify()
        lab.named.replace("example.org.", "_dmarc.example.org.", "TXT", f'"{DMARC}"')
        lab.named.replace("example.org.", "_25._tcp.mx.example.org.", "TLSA", WRONG_TLSA)
        settle(lab, "_dmarc.example.org.", "TXT", DMARC)
        settle(lab, "_25._tcp.mx.example.org.", "TLSA", WRONG_TLSA)
        verify()
    finally:
        lab.unbound.stop()
        lab.named.stop()
    browser = Chromium()
    try:
        docs = REPO / "docs"
        docs.mkdir(exist_ok=True)
        page = browser.open(html.as_uri(), width=1000, height=900)
        assert page.requests() == [html.as_uri()]
        page.screenshot(docs / "verify-report.png", height=1450)
        phone = browser.open(html.as_uri(), width=390, height=844, mobile=True)
        phone.screenshot(docs / "verify-report-phone.png", height=1500)
    finally:
        browser.close()
    print(f"wrote docs/verify-report.png and docs/verify-report-phone.png (page: {html})")


if __name__ == "__main__":
    main()
