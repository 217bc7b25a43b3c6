"""Every shipped octoDNS config loads in the real octoDNS Manager, with dummy credentials from
the environment, and builds its providers without any traffic leaving the machine.

The configs are the contract of the README's provider sections: the target class named
there, the delete guard and the root-NS filter on every zone, credentials only as
``env/NAME``, and the plan written as Markdown (octoDNS's PlanMarkdown) for review.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from octodns.manager import Manager
from octodns.processor.filter import IgnoreRootNsFilter
from octodns.provider.plan import PlanMarkdown

from conftest import REPO
from zonegen.octodns import DeleteGuard
from zonegen.octodns.capabilities import PROVIDERS

CONFIGS = sorted((REPO / "config").glob("octodns*.yaml"))
# Dummy values for every env/NAME the configs read (Google's config needs real ADC, below).
DUMMY_ENV = {
    "PDNS_API_HOST": "127.0.0.1",
    "PDNS_API_KEY": "dummy",
    "CLOUDFLARE_TOKEN": "dummy-token",
    "HETZNER_TOKEN": "dummy-token",
    "DESEC_TOKEN": "dummy-token",
    "AWS_ACCESS_KEY_ID": "AKIADUMMY",
    "AWS_SECRET_ACCESS_KEY": "dummy-secret",
    "BIND_HOST": "127.0.0.1",
    "TSIG_NAME": "octodns",
    "TSIG_SECRET": "ZHVtbXk=",
}


# The credential options of the shipped providers' classes.
SECRET_OPTIONS = {"token", "api_key", "key_secret", "access_key_id", "secret_access_key"}
SECRET_OPTIONS |= {"session_token", "email", "credentials_file"}


def _loopback(address: Any) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Any connection or name lookup beyond loopback fails the test (and is recorded)."""
    attempts: list[Any] = []
    connect = socket.socket.connect
    getaddrinfo = socket.getaddrinfo

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
            attempts.append(address)
            raise OSError(f"test: no traffic beyond loopback ({address})")
        return connect(self, address)

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not _loopback(host):
            attempts.append(host)
            raise OSError(f"test: no name lookups ({host})")
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    yield attempts
    assert attempts == [], f"traffic beyond loopback: {attempts}"


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict)
    return data


def test_every_provider_zonegen_knows_has_its_config() -> None:
    shipped = {p.name for p in CONFIGS}
    for provider in PROVIDERS:
        assert provider.config in shipped, provider
        config = load(REPO / "config" / provider.config)
        targets = config["zones"]["*"]["targets"]
        classes = {config["providers"][t]["class"] for t in targets}
        assert classes == {provider.class_path}, (provider.config, classes)
    assert len(shipped) == len(PROVIDERS)


@pytest.mark.parametrize("path", CONFIGS, ids=[p.name for p in CONFIGS])
def test_config_is_guarded_reviewable_and_takes_secrets_from_the_environment(path: Path) -> None:
    config = load(path)
    outputs = {o["class"] for o in config["manager"]["plan_outputs"].values()}
    assert "octodns.provider.plan.PlanMarkdown" in outputs
    processors = {k: v["class"] for k, v in config["processors"].items()}
    for zone in config["zones"].values():
        used = {processors[p] for p in zone["processors"]}
        assert used == {
            "zonegen.octodns.DeleteGuard",
            "octodns.processor.filter.IgnoreRootNsFilter",
        }
        assert zone["sources"] == ["zones"]
    source = config["providers"]["zones"]
    assert source["escaped_semicolons"] is False and source["enforce_order"] is True
    # No literal secret: every credential-like option reads the environment.
    for provider in config["providers"].values():
        for key, value in provider.items():
            if key in SECRET_OPTIONS:
                assert str(value).startswith("env/"), (path.name, key)


@pytest.mark.parametrize(
    "path",
    [p for p in CONFIGS if p.name != "octodns.yaml"],
    ids=[p.name for p in CONFIGS if p.name != "octodns.yaml"],
)
def test_manager_builds_the_providers_offline(
    path: Path, monkeypatch: pytest.MonkeyPatch, offline: list[Any]
) -> None:
    """Google's config is left out: its client needs Application Default Credentials at
    construction (test_sync_gcloud builds it against a local API instead)."""
    for name in (*DUMMY_ENV, "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in DUMMY_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")  # no ~/.aws of the machine
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    config = load(path)
    (target,) = config["zones"]["*"]["targets"]
    manager = Manager(str(path))
    provider = manager.providers[target]
    module, _, name = config["providers"][target]["class"].rpartition(".")
    assert type(provider).__module__.startswith(module.split(".")[0])
    assert type(provider).__name__ == name
    assert isinstance(manager.processors["delete-guard"], DeleteGuard)
    assert isinstance(manager.processors["keep-root-ns"], IgnoreRootNsFilter)
    assert any(isinstance(o, PlanMarkdown) for o in manager.plan_outputs.values())


def test_a_missing_credential_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, offline: list[Any]
) -> None:
    monkeypatch.delenv("DESEC_TOKEN", raising=False)
    with pytest.raises(Exception, match="missing env var DESEC_TOKEN"):
        Manager(str(REPO / "config" / "octodns-desec.yaml"))


def test_the_offline_guard_catches_traffic(offline: list[Any]) -> None:
    """The guard above can fail: a connection to a documentation address (RFC 5737) is
    stopped before any packet leaves, and recorded."""
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s,
        pytest.raises(OSError, match="no traffic beyond loopback"),
    ):
        s.connect(("192.0.2.1", 9))
    with pytest.raises(OSError, match="no name lookups"):
        socket.getaddrinfo("api.cloudflare.com", 443)
    assert offline == [("192.0.2.1", 9), "api.cloudflare.com"]
    offline.clear()


def test_the_refusal_hook_prints_refusals_and_leaves_other_exceptions_alone(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from octodns.provider.plan import RootNsChange

    from zonegen.octodns.guard import UnmanagedDelete, refusals_without_traceback

    seen: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, value, tb: seen.append(value))
    monkeypatch.setattr(sys, "argv", ["/usr/bin/octodns-sync", "--config-file", "x.yaml"])
    refusals_without_traceback()
    refusals_without_traceback()  # installed once, not wrapped twice
    hook = sys.excepthook
    hook(UnmanagedDelete, UnmanagedDelete("[example.org.] would delete 1 record"), None)
    hook(RootNsChange, RootNsChange(), None)
    assert capsys.readouterr().err == (
        "octodns-sync: error: [example.org.] would delete 1 record\n"
        "octodns-sync: error: Root NS record change, force required\n"
    )
    other = ValueError("a bug")
    hook(ValueError, other, None)
    assert seen == [other]  # the previous hook: a traceback as usual
