"""`python -m bench [--only NAME[,NAME]] [--quick]`: run the figures of issue 8, print a table,
write bench/results.json."""

from __future__ import annotations

import argparse
import platform
import signal
import sys
import time

from bench.env import Bench, log
from bench.results import RESULTS_PATH, Result, curves, failed, table, write

# (figure, unit, target, group): figures of one group are measured by one run of that group.
FIGURES = (
    ("accept_race_double", "SOS", "0", "race"),
    ("accept_race_rate", "accepts/s", "report", "race"),
    ("sos_to_queue_p95_s", "s", "≤ 1 (16 screens, 1,000 waiting)", "web"),
    ("sos_to_wall_p95_s", "s", "≤ 2", "web"),
    ("queue_1000_rps", "req/s", "≥ 160", "web"),
    ("queue_idle_bytes", "B", "≤ 1024", "web"),
    ("accept_http_rps", "attempts/s", "≥ 360", "web"),
    ("accept_http_double", "SOS", "0", "web"),
    ("beds_search_rps", "req/s", "≥ 1600", "web"),
    ("own_beds_rps", "req/s", "≥ 3700", "web"),
    ("display_capacity", "displays", "≥ 1000", "web"),
    ("match_10k_p95_ms", "ms", "≤ 2", "match"),
    ("match_100k_p95_ms", "ms", "≤ 5", "match"),
    ("verify_ratio", "×", "≥ 0.8", "verify"),
    ("verify_rss_mb", "MB above idle", "≤ 64", "verify"),
    ("tamper_detect_s", "s", "≤ store ÷ budget + 5 s", "tamper"),
    ("web_rss_mb", "MB", "≤ 200", "web"),
    ("scale_out", "violations", "0", "scale"),
    ("sos_page_kb", "KB", "≤ 100", "page"),
    ("sos_page_4g_s", "s", "≤ 2", "page"),
    ("sos_page_3g_s", "s", "≤ 5", "page"),
    ("tracking_idle_bytes", "B", "≤ 2000", "page"),
    ("step_to_tracking_p95_s", "s", "≤ 2", "page"),
    ("position_writes_per_s", "positions/s", "≥ 2000 (p95 ≤ 250 ms)", "positions"),
)
NAMES = [f[0] for f in FIGURES]


def _run_group(group: str, bench: Bench, wanted: set) -> list[Result]:
    if group == "race":
        from bench import race
        return race.run(bench)
    if group == "match":
        from bench import match
        return match.run(bench)
    if group == "verify":
        from bench import verify
        return verify.run(bench)
    if group == "tamper":
        from bench import tamper
        return tamper.run(bench)
    if group == "web":
        from bench import web
        return web.run(bench, wanted)
    if group == "page":
        from bench import page
        return page.run(bench)
    if group == "positions":
        from bench import positions
        return positions.run(bench)
    if group == "scale":
        from bench import scale_out
        return scale_out.run(bench)
    raise ValueError(group)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", default="", help=f"comma-separated figures: {', '.join(NAMES)}")
    parser.add_argument("--quick", action="store_true", help="a shorter run (~2-3 min): fewer SOS, smaller files, "
                                                             "shorter load steps")
    args = parser.parse_args(argv)
    wanted = [n.strip() for n in args.only.split(",") if n.strip()] or NAMES
    unknown = [n for n in wanted if n not in NAMES]
    if unknown:
        parser.error(f"unknown figure(s) {', '.join(unknown)}; choose from {', '.join(NAMES)}")

    # SIGTERM behaves like Ctrl-C so the `finally` below stops processes and drops databases.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    bench = Bench(quick=args.quick)
    started = time.monotonic()
    results: list[Result] = []
    groups = []
    for name, _unit, _target, group in FIGURES:  # the table's order decides the run order of groups
        if name in wanted and group not in groups:
            groups.append(group)
    order = [g for g in ("race", "match", "verify", "tamper", "web", "scale", "page", "positions") if g in groups]
    try:
        for group in order:
            log(f"== {group} ==")
            group_started = time.monotonic()
            try:
                got = _run_group(group, bench, set(wanted))
            except KeyboardInterrupt:
                raise
            except Exception as error:  # noqa: BLE001 - one broken figure must not hide the others
                import traceback

                traceback.print_exc()
                got = [failed(n, u, t, error) for n, u, t, g in FIGURES if g == group and n in wanted]
            results += [r for r in got if r.name in wanted]
            log(f"{group} took {time.monotonic() - group_started:.0f} s")
    except KeyboardInterrupt:
        log("interrupted: cleaning up")
        return 130
    finally:
        bench.close()
    results.sort(key=lambda r: NAMES.index(r.name))
    write(results)
    print()
    print(f"HealthFirst benchmarks ({'quick' if args.quick else 'full'}), {time.strftime('%Y-%m-%d')}, "
          f"{platform.node()} ({_machine()}), {time.monotonic() - started:.0f} s")
    print(table(results))
    if curves(results):
        print(f"\n{curves(results)}")
    print(f"\nwritten to {RESULTS_PATH}")
    return 0 if all(r.ok is not False for r in results) else 1


def _machine() -> str:
    import os

    try:
        import psutil

        memory = f", {psutil.virtual_memory().total / 2**30:.0f} GiB"
    except ImportError:
        memory = ""
    return f"{os.cpu_count()} cores{memory}, Python {platform.python_version()}, {_core_speed()}"


def _core_speed() -> str:
    """How fast one core runs Python here: the VMs this runs on differ by 2-3x (bench/README.md,
    "Comparing machines"), so figures of two runs compare only beside this."""
    import timeit

    best = min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000
    return f"sum(range(1000)) in {best * 1e6:.1f} µs"


if __name__ == "__main__":
    sys.exit(main())
