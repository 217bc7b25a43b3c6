"""`make bench`: zonegen build against the obvious approach, side by side, N = 10, 100, 1000.

For each N: generate N Mox domains (bench/generate.py), then time in fresh processes
  - baseline: bench/baseline.py (dnspython's zone-file reader, BIND files with dnspython),
  - full: `zonegen build --no-cache` into an empty folder (parse, error-level checks, octoDNS
    YAML and BIND, atomic writes),
  - rebuild: `zonegen build` again with nothing changed (must rewrite no file),
each the median of 5 runs, with peak memory (max RSS of the process and its workers). The
baseline and the full build run in turns, and the ratio is the median of each turn's
ratio (the lowest and highest in brackets): the machine's load drifts, and both sides see
the same drift.
Then `zonegen --help` against `octodns-validate --help`, and `zonegen verify` over 100
domains against a local named and unbound (127.0.0.1 only), when they are installed.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from generate import generate  # noqa: E402

BIN = Path(sys.executable).parent
ZONEGEN = str(BIN / "zonegen")


RUNS = 5


def run_once(cmd: list[str]) -> tuple[float, float, float]:
    """Wall time, CPU time (user + system) and peak RSS (MiB) of one fresh process, its
    workers included (wait4 counts the children the process waited for)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    assert proc.stderr is not None
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()}")
    proc.stderr.close()
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def measure(cmd: list[str], *, runs: int = RUNS) -> tuple[float, float]:
    """Median wall time and max peak RSS (MiB) over ``runs`` fresh processes."""
    times, peaks = [], []
    for _ in range(runs):
        elapsed, _cpu, peak = run_once(cmd)
        times.append(elapsed)
        peaks.append(peak)
    return statistics.median(times), max(peaks)


def side_by_side(
    a: list[str],
    prepare_a: Callable[[], None],
    b: list[str],
    prepare_b: Callable[[], None],
    runs: int = RUNS,
) -> tuple[tuple[list[float], list[float], float], tuple[list[float], list[float], float]]:
    """``a`` and ``b`` in turns, ``runs`` times each: a shared machine's load drifts over a
    minute, and alternating puts the drift on both sides alike. For each side: the wall
    times, the CPU times and the max peak RSS (MiB)."""
    results: tuple[list[tuple[float, float, float]], ...] = ([], [])
    for _ in range(runs):
        for cmd, prepare, out in ((a, prepare_a, results[0]), (b, prepare_b, results[1])):
            prepare()
            out.append(run_once(cmd))
    (wall_a, cpu_a, peaks_a), (wall_b, cpu_b, peaks_b) = (
        zip(*side, strict=True) for side in results
    )
    return (list(wall_a), list(cpu_a), max(peaks_a)), (list(wall_b), list(cpu_b), max(peaks_b))


def fresh(folder: Path) -> None:
    """An empty output folder, with its removal on disk before the clock starts: zonegen's
    one sync would otherwise pay for deleting the previous run's files."""
    shutil.rmtree(folder, ignore_errors=True)
    os.sync()


def bench_build(n: int, root: Path) -> dict[str, float]:
    work = root / f"n{n}"
    site = generate(n, work)
    base_out, out = work / "baseline-out", work / "zones"
    records = sum(
        1
        for p in (work / "mox").glob("*.txt")
        for line in p.read_text().splitlines()
        if line and not line.startswith((";", "$", " ", "\t"))
    )
    (base_ts, base_cpu, base_m), (full_ts, full_cpu, full_m) = side_by_side(
        [sys.executable, str(HERE / "baseline.py"), str(work), str(base_out)],
        lambda: fresh(base_out),
        [ZONEGEN, "build", "--no-cache", "--site", str(site), "--out", str(out)],
        lambda: fresh(out),
    )
    base_t, full_t = statistics.median(base_ts), statistics.median(full_ts)
    ratios = sorted(f / b for f, b in zip(full_ts, base_ts, strict=True))
    cpu_ratios = sorted(f / b for f, b in zip(full_cpu, base_cpu, strict=True))
    subprocess.run(
        [ZONEGEN, "build", "--site", str(site), "--out", str(out)], check=True, capture_output=True
    )
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.*")}
    re_t, re_m = measure([ZONEGEN, "build", "--site", str(site), "--out", str(out)])
    rewritten = [p for p, m in stamps.items() if p.stat().st_mtime_ns != m]
    assert not rewritten, rewritten
    return {
        "n": n,
        "records": records,
        "base_t": base_t,
        "base_m": base_m,
        "full_t": full_t,
        "full_m": full_m,
        "re_t": re_t,
        "re_m": re_m,
        "ratio": statistics.median(ratios),
        "ratio_min": ratios[0],
        "ratio_max": ratios[-1],
        "cpu_ratio": statistics.median(cpu_ratios),
        "cpu_min": cpu_ratios[0],
        "cpu_max": cpu_ratios[-1],
    }


def bench_startup() -> tuple[float, float]:
    ours, _ = measure([ZONEGEN, "--help"], runs=5)
    theirs, _ = measure([str(BIN / "octodns-validate"), "--help"], runs=5)
    return ours, theirs


def bench_verify(root: Path, n: int = 100) -> float | None:
    try:
        from dnslab import Named, Unbound, find_program

        find_program("named")
        find_program("unbound")
    except (ImportError, AssertionError):
        return None
    work = root / f"verify{n}"
    site = generate(n, work)
    subprocess.run(
        [ZONEGEN, "build", "--site", str(site), "--out", str(work / "zones")],
        check=True,
        capture_output=True,
    )
    bind = work / "zones" / "bind"
    texts = {p.name[: -len(".zone")]: p.read_text() for p in bind.glob("*.zone")}
    server = Named(work / "named", sorted(texts), texts=texts, dnssec=True).start()
    try:
        anchors = {z: server.ds(z + ".") for z in texts}
        # A resolver as in real life: it keeps what it validated (each zone's DNSKEY).
        resolver = Unbound(
            work / "unbound", server.port, sorted(texts), anchors, cache_ttl=86400
        ).start()
        try:
            start = time.perf_counter()
            proc = subprocess.run(
                [
                    ZONEGEN,
                    "verify",
                    "--site",
                    str(site),
                    "--nameserver",
                    f"127.0.0.1:{server.port}",
                    "--resolver",
                    f"127.0.0.1:{resolver.port}",
                    "--format",
                    "json",
                    "--skip",  # no reverse zone for the documentation IPs in this lab
                    "iprev",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            elapsed = time.perf_counter() - start
        finally:
            resolver.stop()
    finally:
        server.stop()
    if proc.returncode != 0:
        raise SystemExit(
            f"verify found problems or failed (exit {proc.returncode}): "
            f"{proc.stdout[-2000:]}{proc.stderr}"
        )
    return elapsed


def bench_threshold(root: Path, sizes: tuple[int, ...] = (16, 32, 64, 128, 256)) -> None:
    """Serial against forked rendering (build.PARALLEL_FROM), in one process, in turns."""
    import zonegen.build as build

    for n in sizes:
        site = generate(n, root / f"t{n}")
        times: dict[str, list[float]] = {"serial": [], "forked": []}
        for mode in ("serial", "forked") * RUNS:
            build.PARALLEL_FROM = 10**9 if mode == "serial" else 1
            fresh(site.parent / "zones")
            start = time.perf_counter()
            build.build_files(site, site.parent / "zones", check=False, use_cache=False)
            times[mode].append(time.perf_counter() - start)
        serial, forked = (statistics.median(times[m]) * 1000 for m in ("serial", "forked"))
        print(f"{n} zones: serial {serial:.0f} ms, forked {forked:.0f} ms")


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def compile_bytecode() -> None:
    """Write the byte code of zonegen's modules before timing anything: with
    PYTHONDONTWRITEBYTECODE set (as in some shells and containers), every run would otherwise
    compile each module changed since the last write, and the benchmark would time the
    compiler (measured: 10 to 30 ms a run, more on a tree with no byte code at all)."""
    import zonegen

    package = Path(zonegen.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)


def main() -> None:
    if sys.argv[1:] == ["--threshold"]:
        root = Path(tempfile.mkdtemp(prefix="zonegen-threshold-"))
        try:
            bench_threshold(root)
        finally:
            shutil.rmtree(root, ignore_errors=True)
        return
    sizes = [int(a) for a in sys.argv[1:]] or [10, 100, 1000]
    compile_bytecode()
    root = Path(tempfile.mkdtemp(prefix="zonegen-bench-"))
    try:
        # Other work on the machine shows in the wall times (less in the CPU times): say how
        # busy it was, as the load averages over 1, 5 and 15 minutes.
        print(f"load average at the start: {_load()}")
        rows = [bench_build(n, root) for n in sizes]
        print(f"load average after the builds: {_load()}\n")
        print(
            "| N | records | baseline | zonegen build | wall ratio (min-max) |"
            " CPU ratio (min-max) | rebuild (nothing changed) | records/s (build) |"
            " peak MiB baseline / build / rebuild |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            print(
                f"| {r['n']} | {r['records']} | {r['base_t']:.2f} s | {r['full_t']:.2f} s | "
                f"{r['ratio']:.2f} ({r['ratio_min']:.2f}-{r['ratio_max']:.2f}) | "
                f"{r['cpu_ratio']:.2f} ({r['cpu_min']:.2f}-{r['cpu_max']:.2f}) | {r['re_t']:.2f} s "
                f"({r['re_t'] / r['full_t']:.2f} of build) | "
                f"{r['records'] / r['full_t']:,.0f} | "
                f"{r['base_m']:.0f} / {r['full_m']:.0f} / {r['re_m']:.0f} |"
            )
        ours, theirs = bench_startup()
        print(
            f"\n`zonegen --help`: {ours * 1000:.0f} ms; `octodns-validate --help`: "
            f"{theirs * 1000:.0f} ms (ratio {ours / theirs:.2f})"
        )
        verify = bench_verify(root)
        if verify is not None:
            print(f"`zonegen verify`, 100 domains, local named + unbound: {verify:.2f} s")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
