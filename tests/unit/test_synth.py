"""The synthetic area generator: deterministic, schema-complete, consistent, with known answers."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from prebirth.data.schema import TABLES
from prebirth.synth import ALL_TABLES, REGIONS, SynthSpec, generate_area, generate_benchmarks, write_demo

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PERIOD_START, PERIOD_END = dt.date(2014, 4, 1), dt.date(2024, 3, 31)


def read(folder: Path, table: str) -> list[dict[str, str]]:
    with open(folder / f"{table}.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def day(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def financial_year(d: dt.date) -> str:
    y = d.year if d.month >= 4 else d.year - 1
    return f"{y}/{(y + 1) % 100:02d}"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo exactly as `write_demo` writes it."""
    root = tmp_path_factory.mktemp("demo")
    yml = write_demo(root)
    return root, yml


@pytest.fixture(scope="module")
def area(demo):
    root, _ = demo
    folder = root / "data" / "demo" / "area"
    return {t: read(folder, t) for t in ALL_TABLES}


def newborn_recurrence_by_hand(children, proceedings, newborn_days=7):
    """Newborns first issued in the period, and those whose mother was on an earlier row about another child."""
    dob = {c["child_id"]: day(c["date_of_birth"]) for c in children}
    mother = {c["child_id"]: c["mother_id"] for c in children}
    first_issue: dict[str, dt.date] = {}
    for p in proceedings:
        d = day(p["issue_date"])
        if p["child_id"] not in first_issue or d < first_issue[p["child_id"]]:
            first_issue[p["child_id"]] = d
    newborns = [c for c, d in first_issue.items()
                if PERIOD_START <= d <= PERIOD_END and (d - dob[c]).days < newborn_days]
    rows_by_mother = defaultdict(list)
    for p in proceedings:
        m = mother[p["child_id"]]
        if m:
            rows_by_mother[m].append((p["child_id"], day(p["issue_date"])))
    subsequent = [c for c in newborns if mother[c] and any(
        other != c and d < first_issue[c] for other, d in rows_by_mother[mother[c]])]
    return newborns, subsequent


# --------------------------------------------------------------------------- determinism


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path):
    spec = SynthSpec(seed=11, births_per_year=800, years=4)
    first = generate_area(spec, tmp_path / "a")
    second = generate_area(spec, tmp_path / "b")
    other = generate_area(SynthSpec(seed=12, births_per_year=800, years=4), tmp_path / "c")
    assert set(first.files) == set(ALL_TABLES)
    for table in ALL_TABLES:
        assert first.files[table].read_bytes() == second.files[table].read_bytes(), table
    assert first.files["referrals"].read_bytes() != other.files["referrals"].read_bytes()
    generate_benchmarks(tmp_path / "ba", spec, n_las=30, area=first)
    generate_benchmarks(tmp_path / "bb", spec, n_las=30)  # rebuilt in memory: the same numbers
    for name in ("benchmarks.csv", "statistical_neighbours.csv"):
        assert (tmp_path / "ba" / name).read_bytes() == (tmp_path / "bb" / name).read_bytes()


# --------------------------------------------------------------------------- schema and integrity


def test_every_file_has_the_schema_columns_and_required_values(demo):
    folder = demo[0] / "data" / "demo" / "area"
    for name, table in TABLES.items():
        with open(folder / f"{name}.csv", newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            assert next(reader) == table.column_names, name
            rows = list(reader)
        assert rows, f"{name} is empty"
        for col in table.columns:
            i = table.column_names.index(col.name)
            values = [r[i] for r in rows]
            if col.required:
                assert all(values), f"{name}.{col.name} has blanks"
            if col.kind == "date":
                assert all(v == "" or ISO.match(v) for v in values), f"{name}.{col.name}"
            if col.codes:
                assert set(values) - {""} <= set(col.codes), f"{name}.{col.name}"
        if table.key:
            keys = [tuple(r[table.column_names.index(k)] for k in table.key) for r in rows]
            assert len(keys) == len(set(keys)), f"duplicate key in {name}"


def test_ids_are_opaque_strings(area):
    assert all(re.fullmatch(r"C\d{6,}", c["child_id"]) for c in area["children"])
    assert all(re.fullmatch(r"P\d{6,}", p["parent_id"]) for p in area["parents"])
    assert all(re.fullmatch(r"R\d{6,}", r["referral_id"]) for r in area["referrals"])
    assert all(re.fullmatch(r"A\d{6,}", a["assessment_id"]) for a in area["assessments"])


def test_referential_integrity(area):
    children = {c["child_id"] for c in area["children"]}
    role = {p["parent_id"]: p["role"] for p in area["parents"]}
    for table in ("referrals", "assessments", "support", "transfers", "proceedings", "care_episodes", "involvement"):
        missing = {r["child_id"] for r in area[table]} - children
        assert not missing, f"{table} names unknown children {sorted(missing)[:3]}"
    for c in area["children"]:
        assert c["mother_id"] == "" or role[c["mother_id"]] == "mother"
        assert c["father_id"] == "" or role[c["father_id"]] == "father"
    for table in ("support", "involvement"):
        assert {r["parent_id"] for r in area[table]} - {""} <= set(role)
    referral_child = {r["referral_id"]: r["child_id"] for r in area["referrals"]}
    for a in area["assessments"]:
        assert a["referral_id"] == "" or referral_child[a["referral_id"]] == a["child_id"]
    # every parent row is somebody's parent
    linked = {c["mother_id"] for c in area["children"]} | {c["father_id"] for c in area["children"]}
    assert set(role) <= linked


def test_dates_follow_each_other(area):
    dob = {c["child_id"]: day(c["date_of_birth"]) for c in area["children"]}
    referral = {r["referral_id"]: day(r["referral_date"]) for r in area["referrals"]}
    for a in area["assessments"]:
        assert day(a["start_date"]) >= referral[a["referral_id"]]
        if a["authorised_date"]:
            assert day(a["authorised_date"]) >= day(a["start_date"])
        born = dob[a["child_id"]]
        assert (a["kind"] == "pre-birth") <= (born is None or day(a["start_date"]) < born)
    for p in area["proceedings"]:
        issue = day(p["issue_date"])
        assert issue >= dob[p["child_id"]]
        if p["first_hearing_date"]:
            assert day(p["first_hearing_date"]) >= issue
        if p["pre_proceedings_start_date"]:
            assert day(p["pre_proceedings_start_date"]) <= issue
        if p["final_outcome_date"]:
            assert day(p["final_outcome_date"]) > issue and p["final_outcome"]
    episodes = defaultdict(list)
    for e in area["care_episodes"]:
        episodes[e["child_id"]].append((day(e["start_date"]), day(e["end_date"])))
        assert day(e["start_date"]) >= dob[e["child_id"]]
    for spells in episodes.values():
        spells.sort()
        for (s0, e0), (s1, _) in zip(spells, spells[1:]):
            assert e0 is not None and e0 <= s1  # one episode ends before the next begins
    for s in area["support"]:
        if s["started_date"]:
            assert day(s["started_date"]) >= day(s["offered_date"])
        if s["ended_date"]:
            assert s["started_date"] and day(s["ended_date"]) > day(s["started_date"])
    extract = PERIOD_END
    for table, cols in (("referrals", ["referral_date"]), ("assessments", ["start_date", "authorised_date"]),
                        ("proceedings", ["issue_date", "first_hearing_date", "final_outcome_date"]),
                        ("care_episodes", ["start_date", "end_date"]), ("support", ["offered_date", "ended_date"])):
        for r in area[table]:
            for col in cols:
                assert r[col] == "" or day(r[col]) <= extract, (table, col, r[col])


def test_parents_ages_at_birth_are_plausible(area):
    parent_dob = {p["parent_id"]: day(p["date_of_birth"]) for p in area["parents"]}
    for c in area["children"]:
        born = day(c["date_of_birth"]) or day(c["expected_date_of_birth"])
        if c["mother_id"] and born:
            assert 13 <= (born - parent_dob[c["mother_id"]]).days / 365.25 <= 46
        if c["father_id"] and born:
            assert 15 <= (born - parent_dob[c["father_id"]]).days / 365.25 <= 61


# --------------------------------------------------------------------------- known answers


@pytest.mark.parametrize("share", [0.0, 0.25, 0.4, 0.6, 1.0])
def test_injected_subsequent_infant_share_is_recovered_by_hand(tmp_path, share):
    files = generate_area(SynthSpec(seed=99, births_per_year=2000, subsequent_infant_share=share), tmp_path)
    newborns, subsequent = newborn_recurrence_by_hand(read(tmp_path, "children"), read(tmp_path, "proceedings"))
    assert len(newborns) == files.truth["newborns"] > 40
    assert len(subsequent) == files.truth["subsequent_newborns"]
    assert files.truth["subsequent_infant_share"] == pytest.approx(len(subsequent) / len(newborns))
    # as exact as whole children allow
    assert abs(len(subsequent) - share * len(newborns)) <= 0.5 + 1e-9


def test_default_recurrence_is_near_the_england_figure(area):
    newborns, subsequent = newborn_recurrence_by_hand(area["children"], area["proceedings"])
    assert 0.35 <= len(subsequent) / len(newborns) <= 0.6  # England 47% (Broadhurst et al. 2018)


def test_recurrence_includes_older_children_before_the_period(area):
    issued_before = [p for p in area["proceedings"] if day(p["issue_date"]) < PERIOD_START]
    assert issued_before  # the earlier proceedings of some mothers predate the data's period
    assert all(p["child_id"] for p in issued_before)


def test_sparse_spec_writes_only_children_and_proceedings(tmp_path):
    generate_area(SynthSpec(seed=5, births_per_year=600, years=3), tmp_path)  # a full area first
    files = generate_area(SynthSpec(seed=5, births_per_year=600, years=3, tables=("children", "proceedings")),
                          tmp_path)
    assert set(files.files) == {"children", "proceedings"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["children.csv", "proceedings.csv"]


def test_unknown_table_is_refused():
    with pytest.raises(ValueError, match="unknown canonical table"):
        SynthSpec(tables=("children", "kids"))


# --------------------------------------------------------------------------- calibration


def test_volumes_are_those_of_a_3000_birth_area(area):
    births = {int(b["year"]): int(b["live_births"]) for b in area["births"]}
    assert sorted(births) == list(range(2014, 2024))
    assert all(2800 <= n <= 3200 for n in births.values())
    in_period = [r for r in area["referrals"] if PERIOD_START <= day(r["referral_date"]) <= PERIOD_END]
    assert 3500 <= len(in_period) / 10 <= 4500
    newborns, _ = newborn_recurrence_by_hand(area["children"], area["proceedings"])
    rate = len(newborns) / sum(births.values()) * 1e4
    assert 30 <= rate <= 60  # England 35 -> 48 per 10,000 (Pattinson et al. 2021)


def test_prebirth_referrals_come_before_birth_and_many_are_late(area):
    child = {c["child_id"]: c for c in area["children"]}
    weeks = []
    for r in area["referrals"]:
        c = child[r["child_id"]]
        born = day(c["date_of_birth"])
        if (born is None or day(r["referral_date"]) < born) and c["expected_date_of_birth"]:
            weeks.append(40 - (day(c["expected_date_of_birth"]) - day(r["referral_date"])).days / 7)
    assert len(weeks) > 1000
    late = sum(w > 20 for w in weeks) / len(weeks)
    assert 0.4 <= late <= 0.8
    assert min(weeks) >= 0 and max(weeks) <= 42


def test_newborn_hearings_on_notice_like_england(area):
    dob = {c["child_id"]: day(c["date_of_birth"]) for c in area["children"]}
    notice = [(day(p["first_hearing_date"]) - day(p["issue_date"])).days for p in area["proceedings"]
              if p["first_hearing_date"] and (day(p["issue_date"]) - dob[p["child_id"]]).days < 7
              and day(p["issue_date"]) >= PERIOD_START]
    within_7 = sum(n <= 7 for n in notice) / len(notice)
    same_day = sum(n == 0 for n in notice) / len(notice)
    assert 0.78 <= within_7 <= 0.94  # England 86.3% in 2019/20
    assert 0.10 <= same_day <= 0.25  # about one in six


def test_infants_are_about_a_sixth_of_children_starting_care(area):
    dob = {c["child_id"]: day(c["date_of_birth"]) for c in area["children"]}
    starts = {}
    for e in area["care_episodes"]:
        s = day(e["start_date"])
        if e["reason_new_episode"] == "S" and PERIOD_START <= s <= PERIOD_END:
            key = (e["child_id"], financial_year(s))
            starts[key] = min(s, starts.get(key, s))
    under_one = sum(s < dob[c].replace(year=dob[c].year + 1) if not (dob[c].month == 2 and dob[c].day == 29)
                    else s < dt.date(dob[c].year + 1, 2, 28) for (c, _), s in starts.items())
    assert 0.12 <= under_one / len(starts) <= 0.20  # England 16% (DfE)
    codes = {e["legal_status"] for e in area["care_episodes"]}
    assert {"C1", "C2", "V2", "E1", "L1", "L2"} <= codes
    assert {e["reason_new_episode"] for e in area["care_episodes"]} <= {"S", "P", "L", "T", "U", "B"}


def test_fathers_are_less_often_recorded_and_involved_than_mothers(area):
    role = {p["parent_id"]: p["role"] for p in area["parents"]}
    prebirth_children = {a["child_id"] for a in area["assessments"] if a["kind"] == "pre-birth"}
    with_father = [c for c in area["children"] if c["child_id"] in prebirth_children and c["father_id"]]
    assert 0.4 <= len(with_father) / len(prebirth_children) <= 0.85
    share = defaultdict(lambda: [0, 0])
    for row in area["involvement"]:
        share[role[row["parent_id"]]][0] += row["assessed"] == "Y"
        share[role[row["parent_id"]]][1] += 1
    mothers, fathers = (share[r][0] / share[r][1] for r in ("mother", "father"))
    assert mothers > 0.85 and fathers < 0.7 and fathers < mothers - 0.25


def test_assessment_factors_are_cin_codes(area):
    factors = {f for a in area["assessments"] for f in a["factors"].split(";") if f}
    assert {"3B", "4B", "2B", "5B"} <= factors
    assert all(re.fullmatch(r"\d{1,2}[A-F]?", f) for f in factors)


def test_rag_has_two_rounds_of_three_stages_by_two_levels(area):
    rounds = {r["round_date"] for r in area["rag"]}
    assert len(rounds) == 2
    stages = {r["stage"] for r in area["rag"]}
    assert stages == {"Pre-birth", "Maternity setting and first hearing", "After discharge"}
    assert {r["level"] for r in area["rag"]} == {"Strategic", "Practice"}
    assert all("Pre-birth Change Project" not in r["statement"] for r in area["rag"])


def test_context_s20_starts_match_the_care_episodes(area):
    counts = defaultdict(int)
    for e in area["care_episodes"]:
        if e["legal_status"] == "V2" and e["reason_new_episode"] == "S":
            counts[financial_year(day(e["start_date"]))] += 1
    rows = [r for r in area["context"] if r["indicator"] == "s20_starts"]
    assert len(rows) == 10
    assert all(int(r["value"]) == counts[r["period"]] for r in rows)
    assert {r["indicator"] for r in area["context"]} >= {"child_poverty_rate", "social_worker_caseload",
                                                         "early_help_spend"}


def test_context_has_the_areas_births_by_mothers_ethnic_group_each_year(area):
    births = {int(r["year"]): int(r["live_births"]) for r in area["births"]}
    rows = [r for r in area["context"] if r["indicator"].startswith("births_ethnicity_")]
    groups = {r["indicator"] for r in rows}
    assert groups == {f"births_ethnicity_{g}" for g in ("white", "mixed", "asian", "black", "other")}
    by_year = defaultdict(int)
    for r in rows:
        assert r["unit"] == "births" and int(r["value"]) >= 0
        by_year[r["period"]] += int(r["value"])
    assert len(by_year) == 10
    for period, total in by_year.items():
        year = int(period[:4])  # the births of the financial year's first calendar year
        # every birth but those whose mother's ethnicity was refused or not obtained (a few in a hundred)
        assert 0.9 * births[year] <= total <= births[year], (period, total, births[year])
    white = sum(int(r["value"]) for r in rows if r["indicator"] == "births_ethnicity_white")
    assert 0.5 < white / sum(by_year.values()) < 0.95  # a northern English area: most births White


# --------------------------------------------------------------------------- imperfections


def test_imperfections_are_injected_only_when_asked(tmp_path):
    spec = SynthSpec(seed=3, births_per_year=1500, hearings_before_issue=4, referrals_over_40_weeks=5,
                     authorised_before_start=6, proceedings_before_birth=3, edd_dropped_share=0.1)
    files = generate_area(spec, tmp_path)
    dob = {c["child_id"]: day(c["date_of_birth"]) for c in read(tmp_path, "children")}
    proceedings = read(tmp_path, "proceedings")
    assert sum(1 for p in proceedings if p["first_hearing_date"]
               and day(p["first_hearing_date"]) < day(p["issue_date"])) == 4
    assert sum(1 for p in proceedings if day(p["issue_date"]) < dob[p["child_id"]]) == 3
    assert sum(1 for a in read(tmp_path, "assessments") if a["authorised_date"]
               and day(a["authorised_date"]) < day(a["start_date"])) == 6
    assert sum(1 for r in read(tmp_path, "referrals") if dob[r["child_id"]]
               and (dob[r["child_id"]] - day(r["referral_date"])).days > 280) == 5
    assert files.truth["injected"]["edd_dropped"] > 0
    clean = generate_area(SynthSpec(seed=3, births_per_year=1500), tmp_path / "clean")
    assert clean.truth["injected"] == {}


def test_dates_of_birth_on_the_first_of_the_month(tmp_path):
    generate_area(SynthSpec(seed=3, births_per_year=600, years=2, dob_first_of_month=True), tmp_path)
    assert {c["date_of_birth"][-2:] for c in read(tmp_path, "children")} - {""} == {"01"}


# --------------------------------------------------------------------------- benchmarks and the demo


@pytest.fixture(scope="module")
def benchmarks(demo):
    folder = demo[0] / "data" / "demo" / "benchmarks"
    return read(folder, "benchmarks"), read(folder, "statistical_neighbours")


def num(text: str) -> float | None:
    return float(text) if text else None


def test_benchmark_las_regions_and_codes(benchmarks):
    rows, _ = benchmarks
    las = {(r["area_code"], r["area_name"], r["region_name"]) for r in rows if r["geographic_level"] == "Local authority"}
    assert len(las) == 150
    assert {region for _, _, region in las} == set(REGIONS)
    assert all(code.startswith("E99") and len(code) == 9 for code, _, _ in las)
    assert len({name for _, name, _ in las}) == 150
    assert ("E99999001", "Northbrook", "North West") in las
    assert {r["area_code"] for r in rows if r["geographic_level"] == "Regional"} == set(REGIONS.values())
    periods = {r["period"] for r in rows if r["indicator"] == "newborn_rate_per_10k_births"}
    assert periods == {f"{y}/{(y + 1) % 100:02d}" for y in range(2014, 2024)}
    assert {r["period"] for r in rows if r["indicator"] == "live_births"} == {str(y) for y in range(2014, 2024)}


def test_regional_rows_are_sums_of_their_las_and_national_of_all(benchmarks):
    rows, _ = benchmarks
    la = defaultdict(list)
    for r in rows:
        if r["geographic_level"] == "Local authority":
            la[(r["region_code"], r["indicator"], r["period"])].append(r)
    checked = 0
    for r in rows:
        if r["geographic_level"] != "Regional":
            continue
        members = la[(r["area_code"], r["indicator"], r["period"])]
        shown = sum(num(m["numerator"]) for m in members if m["suppressed"] == "False")
        hidden = sum(m["suppressed"] == "True" for m in members)
        # a suppressed cell held 1 to 5
        assert hidden <= num(r["numerator"]) - shown <= 5 * hidden
        if r["denominator"]:
            assert num(r["denominator"]) == sum(num(m["denominator"]) for m in members)
        checked += 1
    assert checked == 9 * 6 * 10
    national = {(r["indicator"], r["period"]): r for r in rows if r["geographic_level"] == "National"}
    regional = defaultdict(float)
    for r in rows:
        if r["geographic_level"] == "Regional":
            regional[(r["indicator"], r["period"])] += num(r["numerator"])
    invented = {k: r for k, r in national.items() if r["source"] == "invented for the demo"}
    assert len(invented) == len(national) - 6  # six England rows carry a published figure (next test)
    assert all(num(invented[k]["numerator"]) == v for k, v in regional.items() if k in invented)
    n = national[("newborn_rate_per_10k_births", "2017/18")]
    assert num(n["value"]) == pytest.approx(num(n["numerator"]) / num(n["denominator"]) * 1e4, abs=5e-5)  # 4 places


def test_england_rows_carry_the_published_figures_where_they_exist(benchmarks):
    # By hand from DESIGN 10: Broadhurst et al. 2018 (2,447 newborns, 35 per 10,000 in 2016/17); Pattinson et
    # al. 2021 (2,914, 48 per 10,000 in 2019/20); DfE (5,460 and 16% of starters under one in 2022/23, 5,210
    # and 16% in 2023/24). Published figures give no denominator: it is left blank, never made up.
    rows, _ = benchmarks
    published = {(r["indicator"], r["period"]): (r["numerator"], r["denominator"], r["value"], r["source"])
                 for r in rows if r["source"].startswith("published: ")}
    assert {k: v[:3] for k, v in published.items()} == {
        ("newborns_in_proceedings", "2016/17"): ("2447", "", "2447"),
        ("newborns_in_proceedings", "2019/20"): ("2914", "", "2914"),
        ("newborn_rate_per_10k_births", "2016/17"): ("2447", "", "35"),
        ("newborn_rate_per_10k_births", "2019/20"): ("2914", "", "48"),
        ("infant_starters_share", "2022/23"): ("5460", "", "0.16"),
        ("infant_starters_share", "2023/24"): ("5210", "", "0.16"),
    }
    assert all(r["geographic_level"] == "National" and r["area_name"] == "England"
               for r in rows if r["source"].startswith("published: "))
    assert "Pattinson" in published[("newborn_rate_per_10k_births", "2019/20")][3]
    assert "Broadhurst" in published[("newborn_rate_per_10k_births", "2016/17")][3]
    assert "Department for Education" in published[("infant_starters_share", "2023/24")][3]
    # every other row, the area's, the other authorities', the regions' and England's other years, is invented
    assert {r["source"] for r in rows if not r["source"].startswith("published: ")} == {"invented for the demo"}


def test_suppressed_cells_are_blank_never_zero(benchmarks):
    rows, _ = benchmarks
    suppressed = [r for r in rows if r["suppressed"] == "True"]
    assert suppressed  # small LAs have small counts
    assert all(r["numerator"] == "" and r["value"] == "" for r in suppressed)
    for r in rows:
        if r["geographic_level"] == "Local authority" and r["suppressed"] == "False" and r["indicator"] != "live_births":
            assert not 1 <= num(r["numerator"]) <= 5


def test_benchmarks_are_calibrated_to_the_published_figures(benchmarks):
    rows, _ = benchmarks
    value = {(r["area_name"], r["indicator"], r["period"]): num(r["value"])
             for r in rows if r["geographic_level"] != "Local authority"}
    rate = "newborn_rate_per_10k_births"
    # England's invented years follow the published 35 (2016/17) and 48 (2019/20), held at 48 after
    assert 30 <= value[("England", rate, "2014/15")] <= 40
    assert 43 <= value[("England", rate, "2023/24")] <= 53
    assert 38 <= value[("England", rate, "2018/19")] <= 48
    mean = lambda area: sum(value[(area, rate, f"{y}/{(y + 1) % 100:02d}")] for y in range(2014, 2024)) / 10
    assert mean("North West") > mean("England") and mean("Yorkshire and The Humber") > mean("England")
    assert mean("London") < mean("England") and mean("South East") < mean("England")
    share = [value[("England", "infant_starters_share", f"{y}/{(y + 1) % 100:02d}")] for y in range(2014, 2024)]
    assert all(0.14 <= s <= 0.18 for s in share)


def test_the_demo_area_benchmark_rows_match_its_own_data(area, benchmarks):
    rows, _ = benchmarks
    newborns, _ = newborn_recurrence_by_hand(area["children"], area["proceedings"])
    first_issue = {}
    for p in area["proceedings"]:
        d = day(p["issue_date"])
        first_issue[p["child_id"]] = min(d, first_issue.get(p["child_id"], d))
    by_year = defaultdict(int)
    for c in newborns:
        by_year[financial_year(first_issue[c])] += 1
    births = {b["year"]: int(b["live_births"]) for b in area["births"]}
    own = [r for r in rows if r["area_code"] == "E99999001"]
    for r in own:
        if r["indicator"] == "newborns_in_proceedings" and r["suppressed"] == "False":
            assert num(r["numerator"]) == by_year[r["period"]]
        if r["indicator"] == "newborn_rate_per_10k_births":
            assert num(r["denominator"]) == births[r["period"][:4]]
        if r["indicator"] == "live_births":
            assert num(r["value"]) == births[r["period"]]
    assert sum(num(r["numerator"] or "0") for r in own if r["indicator"] == "newborns_in_proceedings") \
        <= len(newborns)


def test_statistical_neighbours(benchmarks):
    rows, neighbours = benchmarks
    codes = {r["area_code"] for r in rows if r["geographic_level"] == "Local authority"}
    by_area = defaultdict(list)
    for n in neighbours:
        by_area[n["area_code"]].append((int(n["rank"]), n["neighbour_code"]))
    assert set(by_area) == codes
    for area_code, ranked in by_area.items():
        assert sorted(r for r, _ in ranked) == list(range(1, 11))
        assert len({c for _, c in ranked}) == 10 and area_code not in {c for _, c in ranked}
        assert {c for _, c in ranked} <= codes


def test_demo_yml_points_at_the_data_it_wrote(demo):
    root, yml = demo
    assert yml == root / "areas" / "demo.yml"
    params = yaml.safe_load(yml.read_text(encoding="utf-8"))
    assert params["area_code"] == "E99999001" and params["area_name"] == "Northbrook"
    assert params["region"] == "North West" and params["country"] == "England"
    assert (yml.parent / params["data"] / "children.csv").is_file()
    assert (yml.parent / params["benchmarks"] / "statistical_neighbours.csv").is_file()
    assert params["period"] == {"start": PERIOD_START, "end": PERIOD_END}
    assert params["newborn_days"] == 7 and params["suppression"] == {"min_count": 6}
    assert params["urgent_days"] == {"emergency": 3, "short_notice": 7}
    assert params["synthetic"] is True and params["audience"] == "published"
    assert params["comparators"] == "statistical_neighbours"
    assert params["events"] == [{"date": dt.date(2019, 4, 1), "label": "Pre-birth team set up"}]


def test_fictional_la_names_are_not_real_local_authorities(benchmarks):
    codes = Path(__file__).resolve().parents[2] / ".." / "shared" / "third_party" / "dfe-lait" / "la_code_list.xlsx"
    if not codes.exists():
        pytest.skip("the DfE LA code list (../shared/third_party) is not available")
    import pandas as pd

    real = set(pd.read_excel(codes)["LA Name"].astype(str).str.strip())
    rows, _ = benchmarks
    ours = {r["area_name"] for r in rows if r["geographic_level"] == "Local authority"}
    assert len(real) > 100 and not ours & real
