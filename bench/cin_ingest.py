"""Benchmark: ingest of a generated 100,000-child CIN census XML, beside the liiatools 0.2.0 CIN reader.

Not part of the test suite. Usage (from the project root)::

    .venv/bin/python bench/cin_ingest.py                      # 100,000 children
    .venv/bin/python bench/cin_ingest.py --children 25000,100000
    .venv/bin/python bench/cin_ingest.py --peer-python /tmp/liia/bin/python

Each reader runs in a fresh process on the same file; the table gives wall time, rows
per second and peak memory (the process's peak resident set size, and its growth over
the interpreter with the reader imported). The peer runs only when a Python with
``liiatools`` 0.2.0 is given (``--peer-python`` or ``PEER_PYTHON``): liiatools does not
install with its dependencies on Python 3.11, so it lives in a separate virtual
environment, e.g.::

    python3 -m venv /tmp/liia && /tmp/liia/bin/pip install --no-deps liiatools==0.2.0 \\
        sfdata-stream-parser==0.4.1 more-itertools tablib lxml xmlschema elementpath

The peer's pipeline is its CIN clean step without the schema validation and CSV writing:
``dom_parse`` -> ``strip_text`` -> ``add_context`` -> ``message_collector`` -> ``export_table``
(one row per dated event). Ours gives one row per child, referral, assessment and
court application. Both read every child; "children per second" compares like with like.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import textwrap
from datetime import date, timedelta
from pathlib import Path

FACTORS = ["1B", "1C", "2A", "2B", "3A", "3B", "4A", "4B", "6A", "6B", "7A", "8B", "9A", "10A", "11A", "21", "22A"]
SOURCES = ["1A", "1B", "2A", "2B", "3A", "3B", "3C", "3D", "4", "5A", "5B", "5C", "5D", "6", "7", "8", "9"]
ETHNICITIES = ["WBRI", "WIRI", "WOTH", "MWBC", "MWBA", "AIND", "APKN", "BCRB", "BAFR", "CHNE", "OOTH", "REFU", "NOBT"]


def day(rng: random.Random, start: date, span: int) -> str:
    return (start + timedelta(days=rng.randrange(span))).isoformat()


def generate(path: Path, children: int, seed: int = 20240331) -> None:
    """Write a synthetic 2026-schema CIN census with ``children`` children (about 1.4 referrals each)."""
    rng = random.Random(seed)
    census_start = date(2025, 4, 1)
    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<Message>\n<Header><CollectionDetails><Collection>CIN'
                  '</Collection><Year>2026</Year><ReferenceDate>2026-03-31</ReferenceDate></CollectionDetails>'
                  '<Source><SourceLevel>L</SourceLevel><LEA>999</LEA><SoftwareCode>bench</SoftwareCode>'
                  '<Release>1</Release><SerialNo>1</SerialNo><DateTime>2026-04-01T09:00:00</DateTime></Source>'
                  '</Header>\n<Children>\n')
        for number in range(children):
            unborn = rng.random() < 0.03
            parts = [f"<Child><ChildIdentifiers><LAchildID>B{number:07d}</LAchildID>"]
            if unborn:
                parts.append(f"<UPNunknown>UN1</UPNunknown><ExpectedPersonBirthDate>{day(rng, date(2026, 4, 1), 200)}"
                             "</ExpectedPersonBirthDate><Sex>U</Sex>")
            else:
                parts.append(f"<UPN>A{rng.randrange(10**12):012d}</UPN><PersonBirthDate>{day(rng, date(2008, 1, 1), 6500)}"
                             f"</PersonBirthDate><Sex>{rng.choice('MF')}</Sex>")
            parts.append(f"</ChildIdentifiers><ChildCharacteristics><Ethnicity>{rng.choice(ETHNICITIES)}</Ethnicity>"
                         "<Disabilities><Disability>NONE</Disability></Disabilities></ChildCharacteristics>")
            for _ in range(1 if rng.random() < 0.7 else rng.randint(2, 3)):
                referral = day(rng, census_start - timedelta(days=400), 760)
                parts.append(f"<CINdetails><CINreferralDate>{referral}</CINreferralDate>"
                             f"<ReferralSource>{rng.choice(SOURCES)}</ReferralSource><PrimaryNeedCode>N{rng.randint(1, 9)}"
                             "</PrimaryNeedCode>")
                nfa = rng.random() < 0.25
                if not nfa:
                    for _ in range(rng.choice((1, 1, 1, 2))):
                        parts.append(f"<Assessments><AssessmentActualStartDate>{referral}</AssessmentActualStartDate>"
                                     f"<AssessmentAuthorisationDate>{referral}</AssessmentAuthorisationDate>"
                                     "<FactorsIdentifiedAtAssessment>"
                                     + "".join(f"<AssessmentFactors>{f}</AssessmentFactors>"
                                               for f in rng.sample(FACTORS, rng.randint(1, 4)))
                                     + "</FactorsIdentifiedAtAssessment></Assessments>")
                    if rng.random() < 0.3:
                        parts.append(f"<Section47><S47ActualStartDate>{referral}</S47ActualStartDate>"
                                     "<ICPCnotRequired>false</ICPCnotRequired></Section47>")
                    if rng.random() < 0.04:
                        parts.append(f"<PreProceedingsandFGDM><PPStartDate>{referral}</PPStartDate>"
                                     f"<CourtAppDate>{day(rng, census_start, 300)}</CourtAppDate></PreProceedingsandFGDM>")
                parts.append(f"<ReferralNFA>{'true' if nfa else 'false'}</ReferralNFA></CINdetails>")
            parts.append("</Child>\n")
            out.write("".join(parts))
        out.write("</Children>\n</Message>\n")


OURS = textwrap.dedent("""
    import json, resource, sys, time
    from prebirth.data.adapters.cin_census import read_cin_census
    import pandas
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    source = read_cin_census(sys.argv[1])
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "rows": source.rows, "children": len(source.tables["children"]),
                      "baseline_kb": before, "peak_kb": peak}))
""")

PEER = textwrap.dedent("""
    import json, resource, sys, time
    from liiatools.datasets.cin_census.lds_cin_clean.parse import dom_parse
    from liiatools.datasets.cin_census.lds_cin_clean import filters, cin_record
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    stream = dom_parse(sys.argv[1])
    stream = filters.strip_text(stream)
    stream = filters.add_context(stream)
    stream = cin_record.message_collector(stream)
    data = cin_record.export_table(stream)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = len(set(data["LAchildID"]))
    print(json.dumps({"seconds": seconds, "rows": len(data), "children": children,
                      "baseline_kb": before, "peak_kb": peak}))
""")


def run(python: str, script: str, path: Path) -> dict:
    result = subprocess.run([python, "-c", script, str(path)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip().splitlines()[-1] if result.stderr else "failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", default="100000", help="comma-separated file sizes (children)")
    parser.add_argument("--peer-python", default=os.environ.get("PEER_PYTHON"),
                        help="a Python with liiatools 0.2.0 installed (separate venv)")
    parser.add_argument("--seed", type=int, default=20240331)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.children.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="cin-bench-") as folder:
        for size in sizes:
            path = Path(folder) / f"CIN_{size}.xml"
            generate(path, size, args.seed)
            megabytes = path.stat().st_size / 1e6
            ours = run(sys.executable, OURS, path)
            rows.append(("prebirth (lxml iterparse, cleared)", size, megabytes, ours))
            if args.peer_python:
                try:
                    peer = run(args.peer_python, PEER, path)
                    rows.append(("liiatools 0.2.0 (dom_parse + message_collector)", size, megabytes, peer))
                except (RuntimeError, OSError) as exc:
                    print(f"peer did not run on {size:,} children: {exc}", file=sys.stderr)
    print("| reader | children | file MB | seconds | rows | rows/s | children/s | peak RSS MB | growth MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, size, megabytes, r in rows:
        print(f"| {name} | {r['children']:,} | {megabytes:.0f} | {r['seconds']:.2f} | {r['rows']:,} | "
              f"{r['rows'] / r['seconds']:,.0f} | {r['children'] / r['seconds']:,.0f} | {r['peak_kb'] / 1024:.0f} | "
              f"{(r['peak_kb'] - r['baseline_kb']) / 1024:.0f} |")
    for size in sizes:
        pair = [r for _, s, _, r in rows if s == size]
        if len(pair) == 2:
            ours, peer = pair
            print(f"\n{size:,} children: liiatools takes {peer['seconds'] / ours['seconds']:.1f}x our time "
                  f"and {(peer['peak_kb'] - peer['baseline_kb']) / max(ours['peak_kb'] - ours['baseline_kb'], 1):.1f}x "
                  "our memory growth.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
