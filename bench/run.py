"""Benchmark of the build, side by side in one run (``make bench``; not part of the tests).

Scenarios, each run as its own command on a private copy of the project (so that the
results do not depend on the working tree's ``_build`` or on edits made meanwhile):

1. plain Jupyter Book: ``jupyter-book build`` with ``execute_notebooks: "force"`` on the
   same notebooks and parameters (their defaults point at ``areas/demo.yml``; each
   notebook reads and checks the data itself, as it does outside the build);
2. a cold build of the demo book (``prebirth build areas/demo.yml``, empty build folder),
   three times in turns with the large area's (5), each into its own empty folder: the
   medians are compared, so that one slow moment of a shared machine does not decide;
3. a rebuild with nothing changed;
4. a rebuild after one table changed (``transfers.csv`` loses its last row);
5. a large area (25,000 births a year for 10 years, every table, about 330,000
   referrals), cold, against the demo (medians of the turns, see 2);
6. ten areas in one command with ``-j 2`` (synthetic areas of 3,000 births a year).

For each: wall time, CPU time (user + system of every process it started) and peak
memory (the largest sum of the resident memory of the command and all its
descendants, sampled every 0.1 s: an upper bound, as shared libraries count once per
process). Results go to stdout and ``bench/results/build-<time>.md``.

Usage (from the project root)::

    .venv/bin/python bench/run.py                 # everything (about 12 minutes on 2 CPUs)
    .venv/bin/python bench/run.py --skip large,many --areas 4
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
GB = 1024 ** 3
TARGET_MEMORY = 1.5 * GB


@dataclass
class Run:
    """One measured command."""

    name: str
    seconds: float
    cpu: float
    peak: int  # bytes: proportional set size (PSS) summed over the process tree
    peak_rss: int  # bytes: resident set size summed over the tree (counts shared pages once per process)
    code: int
    output: str


def proportional_memory(process: psutil.Process) -> tuple[int, int]:
    """(PSS, RSS) of a process in bytes. PSS shares each shared page between the processes
    that map it, so a tree's PSS sum is the memory it really takes; RSS counts it in each."""
    rss = process.memory_info().rss
    try:
        with open(f"/proc/{process.pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024, rss
    except OSError:
        pass
    return rss, rss


def measure(name: str, command: list[str], cwd: Path, env: dict, log: Path) -> Run:
    """Run ``command``; return its wall time, CPU time and peak memory of its process tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        peak = peak_rss = 0
        done = threading.Event()

        def sample():
            nonlocal peak, peak_rss
            try:
                root = psutil.Process(process.pid)
            except psutil.NoSuchProcess:
                return
            while not done.is_set():
                pss = rss = 0
                try:
                    tree = [root] + root.children(recursive=True)
                except psutil.NoSuchProcess:
                    break
                for proc in tree:
                    try:
                        one, two = proportional_memory(proc)
                    except psutil.NoSuchProcess:
                        continue
                    pss, rss = pss + one, rss + two
                peak, peak_rss = max(peak, pss), max(peak_rss, rss)
                done.wait(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = process.wait()
        done.set()
        sampler.join()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    text = log.read_text(errors="replace")
    status = "ok" if code == 0 else f"EXIT {code}"
    print(f"  {name}: {seconds:.1f} s wall, {cpu:.1f} s CPU, peak {peak / GB:.2f} GB "
          f"(RSS sum {peak_rss / GB:.2f} GB) ({status})", flush=True)
    return Run(name, seconds, cpu, peak, peak_rss, code, text)


def snapshot(target: Path) -> None:
    """A private copy of what a build reads: code, notebooks, pages, book config, demo area."""
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(ROOT / name, target / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".ipynb_checkpoints")
    for name in ("src", "notebooks", "pages", "areas"):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    shutil.copytree(ROOT / "data" / "demo", target / "data" / "demo")
    if (ROOT / "data" / "reference").is_dir():
        shutil.copytree(ROOT / "data" / "reference", target / "data" / "reference")
    # As after a first run on an analyst's machine: modules compiled once, not at every start.
    compileall.compile_dir(str(target / "src"), quiet=1)


def write_area(root: Path, slug: str, births: int, seed: int, code: str, name: str, region: str) -> Path:
    """A synthetic area with its own benchmarks, under root/data and root/areas."""
    code_env = os.environ.copy()
    code_env["PYTHONPATH"] = str(root / "src")
    script = textwrap.dedent(f"""
        from pathlib import Path
        from prebirth.synth import SynthSpec, generate_area, generate_benchmarks
        spec = SynthSpec(seed={seed}, births_per_year={births}, area_code={code!r}, area_name={name!r},
                         region={region!r})
        area = generate_area(spec, Path({str(root / 'data' / slug / 'area')!r}))
        generate_benchmarks(Path({str(root / 'data' / slug / 'benchmarks')!r}), spec, area=area)
        print(sum(1 for _ in open(area.files["referrals"])) - 1)
    """)
    done = subprocess.run([sys.executable, "-c", script], env=code_env, capture_output=True, text=True, check=True)
    yml = root / "areas" / f"{slug}.yml"
    yml.write_text(textwrap.dedent(f"""\
        # Synthetic area for the benchmark ({done.stdout.strip()} referrals)
        area_code: {code}
        area_name: {name}
        region: {region}
        data: ../data/{slug}/area/
        benchmarks: ../data/{slug}/benchmarks/
        period: {{start: 2014-04-01, end: 2024-03-31}}
        synthetic: true
        events:
          - {{date: 2019-04-01, label: "Pre-birth team set up"}}
        """))
    return yml


def median_run(measured: list[Run]) -> Run:
    """The run with the median wall time (the lower middle one of an even number)."""
    return sorted(measured, key=lambda r: r.seconds)[(len(measured) - 1) // 2]


def prebirth(*args: str) -> list[str]:
    return [sys.executable, "-m", "prebirth.cli", "build", *args]


def executed_count(output: str) -> int:
    return output.count(": executed (")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=10, help="areas in the many-areas run (default 10)")
    parser.add_argument("--large-births", type=int, default=25000, help="births a year in the large area")
    parser.add_argument("--skip", default="", help="comma-separated: baseline, large, many")
    parser.add_argument("--repeat", type=int, default=3,
                        help="cold builds of the demo and of the large area, in turns (default 3; medians reported)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    parser.add_argument("--one-area-at-a-time", action="store_true",
                        help="also build the many areas strictly one after another, to compare")
    args = parser.parse_args()
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}

    work = Path(tempfile.mkdtemp(prefix="prebirth-bench-"))
    project = work / "project"
    project.mkdir()
    logs = work / "logs"
    logs.mkdir()
    print(f"Benchmark of the build in {work}", flush=True)
    snapshot(project)
    env = os.environ.copy()
    env["PYTHONPATH"] = str(project / "src")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    load_before = os.getloadavg()
    runs: dict[str, Run] = {}
    notes: list[str] = []

    print("Generating the synthetic areas ...", flush=True)
    large: Path | None = None
    many: list[Path] = []
    if "large" not in skip:
        large = write_area(project, "large", args.large_births, 20240402, "E99999301", "Greatmere", "North West")
    if "many" not in skip:
        regions = ["North West", "North East", "Yorkshire and The Humber", "East Midlands", "West Midlands",
                   "East of England", "London", "South East", "South West"]
        many = [write_area(project, f"area{i:02d}", 3000, 20240500 + i, f"E999994{i:02d}", f"Synthetic Area {i}",
                           regions[i % len(regions)]) for i in range(1, args.areas + 1)]

    out = work / "out"
    demo = ["areas/demo.yml", "--output", str(out)]
    print("Measuring ...", flush=True)
    # The cold builds of the demo and of the large area, in turns (so a change in the machine's
    # load touches both alike), each into an empty build folder; their medians are compared.
    colds, larges = [], []
    for turn in range(args.repeat):
        folder = out if turn == 0 else work / f"out{turn + 1}"
        label = f" ({turn + 1} of {args.repeat})" if args.repeat > 1 else ""
        colds.append(measure(f"cold build of the demo{label}", prebirth("areas/demo.yml", "--output", str(folder)),
                             project, env, logs / f"cold{turn + 1}.log"))
        if large:
            larges.append(measure(f"cold build of the large area{label}",
                                  prebirth(str(large), "--output", str(folder)), project, env,
                                  logs / f"large{turn + 1}.log"))
    runs["cold"] = median_run(colds)
    if larges:
        runs["large"] = median_run(larges)
    spread = {"cold": colds, "large": larges}
    if "baseline" not in skip:
        config = (project / "_config.yml").read_text()
        forced = config.replace('execute_notebooks: "off"', 'execute_notebooks: "force"\n  timeout: -1')
        if forced == config:
            raise SystemExit("bench: _config.yml no longer says execute_notebooks: \"off\"; update bench/run.py")
        (work / "jb_config.yml").write_text(forced)
        command = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(project), "--config",
                   str(work / "jb_config.yml"), "--path-output", str(work / "jupyter-book"), "--builder", "html"]
        runs["baseline"] = measure("jupyter-book build, execute force", command, project, env,
                                   logs / "jupyter-book.log")
        failures = runs["baseline"].output.count("Execution Failed") + runs["baseline"].output.count("Traceback")
        if failures:
            notes.append(f"The plain Jupyter Book build reported {failures} execution failure(s); see its log.")
    runs["nochange"] = measure("rebuild, nothing changed", prebirth(*demo), project, env, logs / "nochange.log")
    transfers = project / "data" / "demo" / "area" / "transfers.csv"
    lines = transfers.read_text().splitlines(keepends=True)
    transfers.write_text("".join(lines[:-1]))
    runs["onetable"] = measure("rebuild, one table changed", prebirth(*demo), project, env, logs / "onetable.log")
    if many:
        runs["many"] = measure(f"{len(many)} areas, -j 2", prebirth(*map(str, many), "-j", "2", "--output",
                                                                     str(work / "many")),
                               project, env, logs / "many.log")
        if args.one_area_at_a_time:
            script = (f"import sys; from prebirth.build import build_areas; "
                      f"sys.exit(max(o.exit_code for o in build_areas({[str(m) for m in many]!r}, jobs=2, "
                      f"output_root={str(work / 'many-serial')!r}, at_once=1)))")
            runs["serial"] = measure(f"{len(many)} areas, -j 2, one at a time", [sys.executable, "-c", script],
                                     project, env, logs / "many-serial.log")
    load_after = os.getloadavg()

    for key, measured in spread.items():
        if len(measured) > 1:
            what = "demo" if key == "cold" else "large area"
            notes.append(f"Cold builds of the {what}, in turns with the other: "
                         + ", ".join(f"{r.seconds:.1f}" for r in measured) + " s (the table gives the median).")
    table = report(runs, args, load_before, load_after, notes)
    print()
    print(table)
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"build-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}.md"
    path.write_text(table)
    print(f"\nWritten to {path.relative_to(ROOT)}")
    if args.keep:
        print(f"Kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if all(r.code == 0 for r in runs.values()) else 1


def report(runs: dict[str, Run], args, load_before, load_after, notes: list[str]) -> str:
    """The markdown table: each scenario, its ratio to what it is compared with, and its target."""
    cold = runs["cold"]

    def ratio(a: str, b: str) -> float | None:
        return runs[a].seconds / runs[b].seconds if a in runs and b in runs and runs[b].seconds else None

    rows = []

    def row(key: str, what: str, compared: str = "", value: float | None = None, target: float | None = None,
            extra: str = ""):
        if key not in runs:
            return
        r = runs[key]
        memory_ok = r.peak < TARGET_MEMORY
        if value is None:
            ratio_text, met = "", ""
        else:
            ratio_text = f"{value:.2f} {compared}"
            met = "" if target is None else "yes" if value <= target else "no"
        status = "" if r.code == 0 else f" (exit {r.code})"
        rows.append(f"| {what}{status} | {r.seconds:.1f} | {r.cpu:.1f} | {r.peak / GB:.2f}"
                    f"{'' if memory_ok else ' (over 1.5)'} | {r.peak_rss / GB:.2f} | {ratio_text} | "
                    f"{'' if target is None else f'<= {target:g}'} | {met} | {extra} |")

    row("baseline", "`jupyter-book build`, execute \"force\" (demo)")
    row("cold", "`prebirth build` cold (demo)", "x Jupyter Book", ratio("cold", "baseline"), 0.5,
        f"{executed_count(cold.output)} chapters executed")
    row("nochange", "rebuild, nothing changed", "x cold", ratio("nochange", "cold"), 0.1,
        f"{executed_count(runs['nochange'].output)} executed" if "nochange" in runs else "")
    row("onetable", "rebuild, `transfers.csv` changed", "x cold", ratio("onetable", "cold"), None,
        f"{executed_count(runs['onetable'].output)} executed" if "onetable" in runs else "")
    row("large", f"large area cold ({args.large_births:,} births a year, 10 years)", "x demo cold",
        ratio("large", "cold"), 1.5)
    if "many" in runs:
        n = args.areas
        row("many", f"{n} areas in one command, `-j 2`", "x (n x demo cold)",
            runs["many"].seconds / (n * cold.seconds), None, f"{runs['many'].seconds / n:.1f} s an area")
    if "serial" in runs:
        row("serial", f"{args.areas} areas, `-j 2`, strictly one area after another", "x two at once",
            ratio("serial", "many"), None, f"{runs['serial'].seconds / args.areas:.1f} s an area")
    peak = max(r.peak for r in runs.values())
    lines = [
        f"# Build benchmark, {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}",
        "",
        f"Machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
        "(other work on the machine slows every row alike).",
        "",
        "| scenario | wall s | CPU s | peak memory GB | RSS sum GB | ratio | target | met | notes |",
        "|---|---:|---:|---:|---:|---|---|---|---|",
        *rows,
        "",
        f"Peak memory target (< 1.5 GB, every scenario): {'met' if peak < TARGET_MEMORY else 'NOT met'} "
        f"(highest {peak / GB:.2f} GB; RSS sum {max(r.peak_rss for r in runs.values()) / GB:.2f} GB).",
        "",
        "Wall and CPU seconds of the whole command (CPU: user + system of every process it started). "
        "Peak memory: the largest total over the command's process tree, sampled every 0.1 s, of each "
        "process's proportional set size (shared pages divided between the processes sharing them: the "
        "memory the build takes); RSS sum counts shared pages once per process (an upper bound). "
        "GB = 2^30 bytes. The demo area has 3,000 births a year.",
    ]
    lines += [""] + notes if notes else []
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
