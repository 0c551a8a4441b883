"""Synthetic areas: the demo, the tests' data factory and large areas for benchmarks (DESIGN 5.5).

Everything here is invented, except England's benchmark rows in the years a published national
figure exists (DESIGN 10): those carry the published figure, and every benchmark row's ``source``
says which it is ("published: <report>" or "invented for the demo"). One seed gives byte-identical files. The generator
builds one fictional local authority with every canonical table (``schema.TABLES``),
internally consistent: a baby's referral comes before its birth, an assessment after
its referral, a care episode from the first hearing's interim care order, and so on.
Proportions are calibrated to the published figures of DESIGN 10, so the demo book
tells a plausible story. Tests ask it for areas with a known answer
(``SynthSpec.subsequent_infant_share``) and read the answer back from
``AreaFiles.truth``.

Calibration (per year, for 3,000 live births): about 4,000 referrals of children of
all ages, of which about 7% of births are referred before birth; about 13 newborns
(under 7 days) in care proceedings (45 per 10,000 births), 40% of the infants in
proceedings; about 75 older children in proceedings; about 200 children starting to
be looked after, 16% of them under one.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from prebirth.data.schema import TABLES
from prebirth.rag_statements import STARTER_STATEMENTS
from prebirth.periods import financial_year_label
from prebirth.stats.rounding import round_half_up

__all__ = [
    "ALL_TABLES", "DEMO_SEED", "REGIONS", "SynthSpec", "AreaFiles", "area_tables",
    "generate_area", "generate_benchmarks", "write_demo",
]

ALL_TABLES: tuple[str, ...] = tuple(TABLES)
DEMO_SEED = 20240401

# The nine English regions with their ONS codes (real codes: the regions are real,
# the local authorities in them are not).
REGIONS: dict[str, str] = {
    "North East": "E12000001",
    "North West": "E12000002",
    "Yorkshire and The Humber": "E12000003",
    "East Midlands": "E12000004",
    "West Midlands": "E12000005",
    "East of England": "E12000006",
    "London": "E12000007",
    "South East": "E12000008",
    "South West": "E12000009",
}
ENGLAND_CODE = "E92000001"

_YEAR = 365.25
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class SynthSpec:
    """What to generate: the area, its size and period, and the answers to inject."""

    seed: int = DEMO_SEED
    area_code: str = "E99999001"  # fictional GSS-style code (E99... is never a real LA)
    area_name: str = "Northbrook"  # fictional
    region: str = "North West"
    births_per_year: int = 3000
    start_year: int = 2014  # first financial year 2014/15
    years: int = 10
    tables: tuple[str, ...] = ALL_TABLES  # ("children", "proceedings") = the sparse area
    # Exact share of newborns in proceedings (in the period) who are subsequent
    # infants; None draws it around the England figure of 47% (Broadhurst et al. 2018).
    subsequent_infant_share: float | None = None
    newborn_rate_per_10k: float = 45.0  # average over the period; England 35 -> 48 (DESIGN 10)
    newborn_share_of_infants: float = 0.40  # England 32% -> 42% (Broadhurst et al. 2018)
    older_children_rate_per_10k: float = 250.0  # children aged 1+ in proceedings per 10,000 births
    referrals_per_birth: float = 1.33  # referrals of children of all ages a year per live birth
    prebirth_referrals_per_birth: float = 0.07  # unborn children referred a year per live birth
    infant_starters_share: float = 0.16  # England 16% (DfE, children looked after 2022/23)
    father_recorded_share: float = 0.60  # pre-birth children with a father_id (higher after the change)
    prebirth_previous_proceedings_share: float = 0.06  # other pre-birth children whose mother had proceedings
    newborn_days: int = 7
    # Dated service changes; the first one is the change the data reflects (earlier
    # referral, more pre-proceedings, more fathers involved, the newborn rate levels off).
    events: tuple[tuple[str, str], ...] = (("2019-04-01", "Pre-birth team set up"),)
    # Data-quality imperfections (never errors, only what validation warns about).
    missing_share: float = 0.01  # optional fields left blank (sex, ethnicity, source, team, placement)
    dob_first_of_month: bool = False  # every date of birth moved to the 1st of its month
    edd_dropped_share: float = 0.0  # share of born pre-birth children whose expected date of birth is blanked
    hearings_before_issue: int = 0  # proceedings whose first hearing is dated before the issue date
    referrals_over_40_weeks: int = 0  # pre-birth referrals dated more than 40 weeks before the birth
    authorised_before_start: int = 0  # assessments authorised before they started
    proceedings_before_birth: int = 0  # newborn proceedings issued a few days before the birth

    def __post_init__(self):
        unknown = [t for t in self.tables if t not in TABLES]
        if unknown:
            raise ValueError(f"unknown canonical table(s) {unknown}; choose from {list(TABLES)}")
        if self.region not in REGIONS:
            raise ValueError(f"region {self.region!r} is not one of {list(REGIONS)}")
        if self.subsequent_infant_share is not None and not 0 <= self.subsequent_infant_share <= 1:
            raise ValueError("subsequent_infant_share must lie in [0, 1]")
        if self.years < 1 or self.births_per_year < 1:
            raise ValueError("years and births_per_year must be positive")

    @property
    def period_start(self) -> dt.date:
        return dt.date(self.start_year, 4, 1)

    @property
    def period_end(self) -> dt.date:
        return dt.date(self.start_year + self.years, 3, 31)


@dataclass
class AreaFiles:
    """The files one generated area was written to, and the answers built into it.

    ``truth`` holds the true values (before any injected imperfection), e.g.
    ``newborns`` (children in proceedings aged under ``newborn_days`` at first issue,
    issued in the period), ``subsequent_newborns``, ``subsequent_infant_share``,
    ``infants``, per-financial-year dicts (``newborns_by_year``, ``infants_by_year``,
    ``starters_by_year``, ``infant_starters_by_year``), ``live_births`` by calendar
    year, row counts per table and the number of each injected imperfection.
    """

    folder: Path
    files: dict[str, Path]
    truth: dict[str, Any]
    spec: SynthSpec


# --------------------------------------------------------------------------- helpers


def _day(d: dt.date | str) -> int:
    if isinstance(d, str):
        d = dt.date.fromisoformat(d)
    return (d - _EPOCH).days


def _iso(days) -> np.ndarray:
    """Float day numbers (NaN = not recorded) -> ISO date strings ('' = blank)."""
    days = np.asarray(days, dtype=float)
    out = np.full(days.shape, "", dtype=object)
    ok = ~np.isnan(days)
    if ok.any():
        out[ok] = np.datetime_as_string(days[ok].astype(np.int64).astype("datetime64[D]"), unit="D")
    return out


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = days.astype(np.int64).astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    m = months.astype(np.int64)
    day = (d - months.astype("datetime64[D]")).astype(np.int64) + 1
    return m // 12 + 1970, m % 12 + 1, day


def _fy(days) -> np.ndarray:
    """Financial year (the calendar year it starts in) of each day; NaN stays NaN."""
    days = np.asarray(days, dtype=float)
    out = np.full(days.shape, np.nan)
    ok = ~np.isnan(days)
    if ok.any():
        y, m, _ = _ymd(days[ok])
        out[ok] = y - (m < 4)
    return out


def _round_half_up(x: float) -> int:
    return int(round_half_up(x))


def _fy_label(year: int) -> str:
    return financial_year_label(year)


def _pick(rng, codes, probs, n) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    return np.asarray(codes, dtype=object)[rng.choice(len(p), size=n, p=p / p.sum())]


def _quota(rng, n: int, probs) -> np.ndarray:
    """Category numbers 0..k-1 in proportions as close to ``probs`` as whole numbers allow,
    shuffled: keeps headline shares of small groups near their calibration."""
    p = np.asarray(probs, dtype=float)
    counts = _allocate(n, dict(enumerate(p / p.sum())), at_least_one=False)
    out = np.repeat(np.arange(len(p)), [counts[i] for i in range(len(p))])
    return rng.permutation(out)


def _lognormal_days(rng, median, sigma, n, lo=0, hi=10_000) -> np.ndarray:
    median = np.broadcast_to(np.asarray(median, dtype=float), (n,))
    return np.clip(np.rint(np.exp(np.log(median) + rng.normal(0, sigma, n))), lo, hi)


def _ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(np.asarray(numbers).astype(str), width)).astype(object)


# DfE ethnicity codes with shares for a fictional northern English area.
_ETHNICITY = {
    "WBRI": 0.74, "WIRI": 0.005, "WOTH": 0.03, "WIRT": 0.003, "WROM": 0.004, "MWBC": 0.02,
    "MWBA": 0.008, "MWAS": 0.01, "MOTH": 0.015, "AIND": 0.015, "APKN": 0.05, "ABAN": 0.01,
    "AOTH": 0.01, "BCRB": 0.005, "BAFR": 0.025, "BOTH": 0.005, "CHNE": 0.005, "OOTH": 0.01,
    "REFU": 0.01, "NOBT": 0.005,
}

# The same area's births by mother's ethnic group (the groups of the codes above; refused and not
# obtained left out), for the context table's births_ethnicity_<group> rows.
_BIRTHS_BY_ETHNIC_GROUP = {
    "white": sum(_ETHNICITY[c] for c in ("WBRI", "WIRI", "WOTH", "WIRT", "WROM")),
    "mixed": sum(_ETHNICITY[c] for c in ("MWBC", "MWBA", "MWAS", "MOTH")),
    "asian": sum(_ETHNICITY[c] for c in ("AIND", "APKN", "ABAN", "AOTH")),
    "black": sum(_ETHNICITY[c] for c in ("BCRB", "BAFR", "BOTH")),
    "other": sum(_ETHNICITY[c] for c in ("CHNE", "OOTH")),
}

# CIN ReferralSource codes: unborn children come mostly from maternity services.
_SOURCES_PREBIRTH = {"3F": 0.30, "3D": 0.25, "5A": 0.15, "6": 0.12, "1A": 0.05, "1C": 0.03,
                     "4": 0.02, "5C": 0.03, "8": 0.03, "10": 0.02}
_SOURCES_OTHER = {"6": 0.28, "2A": 0.18, "3A": 0.03, "3B": 0.03, "3D": 0.02, "3E": 0.03, "3F": 0.03,
                  "5A": 0.05, "5B": 0.04, "5C": 0.03, "1A": 0.04, "1B": 0.02, "1C": 0.02, "4": 0.02,
                  "7": 0.02, "8": 0.07, "9": 0.02, "10": 0.07}

# CIN assessment factors: probability each is recorded, for parents of unborn babies,
# for those whose baby goes on to proceedings, and for other children.
_FACTOR_CODES = ("1A", "1B", "1C", "2A", "2B", "2C", "3A", "3B", "3C", "4A", "4B", "4C", "5A", "5B",
                 "5C", "6A", "6B", "6C", "7A", "9A", "10A", "14A", "15A", "16A", "17A", "20", "22A", "24A")
_FACTOR_PROB = {
    "prebirth": dict(zip(_FACTOR_CODES, (0, .12, .03, 0, .18, .05, 0, .40, .08, 0, .50, .05, 0, .10, .02,
                                         0, .04, .01, 0, 0, 0, 0, .06, .10, .02, .06, .002, 0))),
    "proceedings": dict(zip(_FACTOR_CODES, (0, .25, .05, 0, .40, .08, .05, .60, .12, 0, .65, .06, 0, .22,
                                            .03, 0, .05, .01, 0, 0, 0, 0, .30, .25, .10, .05, .002, 0))),
    "other": dict(zip(_FACTOR_CODES, (.02, .08, .02, .04, .08, .02, .15, .25, .05, .12, .20, .03, .05,
                                      .04, .01, .04, .06, .02, .02, .03, .03, .04, .15, .22, .10, .08,
                                      .003, .02))),
}

_TEAMS_ASSESSMENT = ("Assessment Team North", "Assessment Team South")
_PREBIRTH_TEAM = "Pre-birth Team"
_COURT_TEAM = "Court Team"

_SUPPORT_PREBIRTH = {
    "specialist_midwifery": .18, "perinatal_mental_health": .14, "substance_misuse": .09,
    "domestic_abuse": .12, "parenting": .14, "family_group_conference": .10, "legal_advice": .05,
    "housing": .06, "advocacy": .05, "other": .05,
}
_SUPPORT_OTHER = {"parenting": .35, "domestic_abuse": .15, "substance_misuse": .1, "housing": .1,
                  "family_group_conference": .1, "other": .2}

_OUTCOMES_INFANT = {"placement_order": .33, "care_order": .17, "sgo": .17, "cao": .05,
                    "supervision_order": .12, "no_order": .08, "withdrawn": .05, "other": .03}
_OUTCOMES_OLDER = {"care_order": .40, "placement_order": .08, "sgo": .17, "cao": .08,
                   "supervision_order": .15, "no_order": .06, "withdrawn": .04, "other": .02}

_RAG_OWNERS = ("Head of Service", "Pre-birth Team Manager", "Designated Nurse", "Maternity Safeguarding Lead",
               "Principal Social Worker", "Family Justice Board Chair")


# --------------------------------------------------------------------------- the area


class _Area:
    """Builds every canonical table of one fictional area in memory (numpy, no per-row loops
    except over children in proceedings or care, a few thousand at most for a large area)."""

    def __init__(self, spec: SynthSpec):
        self.spec = spec
        self.rng = np.random.default_rng(spec.seed)
        self.start = _day(spec.period_start)
        self.extract = _day(spec.period_end)  # the data are extracted on the last day of the period
        self.fy_start = np.array([_day(dt.date(spec.start_year + i, 4, 1)) for i in range(spec.years + 1)], float)
        self.change = float(_day(spec.events[0][0])) if spec.events else np.inf
        # children: one entry per child, internal integer ids 0..n-1
        self.child_cols: dict[str, list[np.ndarray]] = {k: [] for k in ("dob", "edd", "cat", "mother", "father_wanted")}
        self.n_children = 0
        self.n_mothers = 0

    # ---- small utilities
    def after(self, days) -> np.ndarray:
        return np.asarray(days, dtype=float) >= self.change

    def days_in_fy(self, fy_index: np.ndarray) -> np.ndarray:
        lo, hi = self.fy_start[fy_index], self.fy_start[fy_index + 1]
        return lo + np.floor(self.rng.random(len(fy_index)) * (hi - lo))

    def add_children(self, dob, edd, cat, mother, father_wanted) -> np.ndarray:
        n = len(dob)
        ids = np.arange(self.n_children, self.n_children + n)
        self.n_children += n
        for k, v in (("dob", dob), ("edd", edd), ("cat", np.full(n, cat, dtype=object)),
                     ("mother", mother), ("father_wanted", father_wanted)):
            self.child_cols[k].append(np.asarray(v))
        return ids

    def new_mothers(self, n) -> np.ndarray:
        ids = np.arange(self.n_mothers, self.n_mothers + n)
        self.n_mothers += n
        return ids

    # ---- the whole build
    def build(self) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
        s, rng = self.spec, self.rng
        yrs = np.arange(s.years)
        self.births = np.rint(s.births_per_year * (1.03 - 0.06 * yrs / max(s.years - 1, 1))
                              * (1 + rng.normal(0, 0.008, s.years))).astype(int)
        # Newborn-rate shape: rising until the service change, then easing (mean 1).
        change_fy = _fy(np.array([self.change]))[0] if np.isfinite(self.change) else np.nan
        if np.isfinite(change_fy) and s.start_year < change_fy < s.start_year + s.years:
            c = change_fy - s.start_year
            shape = np.where(yrs < c, 1 + 0.08 * (yrs - c), 1 - 0.05 * (yrs - c))
        else:
            shape = 1 + 0.04 * (yrs - yrs.mean())
        self.rate_shape = shape / shape.mean()

        self.build_proceedings_children()
        self.build_prebirth_children()
        self.build_general_children()
        self.assign_parents()
        self.build_referrals()
        self.build_assessments()
        self.build_proceedings()
        self.build_transfers()
        self.build_support()
        self.build_involvement()
        self.build_care_episodes()
        frames = self.frames()
        truth = _summarise(frames, s)
        truth.update(self.designed)
        self.inject_imperfections(frames, truth)
        return frames, truth

    # ---- children in proceedings (the heart of the book)
    def build_proceedings_children(self):
        s, rng = self.spec, self.rng
        b = self.births
        e_nb = s.newborn_rate_per_10k * self.rate_shape * b / 1e4
        e_inf = e_nb * (1 / s.newborn_share_of_infants - 1)
        e_old = s.older_children_rate_per_10k * np.sqrt(self.rate_shape) * b / 1e4
        self.expected = dict(nb=e_nb, inf=e_inf, old=e_old)
        n_nb, n_inf = rng.poisson(e_nb), rng.poisson(e_inf)
        sizes_p = (0.55, 0.25, 0.13, 0.07)
        n_groups = rng.poisson(e_old / np.dot(sizes_p, (1, 2, 3, 4)))

        fy = np.repeat(yrs := np.arange(s.years), n_nb)
        nb_issue = self.days_in_fy(fy)
        nb_age = rng.choice(7, size=len(fy), p=(.34, .2, .14, .1, .08, .07, .07))
        fy = np.repeat(yrs, n_inf)
        inf_issue = self.days_in_fy(fy)
        inf_age = np.where(rng.random(len(fy)) < 0.3, rng.integers(7, 43, len(fy)), rng.integers(43, 365, len(fy)))
        fy_g = np.repeat(yrs, n_groups)
        g_issue = self.days_in_fy(fy_g)
        g_size = rng.choice(4, size=len(fy_g), p=sizes_p) + 1
        old_issue = np.repeat(g_issue, g_size)
        old_group = np.repeat(np.arange(len(fy_g)), g_size)
        band = rng.choice(4, size=len(old_issue), p=(.35, .30, .28, .07))
        lo, hi = np.array([1, 5, 10, 16])[band], np.array([5, 10, 16, 17.5])[band]
        old_age = np.floor((lo + rng.random(len(band)) * (hi - lo)) * _YEAR)

        # issue date, age at issue, category and sibling group of every child in proceedings
        issue = np.concatenate([nb_issue, inf_issue, old_issue])
        age = np.concatenate([nb_age, inf_age, old_age]).astype(float)
        cat = np.concatenate([np.full(len(nb_issue), "nb", object), np.full(len(inf_issue), "inf", object),
                              np.full(len(old_issue), "old", object)])
        mothers = np.concatenate([self.new_mothers(len(nb_issue) + len(inf_issue)),
                                  self.n_mothers + old_group])
        self.n_mothers += len(fy_g)
        group_max_age = np.zeros(len(issue))
        if len(old_issue):
            gmax = pd.Series(old_age).groupby(old_group).transform("max").to_numpy()
            group_max_age[len(nb_issue) + len(inf_issue):] = gmax
        else:
            group_max_age[:] = 0
        group_max_age[: len(nb_issue) + len(inf_issue)] = age[: len(nb_issue) + len(inf_issue)]

        # Subsequent infants: a newborn whose mother had earlier proceedings about another child.
        is_nb = cat == "nb"
        n_newborns = int(is_nb.sum())
        if s.subsequent_infant_share is None:
            k = int(rng.binomial(n_newborns, 0.47))
        else:
            k = _round_half_up(s.subsequent_infant_share * n_newborns)
        nb_idx = np.flatnonzero(is_nb)
        subsequent = np.sort(rng.choice(nb_idx, size=k, replace=False)) if k else np.array([], int)
        subsequent = subsequent[np.argsort(issue[subsequent], kind="stable")]
        gaps = np.clip(np.rint(np.exp(np.log(800) + rng.normal(0, 0.55, k))), 365, 4000)
        u_pick = rng.random(k)
        hist_issue, hist_mother = [], []
        order = np.argsort(issue, kind="stable")
        sorted_issue = issue[order]
        # a source must be young enough that the mother's children span a plausible age range
        eligible = group_max_age[order] <= 12 * _YEAR
        used = np.zeros(len(issue), bool)
        for j, gap, u in zip(subsequent, gaps, u_pick):
            target = issue[j] - gap
            chosen = -1
            if target >= self.start:
                hi_pos = np.searchsorted(sorted_issue, min(target, issue[j] - 365), side="right")
                # the five latest suitable children issued before the target date
                cand = list(itertools.islice((order[p] for p in range(hi_pos - 1, -1, -1)
                                              if eligible[p] and not used[order[p]] and order[p] != j), 5))
                if cand:
                    chosen = cand[int(u * len(cand))]
            if chosen >= 0:
                used[chosen] = True
                mothers[j] = mothers[chosen]
            else:
                if target >= self.start:  # nothing suitable in the period: an older child before it
                    target = self.start - 30 - np.floor(u * 700)
                m = self.new_mothers(1)[0]
                hist_issue.append(target)
                hist_mother.append(m)
                mothers[j] = m
        self.designed = {"subsequent_newborns_designed": int(k), "newborns_designed": n_newborns}
        if s.subsequent_infant_share is not None:
            self.designed["subsequent_infant_share_asked"] = s.subsequent_infant_share

        # Older children in proceedings before the period (only as the earlier proceedings of recurrence).
        hist_issue = np.array(hist_issue, float)
        nh = len(hist_issue)
        kind = rng.choice(3, size=nh, p=(.35, .25, .40))
        hist_age = np.where(kind == 0, rng.integers(0, 7, nh),
                            np.where(kind == 1, rng.integers(7, 365, nh), np.floor((1 + 7 * rng.random(nh)) * _YEAR)))
        issue = np.concatenate([issue, hist_issue])
        age = np.concatenate([age, hist_age])
        cat = np.concatenate([cat, np.full(nh, "hist", object)])
        mothers = np.concatenate([mothers, np.array(hist_mother, int)])
        group = np.concatenate([np.full(len(nb_issue) + len(inf_issue), -1), old_group, np.full(nh, -1)])
        dob = issue - age
        n = len(issue)
        # Most newborns and some infants were referred before birth: they carry an expected date.
        prebirth = np.where(cat == "nb", rng.random(n) < 0.88, np.where(cat == "inf", rng.random(n) < 0.35, False))
        edd = np.where(prebirth, dob - np.clip(np.rint(rng.normal(-4, 9, n)), -60, 14), np.nan)
        father_wanted = np.where(np.isin(cat, ("nb", "inf")), rng.random(n) < self.father_share(dob), rng.random(n) < 0.55)
        ids = self.add_children(dob, edd, "proc", mothers, father_wanted)
        self.proc = pd.DataFrame({"child": ids, "issue": issue, "dob": dob, "edd": edd, "cat": cat,
                                  "group": group, "prebirth": prebirth, "mother": mothers})

    def father_share(self, days) -> np.ndarray:
        base = self.spec.father_recorded_share
        return np.where(self.after(days), min(base + 0.1, 0.95), base)

    def gestation_weeks(self, at_days) -> np.ndarray:
        """Weeks of pregnancy at referral: some early, many late; earlier after the change."""
        rng, n = self.rng, len(at_days)
        early = rng.random(n) < np.where(self.after(at_days), 0.45, 0.30)
        return np.where(early, 8 + 12 * rng.random(n), np.clip(rng.normal(30, 5, n), 20, 41))

    # ---- unborn children referred who do not go to proceedings
    def build_prebirth_children(self):
        s, rng = self.spec, self.rng
        already = self.expected["nb"] * 0.88 + self.expected["inf"] * 0.35
        e_pb = np.maximum(s.prebirth_referrals_per_birth * self.births - already, 0)
        fy = np.repeat(np.arange(s.years), rng.poisson(e_pb))
        ref = self.days_in_fy(fy)
        g = self.gestation_weeks(ref)
        edd = ref + np.rint((40 - g) * 7)
        n = len(ref)
        dob = edd + np.clip(np.rint(rng.normal(-4, 9, n)), -60, 14)
        dob = np.maximum(dob, ref + 1)
        dob[rng.random(n) < 0.03] = np.nan  # pregnancy ended or family moved away: no birth recorded
        dob[dob > self.extract] = np.nan  # still unborn when the data were extracted
        # Some mothers had proceedings about an older child before this pregnancy.
        mothers = self.new_mothers(n)
        proc = self.proc[self.proc["cat"].isin(["nb", "inf", "hist"])].sort_values("issue", kind="stable")
        p_issue, p_mother = proc["issue"].to_numpy(), proc["mother"].to_numpy()
        linked = rng.random(n) < s.prebirth_previous_proceedings_share
        lo = np.searchsorted(p_issue, ref - 8 * _YEAR, side="left")
        hi = np.searchsorted(p_issue, ref - 270, side="right")
        ok = linked & (hi > lo)
        pick = lo + np.floor(rng.random(n) * np.maximum(hi - lo, 1)).astype(int)
        mothers = np.where(ok, p_mother[np.minimum(pick, len(p_mother) - 1)] if len(p_mother) else mothers, mothers)
        self.designed["prebirth_children_with_previous_proceedings"] = int(ok.sum())
        ids = self.add_children(dob, edd, "pb", mothers, rng.random(n) < self.father_share(ref))
        self.pb = pd.DataFrame({"child": ids, "ref": ref, "dob": dob, "edd": edd})

    # ---- all other children referred (ages 0-17)
    def build_general_children(self):
        s, rng = self.spec, self.rng
        # referrals already made about the children above, per financial year (roughly)
        other = len(self.pb) + len(self.proc) * 1.6
        per_year = np.maximum(s.referrals_per_birth * self.births - other / s.years, 0)
        fy = np.repeat(np.arange(s.years), rng.poisson(per_year))
        date = np.sort(self.days_in_fy(fy))
        n = len(date)
        new = rng.random(n) < 0.78
        if n:
            new[0] = True
        count_before = np.cumsum(new) - new  # new children referred before this referral
        back = np.floor(rng.exponential(0.6 * max(n / s.years * 0.78, 1), n)).astype(int)
        idx_new = np.cumsum(new) - 1
        child_of = np.where(new, idx_new, np.maximum(count_before - 1 - np.minimum(back, count_before - 1), 0))
        n_children = int(new.sum())
        first_date = date[new]
        band = rng.choice(5, size=n_children, p=(.07, .20, .26, .35, .12))
        lo, hi = np.array([0, 1, 5, 10, 16])[band], np.array([1, 5, 10, 16, 17.9])[band]
        age = np.floor((lo + rng.random(n_children) * (hi - lo)) * _YEAR)
        dob = first_date - age
        # Re-referrals after the 18th birthday become referrals of new children instead.
        too_old = (~new) & (date - dob[child_of] >= 18 * _YEAR - 1)
        if too_old.any():
            extra = int(too_old.sum())
            band2 = rng.choice(5, size=extra, p=(.07, .20, .26, .35, .12))
            age2 = np.floor((np.array([0, 1, 5, 10, 16])[band2] + rng.random(extra)
                             * (np.array([1, 5, 10, 16, 17.9]) - np.array([0, 1, 5, 10, 16]))[band2]) * _YEAR)
            child_of[too_old] = n_children + np.arange(extra)
            dob = np.concatenate([dob, date[too_old] - age2])
            n_children += extra
        # Mothers: about 1.6 referred children each, within fifteen years of each other.
        mother = rng.integers(0, max(int(n_children / 1.6), 1), n_children)
        eldest = pd.Series(dob).groupby(mother).transform("min").to_numpy()
        lone = dob - eldest > 15 * _YEAR
        mother = np.where(lone, mother.max(initial=0) + 1 + np.arange(n_children), mother)
        _, mother = np.unique(mother, return_inverse=True)
        mother = mother + self.n_mothers
        self.n_mothers = int(mother.max(initial=self.n_mothers - 1)) + 1
        mother = np.where(rng.random(n_children) < 0.85, mother, -1)  # mother not linked on the record
        ids = self.add_children(dob, np.full(n_children, np.nan), "gen", mother, rng.random(n_children) < 0.5)
        self.gen_referrals = pd.DataFrame({"child": ids[child_of], "date": date})
        self.gen = pd.DataFrame({"child": ids, "dob": dob})

    # ---- parents
    def assign_parents(self):
        rng = self.rng
        c = {k: np.concatenate(v) for k, v in self.child_cols.items()}
        n = self.n_children
        born = np.where(np.isnan(c["dob"]), c["edd"], c["dob"])
        eth = _pick(rng, list(_ETHNICITY), list(_ETHNICITY.values()), n)
        sex = np.where(rng.random(n) < 0.51, "M", "F").astype(object)
        sex[np.isnan(c["dob"])] = "U"
        eth[np.isnan(c["dob"]) & (rng.random(n) < 0.5)] = ""  # often not recorded before birth
        mother = c["mother"].astype(int)

        # Mothers: age at their eldest child's birth, capped so the youngest is born by 45.
        has_m = mother >= 0
        m_ids, m_inv = np.unique(mother[has_m], return_inverse=True)
        born_m = born[has_m]
        first = np.full(len(m_ids), np.inf)
        last = np.full(len(m_ids), -np.inf)
        np.minimum.at(first, m_inv, born_m)
        np.maximum.at(last, m_inv, born_m)
        cat_m = np.zeros(len(m_ids), bool)  # mothers known through pre-birth work or proceedings
        np.logical_or.at(cat_m, m_inv, c["cat"][has_m] != "gen")
        span = (last - first) / _YEAR
        age_first = np.where(cat_m, 15, 16) + rng.gamma(3, 3.2, len(m_ids))  # younger in pre-birth work
        age_first = np.clip(np.minimum(age_first, 45 - span), 14, 42)
        m_dob = np.floor(first - age_first * _YEAR)
        m_eth_own = eth[has_m][np.unique(m_inv, return_index=True)[1]]
        m_eth = np.where(rng.random(len(m_ids)) < 0.85, m_eth_own,
                         _pick(rng, list(_ETHNICITY), list(_ETHNICITY.values()), len(m_ids)))
        m_eth = np.where(m_eth == "", _pick(rng, list(_ETHNICITY), list(_ETHNICITY.values()), len(m_ids)), m_eth)
        is_proc_m = np.zeros(len(m_ids), bool)
        np.logical_or.at(is_proc_m, m_inv, c["cat"][has_m] == "proc")
        p_ce = np.where(is_proc_m, 0.35, np.where(cat_m, 0.22, 0.06))
        m_ce = np.where(rng.random(len(m_ids)) < p_ce, "Y", "N").astype(object)
        m_ce[rng.random(len(m_ids)) < np.where(cat_m, 0.12, 0.3)] = ""

        # Fathers: siblings share a father with probability 0.5; fathers a few years older.
        order = np.lexsort((born, mother))
        want = c["father_wanted"].astype(bool)
        fathers = np.full(n, -1)
        m_sorted, w_sorted = mother[order], want[order]
        prev_same = np.zeros(n, bool)
        prev_same[1:] = (m_sorted[1:] == m_sorted[:-1]) & (m_sorted[1:] >= 0)
        share = prev_same & w_sorted & np.roll(w_sorted, 1) & (rng.random(n) < 0.5)
        new_f = w_sorted & ~share
        f_sorted = np.where(new_f, np.cumsum(new_f) - 1, -1).astype(float)
        f_sorted[~w_sorted] = np.nan
        f_sorted[share] = np.nan
        # fill shared fathers from the previous sibling (chains resolve in birth order)
        filled = pd.Series(np.where(share | ~w_sorted, np.nan, f_sorted))
        filled[~w_sorted] = -2  # sentinel: stops ffill across a sibling with no father
        filled = filled.groupby(m_sorted).ffill().to_numpy()
        f_sorted = np.where(w_sorted, filled, -1)
        f_sorted[np.isnan(f_sorted) | (f_sorted < 0)] = -1
        fathers[order] = f_sorted.astype(int)
        has_f = fathers >= 0
        f_ids, f_inv = np.unique(fathers[has_f], return_inverse=True)
        f_first = np.full(len(f_ids), np.inf)
        np.minimum.at(f_first, f_inv, born[has_f])
        # mother's age at that birth, when the mother is known
        mother_age = np.full(n, 26.0)
        if has_m.any():
            mother_age[has_m] = (born[has_m] - m_dob[m_inv]) / _YEAR
        idx = np.flatnonzero(has_f)
        first_child = pd.Series(born[idx]).groupby(f_inv).idxmin().to_numpy()
        f_mother_age = mother_age[idx[first_child]]
        f_age = f_mother_age + rng.normal(3, 4, len(f_ids))
        f_age = np.where(f_age < 16, 16 + 3 * rng.random(len(f_ids)), np.minimum(f_age, 60))
        f_dob = np.floor(f_first - f_age * _YEAR)
        f_eth = np.where(rng.random(len(f_ids)) < 0.8, eth[idx[first_child]],
                         _pick(rng, list(_ETHNICITY), list(_ETHNICITY.values()), len(f_ids)))
        f_eth = np.where(f_eth == "", _pick(rng, list(_ETHNICITY), list(_ETHNICITY.values()), len(f_ids)), f_eth)
        f_cat = c["cat"][idx[first_child]]
        f_ce = np.where(rng.random(len(f_ids)) < np.where(f_cat == "gen", 0.04, 0.12), "Y", "N").astype(object)
        f_ce[rng.random(len(f_ids)) < np.where(f_cat == "gen", 0.5, 0.3)] = ""

        self.children = pd.DataFrame({
            "child": np.arange(n), "dob": c["dob"].astype(float), "edd": c["edd"].astype(float),
            "cat": c["cat"], "mother": mother, "father": fathers, "sex": sex, "eth": eth,
        })
        self.children["mother_age"] = mother_age
        # parent index: mothers first, then fathers
        self.parents = pd.DataFrame({
            "key": np.concatenate([m_ids, f_ids + 10**9]).astype(np.int64),
            "role": np.array(["mother"] * len(m_ids) + ["father"] * len(f_ids), dtype=object),
            "dob": np.concatenate([m_dob, f_dob]),
            "eth": np.concatenate([m_eth, f_eth]).astype(object),
            "ce": np.concatenate([m_ce, f_ce]).astype(object),
        })
        self.children["father_key"] = np.where(fathers >= 0, fathers + 10**9, -1)

    # ---- referrals
    def build_referrals(self):
        rng = self.rng
        parts = []
        # unborn children not in proceedings
        pb = self.pb
        n = len(pb)
        parts.append(pd.DataFrame({
            "child": pb["child"], "date": pb["ref"], "prebirth": True,
            "outcome": _pick(rng, ["assessment", "s47", "early_help", "nfa", "other"], [.65, .08, .12, .12, .03], n),
        }))
        # children in proceedings in the period
        proc = self.proc[self.proc["cat"] != "hist"]
        pre = proc[proc["prebirth"]]
        g = self.gestation_weeks(pre["edd"].to_numpy() - 200)
        ref = pre["edd"].to_numpy() - np.rint((40 - g) * 7)
        ref = np.minimum(ref, pre["dob"].to_numpy() - 1 - rng.integers(0, 3, len(pre)))
        parts.append(pd.DataFrame({"child": pre["child"].to_numpy(), "date": ref, "prebirth": True,
                                   "outcome": np.where(rng.random(len(pre)) < 0.7, "assessment", "s47")}))
        infants = proc[proc["cat"].isin(["nb", "inf"]) & ~proc["prebirth"]]
        dob, issue = infants["dob"].to_numpy(), infants["issue"].to_numpy()
        ref = dob + np.floor(rng.random(len(infants)) * np.maximum(issue - dob, 0))
        parts.append(pd.DataFrame({"child": infants["child"].to_numpy(), "date": ref, "prebirth": False,
                                   "outcome": "s47"}))
        older = proc[proc["cat"] == "old"]
        k = 1 + rng.binomial(2, 0.4, len(older))
        rep = np.repeat(np.arange(len(older)), k)
        step = np.concatenate([np.arange(x) for x in k]) if len(k) else np.array([], int)
        last = older["issue"].to_numpy() - rng.integers(30, 400, len(older))
        gaps = rng.integers(60, 700, len(rep))
        cum = pd.Series(gaps * (step > 0)).groupby(rep).cumsum().to_numpy()
        date = np.maximum(last[rep] - cum, older["dob"].to_numpy()[rep] + 1)
        outcome = np.where(step == 0, "s47", _pick(rng, ["assessment", "nfa", "early_help"], [.6, .2, .2], len(rep)))
        # the extract reaches back a year before the period; the referral that led to court is always kept
        keep = (step == 0) | (date >= self.start - 365)
        parts.append(pd.DataFrame({"child": older["child"].to_numpy()[rep][keep], "date": date[keep],
                                   "prebirth": False, "outcome": outcome[keep]}))
        gen = self.gen_referrals
        parts.append(pd.DataFrame({
            "child": gen["child"], "date": gen["date"], "prebirth": False,
            "outcome": _pick(rng, ["assessment", "s47", "early_help", "nfa", "other"], [.52, .10, .14, .18, .06], len(gen)),
        }))
        r = pd.concat(parts, ignore_index=True)
        r = r[r["date"] <= self.extract]
        r = r.sort_values(["date", "child"], kind="stable").reset_index(drop=True)
        n = len(r)
        pbm = r["prebirth"].to_numpy()
        r["source"] = np.where(pbm, _pick(rng, list(_SOURCES_PREBIRTH), list(_SOURCES_PREBIRTH.values()), n),
                               _pick(rng, list(_SOURCES_OTHER), list(_SOURCES_OTHER.values()), n))
        r["key"] = np.arange(n)
        self.referrals = r

    # ---- assessments
    def build_assessments(self):
        rng = self.rng
        r = self.referrals[self.referrals["outcome"].isin(["assessment", "s47"])]
        n = len(r)
        ch = self.children.set_index("child")
        dob = ch.loc[r["child"], "dob"].to_numpy()
        cat = ch.loc[r["child"], "cat"].to_numpy()
        ref = r["date"].to_numpy()
        pre = r["prebirth"].to_numpy()
        after = self.after(ref)
        delay = _lognormal_days(rng, np.where(pre, np.where(after, 6, 10), 4), 0.8, n, 0, 120)
        start = ref + delay
        duration = _lognormal_days(rng, np.where(pre, np.where(after, 28, 38), 30), 0.5, n, 1, 200)
        auth = start + duration
        auth[auth > self.extract] = np.nan  # still open at extract
        auth[rng.random(n) < 0.01] = np.nan  # never authorised
        kind = np.where(np.isnan(dob) | (start < dob), "pre-birth", "child-and-family").astype(object)
        kind[rng.random(n) < 0.02] = "other"
        in_proc = np.isin(r["child"].to_numpy(), self.proc.loc[self.proc["cat"] != "hist", "child"].to_numpy())
        group = np.where(kind == "pre-birth", np.where(in_proc, "proceedings", "prebirth"),
                         np.where(in_proc, "proceedings", "other"))
        factors = np.full(n, "", dtype=object)
        for name in ("prebirth", "proceedings", "other"):
            rows = np.flatnonzero(group == name)
            if len(rows):
                factors[rows] = self.factor_strings(_FACTOR_PROB[name], len(rows))
        team = np.where(rng.random(n) < 0.5, *_TEAMS_ASSESSMENT).astype(object)
        to_pbt = (kind == "pre-birth") & self.after(start) & (rng.random(n) < 0.85)
        team[to_pbt] = _PREBIRTH_TEAM
        u = rng.random(n)
        team[(kind != "pre-birth") & (u < 0.05)] = "Disabled Children's Team"
        team[(kind != "pre-birth") & (u >= 0.05) & (u < 0.09)] = "Out of Hours Team"
        a = pd.DataFrame({"child": r["child"].to_numpy(), "ref_key": r["key"].to_numpy(), "start": start,
                          "auth": auth, "kind": kind, "factors": factors, "team": team,
                          "prebirth_ref": pre, "cat": cat})
        a = a[a["start"] <= self.extract].sort_values(["start", "child"], kind="stable").reset_index(drop=True)
        a["key"] = np.arange(len(a))
        self.assessments = a

    def factor_strings(self, probs: dict[str, float], n: int) -> np.ndarray:
        codes = list(probs)
        hit = self.rng.random((n, len(codes))) < np.array([probs[c] for c in codes])
        mask = hit @ (1 << np.arange(len(codes), dtype=np.int64))
        uniq, inv = np.unique(mask, return_inverse=True)
        text = np.array([";".join(c for i, c in enumerate(codes) if m >> i & 1) or "21" for m in uniq], dtype=object)
        return text[inv]

    # ---- proceedings
    def build_proceedings(self):
        rng = self.rng
        p = self.proc.copy()
        n = len(p)
        issue = p["issue"].to_numpy()
        cat = p["cat"].to_numpy()
        infant = np.isin(cat, ("nb", "inf")) | ((cat == "hist") & (issue - p["dob"].to_numpy() < 365))
        newborn = (cat == "nb") | ((cat == "hist") & (issue - p["dob"].to_numpy() < 7))
        after = self.after(issue)
        # Notice before the first hearing: newborns ~1 in 6 same day, ~86% within 7 days
        # (Pattinson et al. 2021); fewer same-day hearings after the change.
        band = np.zeros(n, int)
        for group, probs in (((newborn & ~after), (.20, .34, .32, .14)),
                             ((newborn & after), (.13, .38, .35, .14)),
                             (~newborn, (.05, .15, .30, .50))):
            band[group] = _quota(rng, int(group.sum()), probs)
        notice = np.select([band == 0, band == 1, band == 2, band == 3],
                           [0, rng.integers(1, 3, n), rng.integers(3, 8, n), rng.integers(8, 29, n)])
        hearing = issue + notice
        epo = rng.random(n) < 0.04
        first_order = np.where(rng.random(n) < np.where(infant, 0.80, 0.66), "ico", "none").astype(object)
        outcome = np.where(infant, _pick(rng, list(_OUTCOMES_INFANT), list(_OUTCOMES_INFANT.values()), n),
                           _pick(rng, list(_OUTCOMES_OLDER), list(_OUTCOMES_OLDER.values()), n))
        outcome[(first_order == "none") & np.isin(outcome, ("placement_order",))] = "supervision_order"
        final = issue + _lognormal_days(rng, 270, 0.35, n, 30, 900)
        # Pre-proceedings (PLO) before issue: more used for newborns after the change.
        first_ref = self.referrals.groupby("child")["date"].min()
        fr = first_ref.reindex(p["child"]).to_numpy()
        use_pp = rng.random(n) < np.where(cat == "nb", np.where(after, 0.6, 0.35), np.where(cat == "hist", 0.3, 0.45))
        pp = issue - np.where(cat == "nb", rng.integers(21, 151, n), rng.integers(30, 201, n))
        pp = np.where(np.isnan(fr), pp, np.clip(pp, fr + 7, issue))
        pp = np.where(use_pp & (issue - pp >= 14), pp, np.nan)  # too little time: no pre-proceedings
        # An emergency protection order first: an EPO application, then the s31 a few days later.
        rows = pd.DataFrame({
            "child": p["child"], "issue": issue, "hearing": hearing,
            "application": "s31", "pp": pp, "first_order": first_order,
            "outcome": outcome, "final": final, "cat": cat,
        })
        e = rows[epo].copy()
        e["application"] = "epo"
        e["first_order"] = "epo"
        e["hearing"] = e["issue"] + rng.integers(0, 2, len(e))  # the EPO is heard that day or the next
        e["outcome"] = ""
        e["final"] = np.nan
        later = rows.loc[epo, "issue"].to_numpy() + rng.integers(1, 8, int(epo.sum()))
        same_fy = _fy(later) == _fy(rows.loc[epo, "issue"].to_numpy())  # keep both in one financial year
        rows.loc[epo, "issue"] = np.where(same_fy, later, rows.loc[epo, "issue"].to_numpy())
        rows.loc[epo, "hearing"] = rows.loc[epo, "issue"].to_numpy() + notice[epo]
        rows.loc[epo, "first_order"] = "ico"
        rows = pd.concat([e, rows], ignore_index=True)
        rows = rows[rows["issue"] <= self.extract].copy()
        open_h = rows["hearing"] > self.extract
        rows.loc[open_h, "hearing"] = np.nan
        rows.loc[open_h & (rows["application"] == "s31"), "first_order"] = ""
        open_f = (rows["final"] > self.extract) | rows["final"].isna()
        rows.loc[open_f, "final"] = np.nan
        rows.loc[open_f, "outcome"] = ""
        rows = rows.sort_values(["issue", "child", "application"], ascending=[True, True, False], kind="stable")
        rows = rows.reset_index(drop=True)
        rows["key"] = np.arange(len(rows))
        self.proceedings = rows

    # ---- transfers between teams
    def build_transfers(self):
        rng = self.rng
        a = self.assessments
        n = len(a)
        pre = (a["kind"] == "pre-birth").to_numpy()
        after = self.after(a["start"].to_numpy())
        p_move = np.where(pre, np.where(after, 0.25, 0.55), 0.12)
        move = rng.random(n) < p_move
        dur = np.where(np.isnan(a["auth"]), 30, a["auth"] - a["start"])
        date = a["start"].to_numpy() + np.floor(rng.uniform(0.4, 1.2, n) * dur)
        to_team = np.where(pre, "Child Protection Team",
                           _pick(rng, ["Children in Need Team", "Child Protection Team"], [.7, .3], n)).astype(object)
        t = pd.DataFrame({"child": a["child"], "date": date, "from": a["team"], "to": to_team})[move]
        # children in proceedings move to the court team at pre-proceedings or issue
        pr = self.proceedings.drop_duplicates("child")
        pr = pr[pr["cat"] != "hist"]
        d = np.where(pr["pp"].notna(), pr["pp"], pr["issue"] - rng.integers(0, 11, len(pr)))
        last_team = a.drop_duplicates("child", keep="last").set_index("child")["team"]
        from_team = last_team.reindex(pr["child"]).fillna("Child Protection Team").to_numpy()
        t2 = pd.DataFrame({"child": pr["child"].to_numpy(), "date": d, "from": from_team, "to": _COURT_TEAM})
        t = pd.concat([t, t2], ignore_index=True)
        t = t[(t["date"] <= self.extract) & (t["from"] != t["to"])]
        self.transfers = t.drop_duplicates(["child", "date"]).sort_values(["child", "date"], kind="stable")

    # ---- support offered
    def build_support(self):
        rng = self.rng
        a = self.assessments.drop_duplicates("child")
        ch = self.children.set_index("child")
        pre = a[a["kind"] == "pre-birth"]
        after = self.after(pre["start"].to_numpy())
        k = rng.poisson(np.where(after, 2.2, 1.6))
        rep = np.repeat(np.arange(len(pre)), k)
        n = len(rep)
        kinds = np.array(list(_SUPPORT_PREBIRTH), dtype=object)
        probs = np.array(list(_SUPPORT_PREBIRTH.values()))
        probs_after = probs.copy()
        probs_after[list(_SUPPORT_PREBIRTH).index("family_group_conference")] = 0.16
        probs_after[list(_SUPPORT_PREBIRTH).index("advocacy")] = 0.08
        kind = np.where(after[rep], _pick(rng, kinds, probs_after, n), _pick(rng, kinds, probs, n))
        start = pre["start"].to_numpy()[rep]
        offered = start + _lognormal_days(rng, np.where(after[rep], 12, 18), 0.7, n, 0, 150)
        child = pre["child"].to_numpy()[rep]
        mother = ch.loc[child, "mother"].to_numpy()
        father = ch.loc[child, "father_key"].to_numpy()
        u = rng.random(n)
        father_kinds = np.isin(kind, ("domestic_abuse", "substance_misuse", "parenting", "legal_advice",
                                      "family_group_conference"))
        to_father = (father >= 0) & (u < np.where(father_kinds, 0.3, 0.05))
        to_mother = (~to_father) & (mother >= 0) & (u < 0.95)
        parent = np.where(to_father, father, np.where(to_mother, mother, -1))
        parts = [pd.DataFrame({"child": child, "kind": kind, "offered": offered, "parent": parent})]
        # Support after separation, for parents of newborns removed at birth.
        pr = self.proceedings
        removed = pr[(pr["cat"] == "nb") & pr["outcome"].isin(["placement_order", "care_order", "sgo"])]
        m = len(removed)
        off = removed["final"].to_numpy() + rng.integers(0, 60, m)
        keep = rng.random(m) < np.where(self.after(off), 0.45, 0.15)
        parts.append(pd.DataFrame({"child": removed["child"].to_numpy()[keep], "kind": "post_separation",
                                   "offered": off[keep],
                                   "parent": ch.loc[removed["child"].to_numpy()[keep], "mother"].to_numpy()}))
        # Other children: a little support after assessment.
        oth = a[a["kind"] != "pre-birth"]
        sel = rng.random(len(oth)) < 0.12
        oth = oth[sel]
        parts.append(pd.DataFrame({
            "child": oth["child"].to_numpy(),
            "kind": _pick(rng, list(_SUPPORT_OTHER), list(_SUPPORT_OTHER.values()), len(oth)),
            "offered": oth["start"].to_numpy() + rng.integers(5, 60, len(oth)),
            "parent": ch.loc[oth["child"], "mother"].to_numpy(),
        }))
        sp = pd.concat(parts, ignore_index=True)
        sp = sp[sp["offered"] <= self.extract].sort_values(["offered", "child"], kind="stable").reset_index(drop=True)
        n = len(sp)
        started = np.where(rng.random(n) < 0.7, sp["offered"].to_numpy() + rng.integers(0, 29, n), np.nan)
        ended = np.where(rng.random(n) < 0.75, started + rng.integers(20, 201, n), np.nan)
        started[started > self.extract] = np.nan
        ended[np.isnan(started) | (ended > self.extract)] = np.nan
        sp["started"], sp["ended"] = started, ended
        sp["key"] = np.arange(n)
        self.support = sp

    # ---- how each parent took part in pre-birth work
    def build_involvement(self):
        rng = self.rng
        a = self.assessments
        kids = a.loc[a["kind"] == "pre-birth"].drop_duplicates("child")
        ch = self.children.set_index("child").loc[kids["child"]]
        after = self.after(kids["start"].to_numpy())
        in_legal = np.isin(kids["child"].to_numpy(), self.proceedings["child"].to_numpy())
        sp = self.support
        fgc_children = set(sp.loc[sp["kind"] == "family_group_conference", "child"])
        had_fgc = np.isin(kids["child"].to_numpy(), list(fgc_children))
        supported = set(zip(sp["child"], sp["parent"]))
        legal = set(zip(sp.loc[sp["kind"] == "legal_advice", "child"], sp.loc[sp["kind"] == "legal_advice", "parent"]))
        rows = []
        for role, col in (("mother", "mother"), ("father", "father_key")):
            pid = ch[col].to_numpy()
            has = pid >= 0
            child = kids["child"].to_numpy()[has]
            pid, aft, leg, fgc = pid[has], after[has], in_legal[has], had_fgc[has]
            n = len(child)
            if role == "mother":
                p = dict(assessed=np.full(n, .97), invited=np.full(n, .95), plan=np.full(n, .9),
                         fgc=np.where(aft, .9, .85), legal=np.where(leg, .95, .04), blank=0.02)
            else:
                p = dict(assessed=np.where(aft, .60, .45), invited=np.where(aft, .65, .50),
                         plan=np.where(aft, .50, .35), fgc=np.where(aft, .55, .40),
                         legal=np.where(leg, np.where(aft, .5, .35), .02), blank=0.15)
            yn = lambda prob: np.where(rng.random(n) < prob, "Y", "N").astype(object)
            offered = np.array([(c, q) in supported for c, q in zip(child, pid)], dtype=bool)
            had_legal = np.array([(c, q) in legal for c, q in zip(child, pid)], dtype=bool)
            d = pd.DataFrame({
                "child": child, "parent": pid,
                "assessed": yn(p["assessed"]), "invited": yn(p["invited"]),
                "fgc": np.where(fgc, yn(p["fgc"]), "N"), "plan": yn(p["plan"]),
                "support": np.where(offered, "Y", "N"),
                "legal": np.where(had_legal, "Y", yn(p["legal"])),
            })
            # not recorded: fathers' involvement is often simply not written down
            for colname in ("assessed", "invited", "fgc", "plan", "support", "legal"):
                d.loc[rng.random(n) < p["blank"], colname] = ""
            rows.append(d)
        self.involvement = pd.concat(rows, ignore_index=True)

    # ---- looked-after episodes (SSDA903)
    def build_care_episodes(self):
        s, rng = self.spec, self.rng
        eps: list[tuple] = []
        pr = self.proceedings
        dob_of = self.children.set_index("child")["dob"]
        s31 = pr[pr["application"] == "s31"].drop_duplicates("child")
        epo_issue = pr[pr["application"] == "epo"].drop_duplicates("child").set_index("child")["issue"]
        u_all = rng.random((len(s31), 8))
        infant_starters = np.zeros(s.years)
        older_starters = np.zeros(s.years)
        for (child, issue, hearing, order, outcome, final, cat), u in zip(
                s31[["child", "issue", "hearing", "first_order", "outcome", "final", "cat"]].itertuples(index=False),
                u_all):
            if order != "ico" or np.isnan(hearing):
                continue
            dob = dob_of[child]
            infant_child = cat in ("nb", "inf") or (cat == "hist" and issue - dob < 365)
            chain = []
            if child in epo_issue.index:
                chain.append([epo_issue[child], "L2", self.placement(infant_child, issue - dob, u[0]), "S"])
            elif cat in ("inf", "old") and u[1] < 0.15:
                chain.append([max(issue - 14 - np.floor(u[2] * 100), dob + 1), "V2",
                              self.placement(infant_child, issue - dob, u[0]), "S"])
            place = self.placement(infant_child, hearing - dob, u[3]) if not chain else chain[-1][2]
            chain.append([hearing, "C1", place, "L" if chain else "S"])
            end_rec = ""
            end_day = np.nan
            if u[4] < 0.3:  # a placement move during proceedings
                move = hearing + 20 + np.floor(u[5] * 130)
                if np.isnan(final) or move < final:
                    newp = self.placement(infant_child, move - dob, (u[3] + 0.37) % 1)
                    chain.append([move, "C1", newp, "B" if newp == chain[-1][2] else "P"])
            if not np.isnan(final):
                if outcome == "care_order":
                    chain.append([final, "C2", chain[-1][2], "L"])
                elif outcome == "placement_order":
                    chain.append([final, "E1", chain[-1][2], "L"])
                    placed = final + 60 + np.floor(u[6] * 200)
                    same = u[7] < 0.4
                    chain.append([placed, "E1", "A5" if same else "A6", "U" if same else "T" if u[7] > 0.9 else "P"])
                    end_day, end_rec = placed + 200 + np.floor(u[6] * 200), "E11"
                elif outcome == "sgo":
                    end_day, end_rec = final, "E43" if u[7] < 0.3 else "E44"
                elif outcome == "cao":
                    end_day, end_rec = final, "E41"
                elif outcome in ("supervision_order", "no_order", "withdrawn"):
                    end_day, end_rec = final, "E4A"
                else:
                    end_day, end_rec = final, "E8"
            eps.extend(self.close_chain(child, chain, end_day, end_rec))
            fy = _fy(np.array([chain[0][0]]))[0] - s.start_year
            if 0 <= fy < s.years and chain[0][0] <= self.extract:
                if chain[0][0] < dob + _YEAR:
                    infant_starters[int(fy)] += 1
                else:
                    older_starters[int(fy)] += 1

        # Accommodated under s20 (V2), some after police protection (L1): calibrated so
        # that about `infant_starters_share` of all starters are infants.
        share = s.infant_starters_share
        e_inf = infant_starters * 1.1 + 0.5
        e_other = np.maximum(e_inf / share - e_inf - older_starters, 0)
        e_infant_s20 = infant_starters * 0.1 + 0.2
        a = self.assessments.drop_duplicates("child")
        dob = dob_of.reindex(a["child"]).to_numpy()
        age = a["start"].to_numpy() - dob
        fy = _fy(a["start"].to_numpy()) - s.start_year
        not_proc = ~np.isin(a["child"].to_numpy(), pr["child"].to_numpy())
        taken = []
        for want, pool in ((e_other, not_proc & (age >= _YEAR) & (age < 17.5 * _YEAR)),
                           (e_infant_s20, not_proc & (age >= 0) & (age < 300))):
            n_year = rng.poisson(want)
            for y in range(s.years):
                idx = np.flatnonzero(pool & (fy == y))
                if len(idx) and n_year[y]:
                    taken.append(rng.choice(idx, size=min(n_year[y], len(idx)), replace=False))
        taken = np.sort(np.concatenate(taken)) if taken else np.array([], int)
        u_all = rng.random((len(taken), 6))
        for i, u in zip(taken, u_all):
            child, d0 = a["child"].iat[i], dob[i]
            start = a["start"].iat[i] + np.floor(u[0] * 60)
            chain = []
            if u[1] < 0.08:
                chain.append([start, "L1", "Z1", "S"])
                start = start + 1 + np.floor(u[2] * 3)
            place = self.placement(start - d0 < _YEAR, start - d0, u[3])
            chain.append([start, "V2", place, "L" if chain else "S"])
            stay = np.exp(np.log(120) + 1.1 * (u[4] - 0.5) * 2)
            end_day = start + np.floor(stay)
            end_rec = "E4A" if u[5] < 0.75 else "E8"
            eighteen = d0 + 18 * _YEAR
            if end_day >= eighteen:
                end_day, end_rec = np.floor(eighteen), "E17"
            if u[5] > 0.93 and end_rec != "E17":
                end_day, end_rec = np.nan, ""  # still looked after
            eps.extend(self.close_chain(child, chain, end_day, end_rec))
        e = pd.DataFrame(eps, columns=["child", "start", "end", "ls", "place", "rne", "rec"])
        e = e.drop_duplicates(["child", "start"], keep="last")
        self.care = e.sort_values(["child", "start"], kind="stable").reset_index(drop=True)

    def placement(self, infant: bool, age_days: float, u: float) -> str:
        if infant:
            for code, cum in (("U6", .55), ("U5", .67), ("U3", .82), ("R3", .90), ("P1", 1.0)):
                if u < cum:
                    return code
        if age_days >= 16 * _YEAR and u < 0.3:
            return "H5"
        if age_days >= 10 * _YEAR and u < 0.45:
            return "K2"
        for code, cum in (("U6", .6), ("U3", .85), ("U4", .95), ("P1", 1.0)):
            if u < cum:
                return code
        return "U6"

    def close_chain(self, child, chain, end_day, end_rec) -> list[tuple]:
        """Episodes end when the next begins; anything after the extract date is unknown."""
        chain = sorted(chain, key=lambda e: e[0])
        # two changes on one day: keep the later one (903 episodes are keyed by start date)
        out = []
        carry_start = False
        for i, (start, ls, place, rne) in enumerate(chain):
            if start > self.extract:
                break
            nxt = chain[i + 1][0] if i + 1 < len(chain) else end_day
            rec = "X1" if i + 1 < len(chain) else end_rec  # X1: a new episode begins the same day
            if not np.isnan(nxt) and nxt > self.extract:
                nxt, rec = np.nan, ""
            if not np.isnan(nxt) and nxt <= start:
                carry_start = carry_start or rne == "S"  # the child still started that day
                continue
            out.append((child, start, nxt, ls, place, "S" if carry_start else rne, rec))
            carry_start = False
        return out

    # ---- the canonical frames, with opaque ids
    def frames(self) -> dict[str, pd.DataFrame]:
        s, rng = self.spec, self.rng
        ch = self.children
        n = len(ch)
        w = max(6, len(str(n)))
        child_id = _ids("C", rng.permutation(n) + 1, w)
        par = self.parents
        wp = max(6, len(str(len(par))))
        parent_id_of = pd.Series(_ids("P", rng.permutation(len(par)) + 1, wp), index=par["key"].to_numpy())

        def pid(keys) -> np.ndarray:
            keys = np.asarray(keys)
            out = np.full(len(keys), "", dtype=object)
            ok = keys >= 0
            out[ok] = parent_id_of.reindex(keys[ok]).to_numpy()
            return out

        def cid(keys) -> np.ndarray:
            return child_id[np.asarray(keys, dtype=int)]

        f: dict[str, pd.DataFrame] = {}
        f["children"] = pd.DataFrame({
            "child_id": child_id, "mother_id": pid(ch["mother"]), "father_id": pid(ch["father_key"]),
            "date_of_birth": _iso(ch["dob"]), "expected_date_of_birth": _iso(ch["edd"]),
            "sex": ch["sex"].to_numpy(), "ethnicity": ch["eth"].to_numpy(),
        }).sort_values("child_id", kind="stable")
        f["parents"] = pd.DataFrame({
            "parent_id": parent_id_of.to_numpy(), "role": par["role"].to_numpy(),
            "date_of_birth": _iso(par["dob"]), "ethnicity": par["eth"].to_numpy(),
            "care_experienced": par["ce"].to_numpy(),
            **_childhood_involvement(s.seed, par["ce"].to_numpy()),
        }).sort_values("parent_id", kind="stable")
        r = self.referrals
        wr = max(6, len(str(len(r))))
        referral_id = _ids("R", np.arange(len(r)) + 1, wr)
        f["referrals"] = pd.DataFrame({
            "referral_id": referral_id, "child_id": cid(r["child"]), "referral_date": _iso(r["date"]),
            "source": r["source"].to_numpy(), "outcome": r["outcome"].to_numpy(),
            "closed_date": "",  # the demo records no closures: chapter 4 says what they would add
        })
        a = self.assessments
        f["assessments"] = pd.DataFrame({
            "assessment_id": _ids("A", np.arange(len(a)) + 1, max(6, len(str(len(a))))),
            "child_id": cid(a["child"]), "start_date": _iso(a["start"]),
            "referral_id": referral_id[a["ref_key"].to_numpy()], "authorised_date": _iso(a["auth"]),
            "kind": a["kind"].to_numpy(), "factors": a["factors"].to_numpy(), "team": a["team"].to_numpy(),
        })
        sp = self.support
        f["support"] = pd.DataFrame({
            "support_id": _ids("S", np.arange(len(sp)) + 1, max(6, len(str(len(sp))))),
            "child_id": cid(sp["child"]), "kind": sp["kind"].to_numpy(), "offered_date": _iso(sp["offered"]),
            "parent_id": pid(sp["parent"]), "started_date": _iso(sp["started"]), "ended_date": _iso(sp["ended"]),
        })
        t = self.transfers
        f["transfers"] = pd.DataFrame({
            "child_id": cid(t["child"]), "transfer_date": _iso(t["date"]),
            "from_team": t["from"].to_numpy(), "to_team": t["to"].to_numpy(),
        }).sort_values(["child_id", "transfer_date"], kind="stable")
        p = self.proceedings
        f["proceedings"] = pd.DataFrame({
            "proceedings_id": _ids("L", np.arange(len(p)) + 1, max(6, len(str(len(p))))),
            "child_id": cid(p["child"]), "issue_date": _iso(p["issue"]), "first_hearing_date": _iso(p["hearing"]),
            "application": p["application"].to_numpy(), "pre_proceedings_start_date": _iso(p["pp"]),
            "first_order": p["first_order"].to_numpy(), "final_outcome": p["outcome"].to_numpy(),
            "final_outcome_date": _iso(p["final"]),
        })
        c = self.care
        f["care_episodes"] = pd.DataFrame({
            "child_id": cid(c["child"]), "start_date": _iso(c["start"]), "end_date": _iso(c["end"]),
            "legal_status": c["ls"].to_numpy(), "placement": c["place"].to_numpy(),
            "reason_new_episode": c["rne"].to_numpy(), "reason_ceased": c["rec"].to_numpy(),
        }).sort_values(["child_id", "start_date"], kind="stable")
        iv = self.involvement
        f["involvement"] = pd.DataFrame({
            "child_id": cid(iv["child"]), "parent_id": pid(iv["parent"]),
            "assessed": iv["assessed"].to_numpy(), "invited_to_meetings": iv["invited"].to_numpy(),
            "attended_fgc": iv["fgc"].to_numpy(), "included_in_plan": iv["plan"].to_numpy(),
            "offered_support": iv["support"].to_numpy(), "legal_advice": iv["legal"].to_numpy(),
        }).sort_values(["child_id", "parent_id"], kind="stable")
        f["births"] = pd.DataFrame({"year": [str(s.start_year + i) for i in range(s.years)],
                                    "live_births": [str(b) for b in self.births]})
        f["rag"] = self.rag()
        f = {k: v.reset_index(drop=True) for k, v in f.items()}
        f["context"] = self.context(f["care_episodes"])
        return f

    def context(self, care: pd.DataFrame) -> pd.DataFrame:
        s, rng = self.spec, self.rng
        i = np.arange(s.years)
        start = pd.to_datetime(care["start_date"])
        s20 = care[(care["legal_status"] == "V2") & (care["reason_new_episode"] == "S")]
        s20_fy = _fy((pd.to_datetime(s20["start_date"]) - pd.Timestamp("1970-01-01")).dt.days.to_numpy())
        del start
        s20_counts = np.array([(s20_fy == s.start_year + k).sum() for k in i])
        after = self.after(self.fy_start[:-1])
        values = {
            "child_poverty_rate": (np.round(27 + 0.5 * i + rng.normal(0, 0.6, s.years), 1), "%",
                                   "share of children in relative low-income families"),
            "s20_starts": (s20_counts, "children", "children starting to be looked after under section 20"),
            "social_worker_caseload": (np.round(18 + 0.3 * i - 1.5 * after + rng.normal(0, 0.5, s.years), 1),
                                       "children per social worker", "average caseload"),
            "early_help_spend": (np.round(110 - 4 * i + rng.normal(0, 3, s.years), 1), "GBP per child aged 0-17",
                                 "early help spending"),
        }
        rows = []
        for k in i:
            for name, (vals, unit, what) in values.items():
                rows.append({"period": _fy_label(s.start_year + k), "indicator": name,
                             "value": f"{vals[k]:g}" if name != "s20_starts" else str(int(vals[k])),
                             "unit": unit, "source": f"Synthetic data ({what}), seed {s.seed}"})
            # The area's births by mother's ethnic group (as the Maternity Services Data Set gives them), split
            # as the area's population is: chapter 6 sets the mothers in pre-birth assessment beside them.
            for key, share in _BIRTHS_BY_ETHNIC_GROUP.items():
                rows.append({"period": _fy_label(s.start_year + k), "indicator": f"births_ethnicity_{key}",
                             "value": str(int(round(self.births[k] * share))), "unit": "births",
                             "source": f"Synthetic data (live births by mother's ethnic group), seed {s.seed}"})
        return pd.DataFrame(rows, columns=TABLES["context"].column_names)

    def rag(self) -> pd.DataFrame:
        s, rng = self.spec, self.rng
        end_year = s.start_year + s.years
        rounds = [dt.date(end_year - 2, 10, 1), dt.date(end_year - 1, 10, 1)]
        rows = []
        previous = None
        for r_i, rd in enumerate(rounds):
            if previous is None:
                ratings = _pick(rng, ["R", "A", "G"], [.35, .45, .20], len(STARTER_STATEMENTS))
            else:
                step = rng.random(len(STARTER_STATEMENTS))
                up = {"R": "A", "A": "G", "G": "G"}
                ratings = np.array([up[x] if u < 0.4 else x for x, u in zip(previous, step)], dtype=object)
            previous = ratings
            owners = _pick(rng, _RAG_OWNERS, [1] * len(_RAG_OWNERS), len(STARTER_STATEMENTS))
            for statement, rating, owner in zip(STARTER_STATEMENTS, ratings, owners):
                evidence = {"R": "Not yet in place; discussed at the partnership meeting.",
                            "A": "Partly in place; practice varies between teams.",
                            "G": "In place and checked in the last case audit."}[rating]
                rows.append({"round_date": rd.isoformat(), "statement_id": statement.statement_id,
                             "stage": statement.stage, "level": statement.level, "statement": statement.text,
                             "rating": rating, "evidence": evidence,
                             "owner": owner, "next_review": dt.date(rd.year + 1, 4, 1).isoformat()})
        return pd.DataFrame(rows, columns=TABLES["rag"].column_names)

    # ---- imperfections, switched on by knobs (the truth was taken before them)
    def inject_imperfections(self, f: dict[str, pd.DataFrame], truth: dict[str, Any]):
        s, rng = self.spec, self.rng
        injected = {}
        if s.missing_share > 0:
            for table, col in (("children", "sex"), ("children", "ethnicity"), ("parents", "ethnicity"),
                               ("referrals", "source"), ("assessments", "team"), ("care_episodes", "placement")):
                blank = rng.random(len(f[table])) < s.missing_share
                f[table].loc[blank, col] = ""
        ch = f["children"]
        if s.edd_dropped_share > 0:
            cand = (ch["date_of_birth"] != "") & (ch["expected_date_of_birth"] != "")
            drop = cand & (rng.random(len(ch)) < s.edd_dropped_share)
            ch.loc[drop, "expected_date_of_birth"] = ""
            injected["edd_dropped"] = int(drop.sum())
        pr = f["proceedings"]
        if s.hearings_before_issue:
            cand = np.flatnonzero(pr["first_hearing_date"].to_numpy() != "")
            pick = rng.choice(cand, size=min(s.hearings_before_issue, len(cand)), replace=False)
            issue = pd.to_datetime(pr.loc[pick, "issue_date"])
            pr.loc[pick, "first_hearing_date"] = (issue - pd.to_timedelta(rng.integers(1, 30, len(pick)), "D")).dt.strftime("%Y-%m-%d").to_numpy()
            injected["hearings_before_issue"] = len(pick)
        dob_by_child = ch.set_index("child_id")["date_of_birth"]
        if s.proceedings_before_birth:
            first = pr.drop_duplicates("child_id")
            dob = dob_by_child.reindex(first["child_id"])
            age = (pd.to_datetime(first["issue_date"]).to_numpy() - pd.to_datetime(dob.replace("", None)).to_numpy())
            age = pd.to_timedelta(age).days
            cand = first.index[(age >= 0) & (age < 7) & (first["application"] == "s31")
                               & (~pr["child_id"].duplicated(keep=False).reindex(first.index)).to_numpy()]
            pick = rng.choice(cand, size=min(s.proceedings_before_birth, len(cand)), replace=False)
            d = pd.to_datetime(dob_by_child.reindex(pr.loc[pick, "child_id"]).to_numpy())
            pr.loc[pick, "issue_date"] = (d - pd.to_timedelta(rng.integers(1, 6, len(pick)), "D")).strftime("%Y-%m-%d")
            injected["proceedings_before_birth"] = len(pick)
        if s.referrals_over_40_weeks:
            rf = f["referrals"]
            born = ch.loc[ch["date_of_birth"] != "", ["child_id", "date_of_birth"]].set_index("child_id")["date_of_birth"]
            first_ref = rf.drop_duplicates("child_id")
            d = born.reindex(first_ref["child_id"]).to_numpy()
            pre = first_ref.index[(pd.Series(d, index=first_ref.index).fillna("") > first_ref["referral_date"]).to_numpy()
                                  & pd.notna(d)]
            pick = rng.choice(pre, size=min(s.referrals_over_40_weeks, len(pre)), replace=False)
            dd = pd.to_datetime(born.reindex(rf.loc[pick, "child_id"]).to_numpy())
            rf.loc[pick, "referral_date"] = (dd - pd.to_timedelta(rng.integers(285, 320, len(pick)), "D")).strftime("%Y-%m-%d")
            injected["referrals_over_40_weeks"] = len(pick)
        if s.authorised_before_start:
            asm = f["assessments"]
            cand = np.flatnonzero(asm["authorised_date"].to_numpy() != "")
            pick = rng.choice(cand, size=min(s.authorised_before_start, len(cand)), replace=False)
            st = pd.to_datetime(asm.loc[pick, "start_date"])
            asm.loc[pick, "authorised_date"] = (st - pd.to_timedelta(rng.integers(1, 20, len(pick)), "D")).dt.strftime("%Y-%m-%d").to_numpy()
            injected["authorised_before_start"] = len(pick)
        if s.dob_first_of_month:
            born = ch["date_of_birth"] != ""
            ch.loc[born, "date_of_birth"] = ch.loc[born, "date_of_birth"].str.slice(0, 8) + "01"
            injected["dob_first_of_month"] = int(born.sum())
        truth["injected"] = injected


# --------------------------------------------------------------------------- summaries


def _days_of(col: pd.Series) -> np.ndarray:
    """ISO date strings ('' = blank) -> float day numbers (NaN = blank)."""
    v = pd.to_datetime(col.replace("", None), format="%Y-%m-%d")
    out = ((v - pd.Timestamp("1970-01-01")).dt.days).to_numpy(dtype=float, na_value=np.nan)
    return out


def _first_birthday(dob: np.ndarray) -> np.ndarray:
    """Day of the first birthday (29 February babies: 28 February, as pandas' DateOffset)."""
    out = np.full(dob.shape, np.nan)
    ok = ~np.isnan(dob)
    if ok.any():
        d = pd.to_datetime(dob[ok].astype(np.int64), unit="D") + pd.DateOffset(years=1)
        out[ok] = (d - pd.Timestamp("1970-01-01")).days
    return out


def _summarise(f: dict[str, pd.DataFrame], s: SynthSpec) -> dict[str, Any]:
    """The true per-year figures the book (and the benchmarks) report, from the canonical frames."""
    years = [s.start_year + i for i in range(s.years)]
    labels = [_fy_label(y) for y in years]
    start, end = _day(s.period_start), _day(s.period_end)
    ch = f["children"]
    dob = pd.Series(_days_of(ch["date_of_birth"]), index=ch["child_id"])
    mother = ch.set_index("child_id")["mother_id"]
    pr = f["proceedings"]
    issue = _days_of(pr["issue_date"])
    p = pd.DataFrame({"child": pr["child_id"].to_numpy(), "issue": issue})
    first = p.sort_values(["issue", "child"], kind="stable").drop_duplicates("child")
    first["dob"] = dob.reindex(first["child"]).to_numpy()
    first["age"] = first["issue"] - first["dob"]
    first["fy"] = _fy(first["issue"].to_numpy())
    in_period = (first["issue"] >= start) & (first["issue"] <= end)
    newborn = in_period & (first["age"] < s.newborn_days)
    infant = in_period & (first["issue"] < _first_birthday(first["dob"].to_numpy()))
    # subsequent: the mother appears on an earlier proceedings row about a different child
    p["mother"] = mother.reindex(p["child"]).fillna("").to_numpy()
    nb = first.loc[newborn, ["child", "issue"]].copy()
    nb["mother"] = mother.reindex(nb["child"]).fillna("").to_numpy()
    pairs = nb[nb["mother"] != ""].merge(p[p["mother"] != ""], on="mother", suffixes=("", "_other"))
    earlier = pairs[(pairs["child_other"] != pairs["child"]) & (pairs["issue_other"] < pairs["issue"])]
    subsequent = nb["child"].isin(set(earlier["child"])).to_numpy()
    nb_total = int(newborn.sum())
    by_year = lambda mask: {lab: int((mask & (first["fy"] == y)).sum()) for y, lab in zip(years, labels)}
    # children starting to be looked after (episodes with RNE S), once per child per year
    ce = f["care_episodes"]
    st = pd.DataFrame({"child": ce["child_id"].to_numpy(), "start": _days_of(ce["start_date"]),
                       "rne": ce["reason_new_episode"].to_numpy()})
    st = st[st["rne"] == "S"].copy()
    st["fy"] = _fy(st["start"].to_numpy())
    st = st.sort_values(["start"], kind="stable").drop_duplicates(["child", "fy"])
    st["under1"] = st["start"].to_numpy() < _first_birthday(dob.reindex(st["child"]).to_numpy())
    births = dict(zip(f["births"]["year"].astype(int), f["births"]["live_births"].astype(int)))
    return {
        "period": {"start": s.period_start.isoformat(), "end": s.period_end.isoformat()},
        "extract_date": s.period_end.isoformat(),
        "newborn_days": s.newborn_days,
        "newborns": nb_total,
        "subsequent_newborns": int(subsequent.sum()),
        "subsequent_infant_share": float(subsequent.sum() / nb_total) if nb_total else float("nan"),
        "infants": int(infant.sum()),
        "children_in_proceedings": int(in_period.sum()),
        "newborns_by_year": by_year(newborn),
        "infants_by_year": by_year(infant),
        "children_in_proceedings_by_year": by_year(in_period),
        "starters_by_year": {lab: int((st["fy"] == y).sum()) for y, lab in zip(years, labels)},
        "infant_starters_by_year": {lab: int(((st["fy"] == y) & st["under1"]).sum()) for y, lab in zip(years, labels)},
        "live_births": births,
        "rows": {k: len(v) for k, v in f.items()},
        "prebirth_referrals": int((_days_of(f["referrals"]["referral_date"])
                                   < dob.reindex(f["referrals"]["child_id"]).fillna(np.inf).to_numpy()).sum()),
    }


# --------------------------------------------------------------------------- public API


def area_tables(spec: SynthSpec) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Every canonical table of the area (strings, '' = blank) and the truth, in memory."""
    return _Area(spec).build()


def generate_area(spec: SynthSpec, folder: Path) -> AreaFiles:
    """Write one CSV per canonical table in ``spec.tables`` into ``folder``.

    Canonical-table CSVs of tables the spec leaves out are removed from the folder, so
    a sparse area written over a full one stays sparse.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frames, truth = area_tables(spec)
    files = {}
    for name in ALL_TABLES:
        path = folder / f"{name}.csv"
        if name in spec.tables:
            frame = frames[name][TABLES[name].column_names]
            frame.to_csv(path, index=False, lineterminator="\n")
            files[name] = path
        elif path.exists():
            path.unlink()
    return AreaFiles(folder=folder, files=files, truth=truth, spec=spec)


# --------------------------------------------------------------------------- benchmarks

# Local authorities per region, roughly as in England (152 in all).
_REGION_LA_COUNTS = {
    "North East": 12, "North West": 23, "Yorkshire and The Humber": 15, "East Midlands": 9,
    "West Midlands": 14, "East of England": 11, "London": 33, "South East": 19, "South West": 15,
}
# Newborn rate relative to England: Yorkshire and the Humber and North West above 30 per
# 10,000, South East 20, London 18, when England averaged about 25 (Broadhurst et al. 2018).
_REGION_NEWBORN = {
    "North East": 1.25, "North West": 1.30, "Yorkshire and The Humber": 1.32, "East Midlands": 0.95,
    "West Midlands": 1.10, "East of England": 0.85, "London": 0.70, "South East": 0.78, "South West": 0.95,
}
# Deprivation-like position of each region, for statistical neighbours.
_REGION_DEPRIVATION = {
    "North East": 1.0, "North West": 0.8, "Yorkshire and The Humber": 0.7, "East Midlands": 0.1,
    "West Midlands": 0.5, "East of England": -0.5, "London": 0.3, "South East": -0.8, "South West": -0.4,
}
_NAME_STARTS = ("Alder", "Amber", "Ash", "Birch", "Bramble", "Bracken", "Clover", "Cinder", "Elder", "Fern",
                "Hazel", "Heron", "Holly", "Juniper", "Kestrel", "Larch", "Linnet", "Marsh", "Moss", "Otter",
                "Plover", "Rowan", "Rush", "Sorrel", "Sparrow", "Thistle", "Wren", "Willow", "Yarrow", "Lark",
                "Teasel", "Sedge", "Bilberry", "Campion", "Dunnock")
_NAME_ENDS = ("brook", "combe", "dale", "field", "ford", "ham", "holme", "hurst", "ley", "mere", "stead",
              "ton", "wick", "worth", "bury", "moor")
# Combinations that are the names of real districts or towns: never used.
_REAL_PLACE_NAMES = {"Ashford", "Ashfield", "Ashton", "Rushmoor", "Sedgemoor", "Mossley", "Hazelton",
                     "Marshfield", "Birchwood", "Elderfield", "Lark"}
_BENCHMARK_COLUMNS = ["period", "geographic_level", "area_code", "area_name", "region_code", "region_name",
                      "indicator", "numerator", "denominator", "value", "source", "suppressed"]


def _allocate(total: int, weights: dict, at_least_one: bool = True) -> dict:
    """Largest-remainder allocation of ``total`` over the keys (at least one each when asked and possible)."""
    keys = list(weights)
    w = np.array([weights[k] for k in keys], float)
    raw = total * w / w.sum()
    n = np.floor(raw).astype(int)
    if at_least_one and total >= len(keys):
        n = np.maximum(n, 1)
    while n.sum() > total:
        n[np.argmax(n - raw)] -= 1
    order = np.argsort(-(raw - n), kind="stable")
    i = 0
    while n.sum() < total:
        n[order[i % len(keys)]] += 1
        i += 1
    return dict(zip(keys, n.tolist()))


def _la_names(rng, n: int, exclude: set[str]) -> list[str]:
    combos = [a + b for a in _NAME_STARTS for b in _NAME_ENDS]
    combos = [c for c in combos if c not in exclude and c not in _REAL_PLACE_NAMES]
    if n > len(combos):
        raise ValueError(f"at most {len(combos)} fictional local authorities can be named")
    return [combos[i] for i in rng.choice(len(combos), size=n, replace=False)]


def _fmt(values: np.ndarray, decimals: int | None) -> np.ndarray:
    """Numbers for the CSV: integers without '.0', NaN blank, others to ``decimals`` places."""
    out = np.full(len(values), "", dtype=object)
    for i, v in enumerate(values):
        if v != v:
            continue
        if decimals is None or float(v).is_integer():
            out[i] = str(int(round(v)))
        else:
            out[i] = f"{v:.{decimals}f}".rstrip("0").rstrip(".")
    return out


def generate_benchmarks(folder: Path, spec: SynthSpec, n_las: int = 150, *,
                        area: AreaFiles | None = None) -> Path:
    """Write synthetic benchmarks for ``n_las`` fictional LAs (the spec's area among them).

    Writes ``benchmarks.csv`` (the tidy benchmark format of DESIGN 5.4: local authority,
    regional and national rows for each financial year; ``live_births`` by calendar
    year) and ``statistical_neighbours.csv`` (``area_code, rank, neighbour_code``, ten
    neighbours for every LA) into ``folder``, and returns ``folder``. The spec's own
    area appears with the counts of its canonical data (from ``area.truth``, or built
    in memory when ``area`` is not given). Local-authority counts of 1 to 5 are
    suppressed as DfE publishes them: numerator and value blank, ``suppressed`` true.
    Regional rows are the sums of their LAs' true counts; the national row sums all LAs, except where
    England has a published figure for that year: then the row is the published figure (its count, its
    value, no denominator unless published) and its ``source`` names the report.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if n_las < 11:
        raise ValueError("n_las must be at least 11 (each LA needs ten statistical neighbours)")
    truth = area.truth if area is not None else area_tables(spec)[1]
    rng = np.random.default_rng([spec.seed, 5])  # its own stream: the area's data do not move
    years = np.array([spec.start_year + i for i in range(spec.years)])
    ny = len(years)

    # The other local authorities, spread over the regions like England's.
    counts = _allocate(n_las - 1, _REGION_LA_COUNTS)
    region = np.array([r for r, k in counts.items() for _ in range(k)], dtype=object)
    serial = np.concatenate([np.arange(k) + 1 for k in counts.values()])
    region_no = np.array([list(REGIONS).index(r) + 1 for r in region])
    codes = np.array([f"E99{r}{s:05d}" for r, s in zip(region_no, serial)], dtype=object)
    real_like = {spec.area_name}
    names = np.array(_la_names(rng, len(codes), real_like), dtype=object)
    m = len(codes)

    # Live births: England about 661,000 (2014) falling to 591,000 (2023) (ONS).
    england_births = np.linspace(661_000, 591_000, ny) if ny > 1 else np.array([620_000.0])
    demo_births = np.array([truth["live_births"][int(y)] for y in years], float)
    share = rng.lognormal(0, 0.45, m)
    share /= share.sum()
    slope = rng.normal(0, 0.01, m)
    births = np.rint(np.maximum(england_births - demo_births, 1000)[None, :] * share[:, None]
                     * (1 + slope[:, None] * (np.arange(ny) - ny / 2)))
    births = np.maximum(births, 300)

    # Newborns in proceedings: England's invented years follow the line through the published rates per
    # 10,000 (15 in 2007/08 and 35 in 2016/17, Broadhurst et al. 2018; 35 in 2012/13 and 48 in 2019/20,
    # Pattinson et al. 2021), held at 48 after the last; regions as in Broadhurst et al. (2018),
    # overdispersed between LAs.
    england_rate = np.interp(years.astype(float), [2007.0, 2012.0, 2016.0, 2019.0], [15.0, 35.0, 35.0, 48.0])
    effect = np.clip(rng.gamma(6, 1 / 6, m), 0.2, 3.5)
    # each region's births-weighted mean effect is 1, so regions keep their published ordering
    for r in _REGION_NEWBORN:
        inside = region == r
        if inside.any():
            effect[inside] /= np.average(effect[inside], weights=births[inside].sum(1))
    level = np.array([_REGION_NEWBORN[r] for r in region]) * effect
    noise = rng.gamma(40, 1 / 40, (m, ny))
    norm = (births * level[:, None]).sum(0) / births.sum(0)
    rate = england_rate[None, :] * level[:, None] * noise / norm[None, :]
    newborns = rng.poisson(births * rate / 1e4)
    share_nb = np.linspace(0.36, 0.42, ny)
    infants = newborns + rng.poisson(births * rate / 1e4 * (1 / share_nb - 1)[None, :])
    # Children starting to be looked after: about 5.2 per 100 births, 16% of them infants (DfE).
    eff_s = 0.5 * effect + 0.5 * rng.gamma(8, 1 / 8, m)
    starters = rng.poisson(births * 0.052 * eff_s[:, None] / eff_s.mean())
    p_inf = 0.16 * np.array([_REGION_NEWBORN[r] for r in region]) ** 0.4 * rng.lognormal(0, 0.12, m)
    p_inf = p_inf / np.average(p_inf, weights=births.sum(1)) * 0.16
    infant_starters = rng.binomial(starters, np.clip(p_inf, 0.02, 0.6)[:, None])

    # The spec's own area, from its canonical data.
    labels = [_fy_label(y) for y in years]
    codes = np.concatenate([[spec.area_code], codes])
    names = np.concatenate([[spec.area_name], names])
    region = np.concatenate([[spec.region], region])
    births = np.vstack([demo_births, births])
    newborns = np.vstack([[truth["newborns_by_year"][lab] for lab in labels], newborns]).astype(float)
    infants = np.vstack([[truth["infants_by_year"][lab] for lab in labels], infants]).astype(float)
    starters = np.vstack([[truth["starters_by_year"][lab] for lab in labels], starters]).astype(float)
    infant_starters = np.vstack([[truth["infant_starters_by_year"][lab] for lab in labels],
                                 infant_starters]).astype(float)
    source = INVENTED

    la = pd.DataFrame({"area_code": codes, "area_name": names, "region_name": region})
    la["region_code"] = la["region_name"].map(REGIONS)
    levels = [("Local authority", la)]
    reg = pd.DataFrame({"area_code": list(REGIONS.values()), "area_name": list(REGIONS),
                        "region_code": list(REGIONS.values()), "region_name": list(REGIONS)})
    levels.append(("Regional", reg))
    levels.append(("National", pd.DataFrame({"area_code": [ENGLAND_CODE], "area_name": ["England"],
                                             "region_code": [""], "region_name": [""]})))
    member = np.array([[r == name for r in region] for name in REGIONS], float)  # region x LA

    def totals(x: np.ndarray) -> list[np.ndarray]:
        return [x, member @ x, x.sum(0, keepdims=True)]

    indicators = {
        "newborns_in_proceedings": (newborns, None, "count"),
        "infants_in_proceedings": (infants, None, "count"),
        "newborn_rate_per_10k_births": (newborns, births, "rate"),
        "infant_rate_per_10k_births": (infants, births, "rate"),
        "infant_starters_share": (infant_starters, starters, "share"),
        "live_births": (births, None, "births"),
    }
    frames = []
    for indicator, (num, den, kind) in indicators.items():
        nums = totals(num)
        dens = totals(den) if den is not None else [None] * 3
        for (level_name, areas), n_arr, d_arr in zip(levels, nums, dens):
            for k in range(ny):
                nk = n_arr[:, k].astype(float)
                dk = d_arr[:, k].astype(float) if d_arr is not None else np.full(len(nk), np.nan)
                if kind == "rate":
                    value = nk / dk * 1e4
                elif kind == "share":
                    value = np.where(dk > 0, nk / np.where(dk > 0, dk, 1), np.nan)
                else:
                    value = nk.copy()
                suppressed = np.zeros(len(nk), bool)
                if level_name == "Local authority" and kind != "births":
                    suppressed = ((nk >= 1) & (nk <= 5)) | ((kind == "share") & (dk >= 1) & (dk <= 5))
                nk = np.where(suppressed, np.nan, nk)
                value = np.where(suppressed, np.nan, value)
                frames.append(pd.DataFrame({
                    "period": str(years[k]) if kind == "births" else labels[k],
                    "geographic_level": level_name,
                    "area_code": areas["area_code"].to_numpy(), "area_name": areas["area_name"].to_numpy(),
                    "region_code": areas["region_code"].to_numpy(), "region_name": areas["region_name"].to_numpy(),
                    "indicator": indicator,
                    "numerator": _fmt(nk, None), "denominator": _fmt(dk, None),
                    "value": _fmt(value, {"rate": 4, "share": 6}.get(kind)),
                    "source": source, "suppressed": np.where(suppressed, "True", "False"),
                }))
    bench = pd.concat(frames, ignore_index=True)[_BENCHMARK_COLUMNS]
    bench = _published_national(bench)
    bench.to_csv(folder / "benchmarks.csv", index=False, lineterminator="\n")
    _births_by_mother_age(folder, spec, years, demo_births, england_births)

    # Statistical neighbours: the ten nearest LAs on size, deprivation and density.
    deprivation = np.array([_REGION_DEPRIVATION[r] for r in region]) + rng.normal(0, 0.7, len(region))
    deprivation[0] = _REGION_DEPRIVATION[spec.region] + 0.3
    density = np.where(region == "London", 2.0, 0.0) + rng.normal(0, 0.8, len(region))
    features = np.column_stack([np.log(births.mean(1)), deprivation, density, np.log(rate_proxy(newborns, births))])
    features = (features - features.mean(0)) / features.std(0)
    dist = ((features[:, None, :] - features[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(dist, np.inf)
    nearest = np.argsort(dist, axis=1, kind="stable")[:, :10]
    sn = pd.DataFrame({"area_code": np.repeat(codes, 10), "rank": np.tile(np.arange(1, 11), len(codes)),
                       "neighbour_code": codes[nearest.ravel()]})
    sn.to_csv(folder / "statistical_neighbours.csv", index=False, lineterminator="\n")
    return folder


# The ``source`` of every benchmark row the generator makes up; a row that carries a published figure says
# "published: <report>" instead.
INVENTED = "invented for the demo"
PUBLISHED = "published: "
# The published national figures (``data/reference/national_figures.csv``) the demo's England rows carry in
# the years they exist: benchmark indicator -> (reference id stem of the value, of the count, the kind).
_PUBLISHED_NATIONAL = {
    "newborn_rate_per_10k_births": ("england_newborn_rate_", "england_newborns_", "rate"),
    "newborns_in_proceedings": ("england_newborns_", "england_newborns_", "count"),
    "infant_starters_share": ("england_starters_under_1_share_", "england_starters_under_1_", "share"),
}


def published_national_figures(periods) -> list[dict]:
    """The published figures for England among the financial years ``periods`` ("2019/20"), as
    benchmark fields: indicator, period, numerator (the published count, or ""), value, source
    ("published: <report>"). The denominator is never made up: it is left blank when the report
    gives none."""
    from . import reference

    out = []
    for indicator, (value_stem, count_stem, kind) in _PUBLISHED_NATIONAL.items():
        for period in periods:
            suffix = period.replace("/", "_")
            row = reference.figure(value_stem + suffix)
            if row is None:
                continue
            count = reference.figure(count_stem + suffix)
            numerator = count["value"] if count is not None else ""
            out.append({"indicator": indicator, "period": period, "numerator": numerator,
                        "value": row["value"], "source": PUBLISHED + row["source"]})
    return out


def _published_national(bench: pd.DataFrame) -> pd.DataFrame:
    """England's rows carry the published figure where one exists for that year (DESIGN 10); every other
    row stays invented and says so."""
    national = bench["geographic_level"] == "National"
    for fig in published_national_figures(sorted(set(bench.loc[national, "period"]))):
        at = national & (bench["indicator"] == fig["indicator"]) & (bench["period"] == fig["period"])
        bench.loc[at, ["numerator", "denominator", "value", "source", "suppressed"]] = [
            fig["numerator"], "", fig["value"], fig["source"], "False"]
    return bench


# Invented shares of live births by the mother's age (ONS bands), for the demo only.
_MOTHER_AGE_SHARES = {"under_20": 0.03, "20_24": 0.13, "25_29": 0.27, "30_34": 0.33, "35_39": 0.19,
                      "40_and_over": 0.05}


def _births_by_mother_age(folder: Path, spec: SynthSpec, years, demo_births, england_births) -> None:
    """``births_by_mother_age.csv``: the area's and England's live births by the mother's age, in the
    tidy benchmark format (indicator ``live_births_mother_<band>``, by calendar year), as ONS publishes
    them. Invented (their own random stream) and marked so in ``source``."""
    rng = np.random.default_rng([spec.seed, 61])
    probs = np.array(list(_MOTHER_AGE_SHARES.values()))
    source = INVENTED
    rows = []
    for level, code, name, region, births in (
            ("Local authority", spec.area_code, spec.area_name, spec.region, demo_births),
            ("National", ENGLAND_CODE, "England", "", england_births)):
        for year, total in zip(years, births):
            counts = rng.multinomial(int(total), probs)
            for band, n in zip(_MOTHER_AGE_SHARES, counts):
                rows.append({"period": str(year), "geographic_level": level, "area_code": code, "area_name": name,
                             "region_code": REGIONS.get(region, ""), "region_name": region,
                             "indicator": f"live_births_mother_{band}", "numerator": str(n), "denominator": "",
                             "value": str(n), "source": source, "suppressed": "False"})
    pd.DataFrame(rows)[_BENCHMARK_COLUMNS].to_csv(folder / "births_by_mother_age.csv", index=False,
                                                  lineterminator="\n")


def _childhood_involvement(seed: int, care_experienced: np.ndarray) -> dict:
    """Invented Y/N/blank answers: was the parent on a child protection plan, or a child in need, as a
    child (more often for parents who were in care). Their own random stream: nothing else moves."""
    rng = np.random.default_rng([seed, 62])
    n = len(care_experienced)
    in_care = care_experienced == "Y"
    known = care_experienced != ""
    out = {}
    for column, p_care, p_other in (("child_protection_as_child", 0.55, 0.12), ("child_in_need_as_child", 0.7, 0.2)):
        yes = rng.random(n) < np.where(in_care, p_care, p_other)
        recorded = known & (rng.random(n) < 0.85)
        out[column] = np.where(recorded, np.where(yes, "Y", "N"), "").astype(object)
    return out


def rate_proxy(newborns: np.ndarray, births: np.ndarray) -> np.ndarray:
    """A smoothed newborn rate per LA (plus one, so a quiet LA still has a log)."""
    return (newborns.sum(1) + 1) / births.sum(1) * 1e4


# --------------------------------------------------------------------------- the demo

_DEMO_YML = """\
# Parameters of the synthetic demo area (every number in its data is invented).
area_code: {area_code}
area_name: {area_name}
country: England
region: {region}
data: ../data/demo/area/
benchmarks: ../data/demo/benchmarks/
comparators: statistical_neighbours
period: {{start: {start}, end: {end}}}
newborn_days: {newborn_days}
urgent_days: {{emergency: 3, short_notice: 7}}
suppression: {{min_count: 6}}
audience: published
synthetic: true
{events}"""


def write_demo(root: Path, seed: int = DEMO_SEED) -> Path:
    """Write the demo area under ``root``: ``data/demo/area/`` (canonical CSVs),
    ``data/demo/benchmarks/`` and ``areas/demo.yml``; return the path of the yml."""
    root = Path(root)
    spec = SynthSpec(seed=seed)
    area = generate_area(spec, root / "data" / "demo" / "area")
    generate_benchmarks(root / "data" / "demo" / "benchmarks", spec, area=area)
    events = "events:\n" + "\n".join(f'  - {{date: {d}, label: "{label}"}}' for d, label in spec.events)
    if not spec.events:
        events = "events: []"
    text = _DEMO_YML.format(area_code=spec.area_code, area_name=spec.area_name, region=spec.region,
                            start=spec.period_start.isoformat(), end=spec.period_end.isoformat(),
                            newborn_days=spec.newborn_days, events=events)
    yml = root / "areas" / "demo.yml"
    yml.parent.mkdir(parents=True, exist_ok=True)
    yml.write_text(text + "\n", encoding="utf-8")
    return yml
