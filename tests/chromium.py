"""Headless Chromium (Debian's ``chromium``) for the tests, driven over its DevTools pipe.

``--remote-debugging-pipe`` makes Chromium read DevTools commands from fd 3 and write
answers and events to fd 4 (JSON, each message ended by a NUL): no port is opened and no
extra package is needed. Through it a test opens a page, reads what the browser rendered
(text, computed styles, layout), emulates a phone or print, takes screenshots and sees
every request the page makes (``Network.requestWillBeSent``).

The browser cannot reach any other machine whatever a page asks for: every host name fails
to resolve (``--host-resolver-rules``) and every proxied request goes to a closed port on
127.0.0.1; background networking is off.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

from dnslab import free_port

CHROMIUM = "/usr/bin/chromium"
TIMEOUT = 60.0  # per command: the machine may be loaded


class BrowserError(Exception):
    pass


class Chromium:
    """One headless browser; :meth:`open` gives a page (tab) with network events on."""

    def __init__(self) -> None:
        self.profile = Path(tempfile.mkdtemp(prefix="zonegen-chromium-"))
        commands_r, self._commands = os.pipe()
        self._answers, answers_w = os.pipe()
        log = os.open(self.profile / "chromium.log", os.O_WRONLY | os.O_CREAT, 0o600)
        args = [
            CHROMIUM,
            "--headless",
            "--no-sandbox",  # root in CI, and containers without user namespaces
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-extensions",
            "--hide-scrollbars",
            "--mute-audio",
            f"--user-data-dir={self.profile}",
            "--remote-debugging-pipe",
            f"--proxy-server=127.0.0.1:{free_port()}",  # closed: a request fails right here
            "--host-resolver-rules=MAP * ~NOTFOUND",  # no name resolves, no DNS query leaves
            "about:blank",
        ]
        actions = [
            (os.POSIX_SPAWN_DUP2, commands_r, 3),
            (os.POSIX_SPAWN_DUP2, answers_w, 4),
            (os.POSIX_SPAWN_DUP2, log, 1),
            (os.POSIX_SPAWN_DUP2, log, 2),
        ]
        # Its own process group: close() ends the browser and every helper it started.
        self.pid = os.posix_spawn(CHROMIUM, args, os.environ, file_actions=actions, setsid=True)
        for fd in (commands_r, answers_w, log):
            os.close(fd)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        self.version = self.send("Browser.getVersion")["product"]

    def send(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> Any:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._commands, data) :]
        return self._until(lambda m: m.get("id") == self._next_id)["result"]

    def wait_event(self, method: str, session: str) -> dict[str, Any]:
        for i, event in enumerate(self.events):
            if event.get("method") == method and event.get("sessionId") == session:
                return self.events.pop(i)
        message = self._until(lambda m: m.get("method") == method and m.get("sessionId") == session)
        self.events.remove(message)
        return message

    def _until(self, wanted: Any) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "id" not in message:
                    self.events.append(message)
                if wanted(message):
                    if "error" in message:
                        raise BrowserError(message["error"])
                    return message  # type: ignore[no-any-return]
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"no answer from Chromium in {TIMEOUT} s: {self.log()}")
            ready, _, _ = select.select([self._answers], [], [], left)
            if ready:
                chunk = os.read(self._answers, 1 << 20)
                if not chunk:
                    raise BrowserError(f"Chromium went away: {self.log()}")
                self._buffer += chunk

    def open(
        self,
        url: str,
        *,
        width: int = 1280,
        height: int = 900,
        mobile: bool = False,
        media: str = "",
    ) -> Page:
        """A new tab at ``width`` x ``height`` (CSS pixels) that has loaded ``url``."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        page = Page(self, target, session)
        self.send("Network.enable", {}, session)
        self.send("Page.enable", {}, session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
            session,
        )
        if media:
            self.send("Emulation.setEmulatedMedia", {"media": media}, session)
        self.send("Page.navigate", {"url": url}, session)
        self.wait_event("Page.loadEventFired", session)
        return page

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return (self.profile / "chromium.log").read_text(errors="replace")[-2000:]
        return ""

    def close(self) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.send("Browser.close")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and os.waitpid(self.pid, os.WNOHANG) == (0, 0):
            time.sleep(0.05)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)  # the group it leads: renderers, zygotes
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        for fd in (self._commands, self._answers):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    def __init__(self, browser: Chromium, target: str, session: str) -> None:
        self.browser = browser
        self.target = target
        self.session = session

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (the page itself needs none)."""
        result = self.browser.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True},
            self.session,
        )
        if "exceptionDetails" in result:
            raise BrowserError(result["exceptionDetails"])
        return result["result"].get("value")

    def requests(self) -> list[str]:
        """The URL of every request the page made since it was opened."""
        self.evaluate("0")  # a round trip: events sent before it have arrived
        return [
            e["params"]["request"]["url"]
            for e in self.browser.events
            if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == self.session
        ]

    def screenshot(self, path: Path, *, top: int = 0, height: int | None = None) -> None:
        """A PNG of the page from ``top``, ``height`` CSS pixels (default: to the end)."""
        metrics = self.browser.send("Page.getLayoutMetrics", {}, self.session)
        size = metrics["cssContentSize"]
        clip = {
            "x": 0,
            "y": top,
            "width": size["width"],
            "height": min(size["height"] - top, height or size["height"]),
            "scale": 1,
        }
        shot = self.browser.send(
            "Page.captureScreenshot",
            {"format": "png", "clip": clip, "captureBeyondViewport": True},
            self.session,
        )
        path.write_bytes(base64.b64decode(shot["data"]))

    def pdf(self) -> bytes:
        result = self.browser.send("Page.printToPDF", {"printBackground": True}, self.session)
        return base64.b64decode(result["data"])

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})
