"""Chapter 2: Recurrent proceedings.

A *subsequent infant* is a baby whose mother appears on an earlier proceedings row
(strictly earlier issue date, at any date, including before the report period) about a
different child (``definitions.subsequent_infant``). The chapter counts:

- newborns in proceedings in the period who are subsequent infants (England 2012/13 to
  2016/17: 47%, Broadhurst et al. 2018), each child once per financial year at their
  first issue, as in chapter 1;
- babies with a pre-birth assessment whose mother had proceedings issued before that
  assessment started;
- the months from the mother's most recent earlier proceedings to the pre-birth referral;
- how soon mothers return to court with another child after their first proceedings in
  the period (Kaplan-Meier, mothers still followed censored where the data end), published
  at 1, 2, 3, 5 and 7 years only: each point rests on the mothers back by then, the mothers
  still followed and the returns since the previous point, so a withheld step stays withheld.

:func:`compute` returns everything the chapter publishes as a
:class:`~prebirth.results.ChapterResult`; the book's disclosure step decides what is withheld.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import charts, definitions as d, reference
from ..results import (ChapterResult, Chart, Count, Measure, Notice, Plain, ResultTable, Share, Text, frame_of, key,
                       not_yet)
from ..stats import survival
from ..stats.rounding import round_half_up
from .common import Chapter, Prepared
from .waiting import DAYS_PER_MONTH, MEDIAN_METHOD, censoring_date, in_period, median_ci, periods

NUMBER, KEY, TITLE = 2, "recurrent_proceedings", "Recurrent proceedings"
YEAR_DAYS = 365.25
RETURN_YEARS = (1, 2, 3, 5, 7)
MONTH_BANDS = ((0, 12, "under 1 year"), (12, 24, "1 to 2 years"), (24, 36, "2 to 3 years"),
               (36, 60, "3 to 5 years"), (60, np.inf, "5 years or more"))
SUBSEQUENT_METHOD = ("Wilson score interval; subsequent infant = mother on an earlier proceedings row about a "
                     "different child")
SHARE_METHOD = "Wilson score interval"
ENGLAND_YEARS = ("2012/13", "2013/14", "2014/15", "2015/16", "2016/17")
# The published share of newborns in proceedings who were subsequent infants, by the area's country:
# England, Broadhurst et al. (2018), newborn = under 7 days; Wales, Alrouh et al. (2019), 2016 to 2018,
# babies under two weeks old (a different newborn definition, said wherever the figure is).
SUBSEQUENT_NATIONAL = {"England": ("england_subsequent_infants_2012_17", "2012/13 to 2016/17", 7),
                       "Wales": ("wales_subsequent_infants_2016_18", "2016 to 2018", 14)}
# Final outcomes that leave the child living apart from the mother (the separation that support after
# separation follows).
SEPARATION_OUTCOMES = ("care_order", "placement_order", "sgo")
PREGNANCY_DAYS = 280  # 40 weeks before the (expected) birth: the start of pregnancy as gestation counts it


def pct(value, digits: int = 0) -> str:
    return f"{round_half_up(100 * value, digits):.{digits}f}%"


def national_subsequent(ch: Chapter) -> dict | None:
    """The published subsequent-infant share of the area's country: value, years, country and, where the
    study counted newborns differently from this book, the difference in words ('' when the same)."""
    figure_id, years, days = SUBSEQUENT_NATIONAL.get(ch.params.country, SUBSEQUENT_NATIONAL["England"])
    value = reference.value(figure_id)
    if value is None:
        return None
    country = ch.params.country if ch.params.country in SUBSEQUENT_NATIONAL else "England"
    differs = "" if days == ch.params.newborn_days else (
        f"counting babies under {'two weeks' if days == 14 else f'{days} days'} old, a different definition from "
        f"this book's under {ch.params.newborn_days} days")
    return {"value": value, "years": years, "country": country, "differs": differs,
            "label": f"{country} {years}"}


def _memo(ch: Chapter, name: str, compute):
    return ch.memo(f"recurrence:{name}", compute)


# -- can the chapter be answered? ----------------------------------------------------

def can_answer(ch: Chapter) -> bool:
    children, proceedings = ch.data.get("children"), ch.data.get("proceedings")
    return (children is not None and proceedings is not None and not proceedings.empty
            and children["date_of_birth"].notna().any() and children["mother_id"].notna().any())


def missing(ch: Chapter) -> Notice:
    """The 'not yet' message when proceedings, dates of birth or mothers' ids are missing."""
    what = []
    if not ch.data.has("proceedings"):
        what.append("the proceedings table, including proceedings from before the report period")
    children = ch.data.get("children")
    if children is not None and not children["mother_id"].notna().any():
        what.append("the mother's id on each child's record (children.mother_id), so that a baby can be linked "
                    "to older brothers and sisters")
    if children is not None and not children["date_of_birth"].notna().any():
        what.append("children's dates of birth")
    return not_yet("how many babies in proceedings have a mother who was in earlier proceedings about an older child.",
                   what, "the mother's id on every child's record, unborn babies included, and every set of care "
                         "proceedings you hold, however long ago.")


# -- newborns who are subsequent infants --------------------------------------------

def newborn_rows(ch: Chapter) -> pd.DataFrame:
    """Children in proceedings in the period (once per financial year), flagged ``subsequent`` and ``newborn``."""
    def compute():
        proceedings, children = ch.data.get("proceedings"), ch.data.get("children")
        rows = d.children_in_proceedings(proceedings, children, ch.params.newborn_days,
                                         ch.params.period.start, ch.params.period.end)
        rows["subsequent"] = d.subsequent_infant(rows["child_id"], rows["issue_date"], proceedings, children)
        rows["mother_known"] = rows["mother_id"].notna()
        return rows
    return _memo(ch, "rows", compute)


def subsequent_yearly(ch: Chapter) -> pd.DataFrame:
    """Newborns, subsequent infants among them and newborns with a mother linked, by year and 'all'."""
    def compute():
        rows = newborn_rows(ch)
        out = []
        for period in periods(ch):
            part = d.first_in_period(rows) if period == "all" else rows[rows["financial_year"] == period]
            newborns = part[part["newborn"].fillna(False).astype(bool)]
            out.append({"period": period, "newborns": len(newborns), "subsequent": int(newborns["subsequent"].sum()),
                        "mother_known": int(newborns["mother_known"].sum())})
        table = pd.DataFrame(out)
        from ..stats import intervals

        table["share"], table["lower"], table["upper"] = intervals.proportion_ci(
            table["subsequent"].to_numpy(float), table["newborns"].to_numpy(float))
        return table
    return _memo(ch, "yearly", compute)


# -- mothers of babies in pre-birth assessment -----------------------------------------

def prebirth_rows(ch: Chapter) -> pd.DataFrame:
    """Babies with a pre-birth assessment in the period, with the mother's latest earlier proceedings."""
    def compute():
        children, proceedings = ch.data.get("children"), ch.data.get("proceedings")
        rows = d.children_with_prebirth_assessment(ch.data.get("assessments"), children, ch.params.period.start,
                                                   ch.params.period.end)
        rows["previous_issue"] = d.previous_proceedings_date(rows["child_id"], rows["start_date"], proceedings,
                                                             children)
        rows["previous"] = rows["previous_issue"].notna()
        rows["mother_known"] = rows["mother_id"].notna()
        return rows
    return _memo(ch, "prebirth", compute)


def months_rows(ch: Chapter) -> pd.DataFrame:
    """Each baby's first pre-birth referral in the period whose mother had earlier proceedings: months between."""
    def compute():
        children, proceedings = ch.data.get("children"), ch.data.get("proceedings")
        kids = children.set_index("child_id")
        r = in_period(ch, ch.data.get("referrals"), "referral_date")
        r = r[d.is_prebirth(r["referral_date"], r["child_id"].map(kids["date_of_birth"])).to_numpy()]
        r = r.sort_values(["referral_date", "referral_id"]).drop_duplicates("child_id")
        out = r[["child_id", "referral_date"]].copy()
        out["financial_year"] = d.financial_year(out["referral_date"])
        out["previous_issue"] = d.previous_proceedings_date(out["child_id"], out["referral_date"], proceedings,
                                                            children)
        out = out[out["previous_issue"].notna()].copy()
        out["months"] = (out["referral_date"] - out["previous_issue"]).dt.days / DAYS_PER_MONTH
        return out.reset_index(drop=True)
    return _memo(ch, "months", compute)


def prebirth_outcomes(ch: Chapter) -> pd.DataFrame:
    """Babies with a pre-birth assessment in the period followed to their first birthday, and whether they
    came into care proceedings before it.

    ``followed``: the first birthday (from the birth, or the expected birth while none is recorded) is on or
    before the date the data end, so every baby had the whole first year in which to come to court;
    ``proceedings``: proceedings about the baby issued on or after the assessment started and before the
    first birthday.
    """
    def compute():
        rows = prebirth_rows(ch).copy()
        proceedings = ch.data.get("proceedings")
        end = censoring_date(ch)
        rows["first_birthday"] = d.first_birthday(pd.to_datetime(rows["birth_date"]))
        rows["followed"] = rows["first_birthday"].notna() & (rows["first_birthday"] <= end)
        p = proceedings[["child_id", "issue_date"]].merge(rows[["child_id", "start_date", "first_birthday"]],
                                                          on="child_id")
        p = p[(p["issue_date"] >= p["start_date"]) & (p["issue_date"] < p["first_birthday"])]
        rows["proceedings"] = rows["child_id"].isin(p["child_id"])
        return rows
    return _memo(ch, "prebirth_outcomes", compute)


def separation_support(ch: Chapter) -> pd.DataFrame | None:
    """Mothers whose first recorded proceedings (issued in the period) ended with a child living apart from
    them (care, placement or special guardianship order), with the support after separation offered to them,
    their next baby and their return to court. None when no final outcome is recorded.

    Columns: mother_id, first_issue, support_on (the first ``post_separation`` support offered to her on or
    after her first issue date: ``support.parent_id`` is the mother, or blank on her child's record),
    next_birth (birth, or expected birth, of her first later child not in the first set), pregnancy_start
    (``PREGNANCY_DAYS`` before the expected birth, or the birth when no expected date is recorded),
    returned_on (her next proceedings about another child, as in :func:`mother_returns`).
    """
    def compute():
        proceedings, children = ch.data.get("proceedings"), ch.data.get("children")
        if "final_outcome" not in proceedings or not proceedings["final_outcome"].notna().any():
            return None
        m = mother_returns(ch)
        p = proceedings[["child_id", "issue_date", "final_outcome"]].copy()
        p["mother_id"] = d.mothers_of(p["child_id"], children).to_numpy()
        p = p.merge(m[["mother_id", "first_issue"]], on="mother_id")
        first_set = p[p["issue_date"] == p["first_issue"]]
        apart = first_set.loc[first_set["final_outcome"].isin(SEPARATION_OUTCOMES), "mother_id"].unique()
        out = m[m["mother_id"].isin(apart)][["mother_id", "first_issue", "returned_on"]].reset_index(drop=True)
        support = ch.data.get("support")
        if support is not None and not support.empty:
            s = support[support["kind"] == "post_separation"].copy()
            parent = s["parent_id"] if "parent_id" in s else pd.Series(None, index=s.index, dtype=object)
            s["mother_id"] = parent.where(parent.notna(), d.mothers_of(s["child_id"], children))
            s = s.merge(out[["mother_id", "first_issue"]], on="mother_id")
            s = s[s["offered_date"] >= s["first_issue"]]
            out = out.join(s.groupby("mother_id")["offered_date"].min().rename("support_on"), on="mother_id")
        else:
            out["support_on"] = pd.NaT
        kids = children[children["mother_id"].isin(out["mother_id"])].copy()
        kids["born"] = d.birth_or_expected(kids)
        due = pd.to_datetime(kids["expected_date_of_birth"]) if "expected_date_of_birth" in kids else kids["born"]
        kids["pregnancy_start"] = due.fillna(kids["born"]) - pd.Timedelta(days=PREGNANCY_DAYS)
        kids = kids.merge(out[["mother_id", "first_issue"]], on="mother_id")
        kids = kids[~kids["child_id"].isin(first_set["child_id"]) & (kids["born"] > kids["first_issue"])]
        nxt = kids.sort_values(["born", "child_id"]).drop_duplicates("mother_id").set_index("mother_id")
        for column, source in (("next_birth", "born"), ("pregnancy_start", "pregnancy_start")):
            # no later baby at all: pandas cannot map an empty series of dates, and every answer is "none"
            out[column] = out["mother_id"].map(nxt[source]) if len(nxt) else pd.NaT
        for column in ("support_on", "next_birth", "pregnancy_start", "returned_on"):
            out[column] = pd.to_datetime(out[column])
        return out
    return _memo(ch, "separation_support", compute)


def separation_support_counts(table: pd.DataFrame) -> dict[str, int]:
    """The counts the support table publishes (see :func:`separation_support`)."""
    support, birth, start, back = (table["support_on"], table["next_birth"], table["pregnancy_start"],
                                   table["returned_on"])
    baby = birth.notna()
    before = baby & (support < start)
    during = baby & ~before & (support < birth)
    returned = back.notna()
    return {"mothers": len(table), "supported": int(support.notna().sum()), "next_baby": int(baby.sum()),
            "before_pregnancy": int(before.sum()), "during_pregnancy": int(during.sum()),
            "none_before_birth": int((baby & ~before & ~during).sum()), "returned": int(returned.sum()),
            "supported_before_return": int((returned & (support < back)).sum())}


# -- how soon mothers return -------------------------------------------------------------

def mother_returns(ch: Chapter) -> pd.DataFrame:
    """Mothers whose first recorded proceedings were issued in the period, and when they returned.

    The first set is every child of the mother issued on her first issue date (twins and
    brothers and sisters together). A return is the first later proceedings about a child
    not in that set. Columns: mother_id, first_issue, years (to the return, or to the date
    the data end), returned (False: censored).
    """
    def compute():
        children, proceedings = ch.data.get("children"), ch.data.get("proceedings")
        end = censoring_date(ch)
        p = proceedings[["child_id", "issue_date"]].copy()
        p["mother_id"] = d.mothers_of(p["child_id"], children).to_numpy()
        p = p[p["mother_id"].notna()]
        first = p.groupby("mother_id")["issue_date"].min().rename("first_issue")
        start, stop = pd.Timestamp(ch.params.period.start), pd.Timestamp(ch.params.period.end)
        first = first[(first >= start) & (first <= stop)]
        p = p[p["mother_id"].isin(first.index)].join(first, on="mother_id")
        first_set = p[p["issue_date"] == p["first_issue"]][["mother_id", "child_id"]].drop_duplicates()
        first_set["in_first_set"] = True
        later = p.merge(first_set, on=["mother_id", "child_id"], how="left")
        later = later[later["in_first_set"].isna() & (later["issue_date"] > later["first_issue"])]
        back = later.groupby("mother_id")["issue_date"].min()
        # a join keeps the date type even when no mother has returned (map would not)
        out = first.to_frame().reset_index().join(back.rename("returned_on"), on="mother_id")
        out["returned"] = out["returned_on"].notna()
        out["years"] = (out["returned_on"].fillna(end) - out["first_issue"]).dt.days / YEAR_DAYS
        return out
    return _memo(ch, "returns", compute)


def return_summary(ch: Chapter) -> pd.DataFrame:
    """Share of mothers returned within each number of years (Kaplan-Meier), with the counts behind it.

    ``returned``: mothers back in proceedings by then; ``followed``: mothers still followed that long;
    ``censored``: mothers whose follow-up ended earlier without a return; ``between``: returns since the
    previous point (the step a reader can work out). Follow-up is counted in days, so it never lasts
    exactly 1, 2, 3, 5 or 7 years (365.25 days a year): mothers = followed + returned + censored.
    """
    def compute():
        m = mother_returns(ch)
        rows = []
        if m.empty:
            return pd.DataFrame(columns=["years", "returned_share", "lower", "upper", "returned", "followed",
                                         "censored", "between"])
        curve = survival.km_curve(m["years"], m["returned"].astype(float))
        before = 0
        for years in RETURN_YEARS:
            upto = curve[curve["time"] <= years]
            last = upto.iloc[-1]
            returned = int(((m["years"] <= years) & m["returned"]).sum())
            followed = int((m["years"] >= years).sum())
            rows.append({"years": years, "returned_share": 1 - last["survival"], "lower": 1 - last["upper"],
                         "upper": 1 - last["lower"], "returned": returned, "followed": followed,
                         "censored": int(((m["years"] < years) & ~m["returned"]).sum()),
                         "between": returned - before})
            before = returned
        return pd.DataFrame(rows)
    return _memo(ch, "return_summary", compute)


# -- the chapter's result ------------------------------------------------------------------

GLUE = ("ch2_subsequent_share_all", "ch2_prebirth_previous_share_all", "ch2_months_median",
        "ch2_returned_within_2_years", "ch2_returned_within_7_years", "ch2_prebirth_to_court_previous",
        "ch2_prebirth_to_court_none", "ch2_separation_support")


def compute(prepared: Prepared, upstream: dict | None = None) -> ChapterResult:
    """Everything chapter 2 publishes, before disclosure."""
    ch = Chapter(NUMBER, KEY, prepared)
    r = ChapterResult(NUMBER, KEY, TITLE)
    r.glue.update(dict.fromkeys(GLUE))
    if not can_answer(ch):
        r.status = {"answer": "not yet"}
        r.add("headline", missing(ch))
        return r
    r.status = {"answer": "can answer" if ch.data.has("assessments") and ch.data.has("referrals") else "partly"}
    cells = _subsequent_cells(r, ch)
    _headline(r, ch, cells)
    _subsequent_table(r, ch, cells)
    _subsequent_chart(r, ch, cells)
    _prebirth(r, ch)
    _months(r, ch)
    _prebirth_outcomes(r, ch)
    _contrast(r, ch)
    _separation_support(r, ch)
    _returns(r, ch)
    _comparison_table(r, ch, cells)
    return r


def _subsequent_cells(r: ChapterResult, ch: Chapter) -> dict:
    """Newborns, subsequent infants, first-time newborns and newborns with no mother linked, by period.

    newborns = subsequent + first-time; first-time = no mother linked + first-time with a mother linked
    (a baby with no mother linked cannot be found to be subsequent); each against the whole period.
    """
    t = subsequent_yearly(ch)
    out = {}
    for _, row in t.iterrows():
        p = row["period"]
        newborns = Count(key("proceedings", "newborns", p), int(row["newborns"]))
        subsequent = Count(key("recurrence", "subsequent infants", p), int(row["subsequent"]))
        unlinked = Count(key("recurrence", "newborns with no mother linked", p),
                         int(row["newborns"] - row["mother_known"]))
        first = r.hidden_count(key("recurrence", "first-time newborns", p), newborns.value - subsequent.value)
        linked = r.hidden_count(key("recurrence", "first-time newborns with a mother linked", p),
                                r.implicit[first] - unlinked.value)
        for c in (newborns, subsequent, unlinked):
            r.hidden_count(c.key, c.value)
        r.relate(newborns, [subsequent.key, first], "newborns = subsequent infants + first-time newborns")
        if unlinked.value:  # with none unlinked the relation says nothing (a mother linked = first-time)
            r.relate(first, [unlinked.key, linked], "first-time newborns = no mother linked + a mother linked")
        out[p] = {"newborns": newborns, "subsequent": subsequent, "unlinked": unlinked,
                  "share": Share.of(subsequent, newborns)}
    years = [p for p in out if p != "all"]
    for part in ("proceedings|newborns", "recurrence|subsequent infants", "recurrence|first-time newborns",
                 "recurrence|newborns with no mother linked", "recurrence|first-time newborns with a mother linked"):
        r.relate_periods(f"{part}|all", [f"{part}|{p}" for p in years], f"{part.split('|')[1]} by year against the "
                         "whole period")
    for p in years + ["all"]:
        if out[p]["newborns"].value:
            r.indicator("newborns_subsequent_share", p, out[p]["share"], method=SUBSEQUENT_METHOD)
    return out


def _headline(r: ChapterResult, ch: Chapter, cells: dict) -> None:
    total = cells["all"]
    parts = []
    if total["newborns"].value == 0:
        parts.append("There were no newborn babies in care proceedings in the report period.")
    else:
        share = total["share"]
        r.glue["ch2_subsequent_share_all"] = share
        parts.append(Text("Of the {newborns} newborn babies in care proceedings over the whole period, {subsequent} "
                          "({share}; 95% confidence interval {share:interval}) were subsequent infants: their mother "
                          "had been in earlier proceedings about an older child.",
                          {"newborns": total["newborns"], "subsequent": total["subsequent"], "share": share},
                          # the share withheld (with the newborns) to protect a number elsewhere: the count alone
                          Text("Over the whole period, {subsequent} newborn babies in care proceedings were subsequent "
                               "infants: their mother had been in earlier proceedings about an older child.",
                               {"subsequent": total["subsequent"]},
                               "The number of newborn babies whose mother had earlier proceedings is too small to "
                               "publish.")))
        national = national_subsequent(ch)
        said = ""
        if national is not None:
            said = (f"; in {national['country']} the figure was {pct(national['value'])} ({national['years']}"
                    + (f", {national['differs']}" if national["differs"] else "") + ")")
        r.finding("{share} of newborns in care proceedings ({share:one_in}) had a mother who had been in earlier "
                  "proceedings about an older child" + said + ".", "newborns_subsequent_share", main=True,
                  share=share)
    unlinked = total["unlinked"]
    if unlinked.value:
        parts.append(Text("{unlinked} newborn(s) have no mother linked on their record, so they cannot be counted as "
                          "subsequent infants even if they were.", {"unlinked": unlinked},
                          "c newborn(s) have no mother linked on their record, so they cannot be counted as "
                          "subsequent infants even if they were."))
    r.add("headline", Notice(parts))


def _year(period: str) -> str:
    return "All years" if period == "all" else period


def _subsequent_table(r: ChapterResult, ch: Chapter, cells: dict) -> None:
    records = [{"Year": _year(p), f"Newborns in proceedings (under {ch.params.newborn_days} days)": c["newborns"],
                "Subsequent infants": c["subsequent"], "Share of newborns (95% CI)": c["share"],
                "Newborns with no mother linked": c["unlinked"]} for p, c in cells.items()]
    r.add("subsequent_table", ResultTable(
        frame_of(records), "Newborns in care proceedings whose mother had earlier proceedings about an older child, by "
                           "financial year of issue",
        note="A subsequent infant's mother is recorded on proceedings about a different child issued on an earlier "
             "date, at any time (including before the report period). Twins issued on the same day do not make each "
             "other subsequent. Each baby counts once per year, at their first issue. "
             f"c = fewer than {ch.min_count} babies, or a figure that would reveal one.", download="subsequent"))


def draw_subsequent(data: pd.DataFrame, ylabel: str, england: float | None,
                    national_label: str = "England 2012/13 to 2016/17"):
    """The subsequent-infant share by year (per cent, 95% intervals); withheld years are absent; ``england``:
    the national figure of the area's country (England's or Wales's), drawn as a line labelled ``national_label``."""
    frame = pd.DataFrame({"Year": data["Year"], "Series": data["Series"], "Per cent": data["Share"] * 100,
                          "Lower": data["Share_lower"] * 100, "Upper": data["Share_upper"] * 100})
    fig = charts.lines_with_ci(frame, "Year", "Per cent", "Series", ylabel, "Lower", "Upper")
    if england is not None:
        charts.reference_lines(fig, [{"y": england * 100, "label": national_label}])
    return fig


def _subsequent_chart(r: ChapterResult, ch: Chapter, cells: dict) -> None:
    years = [p for p in cells if p != "all"]
    records = [{"Year": p, "Series": Plain(ch.params.area_name), "Share": cells[p]["share"]} for p in years]
    national = national_subsequent(ch)
    england = national["value"] if national else None
    shown = [p for p in years if cells[p]["newborns"].value]
    alt = ("Line chart of the percentage of newborn babies in care proceedings whose mother had earlier proceedings "
           "about an older child, in {area} by financial year, with 95% confidence intervals"
           + (f" and a reference line at {national['country']}'s {pct(england)} ({national['years']})."
              if national else "."))
    figures = {"area": Plain(ch.params.area_name)}
    if shown:
        first, last = cells[shown[0]]["share"], cells[shown[-1]]["share"]
        alt_text = Text(alt + " It was {first} in " f"{shown[0]} and " "{last} in " f"{shown[-1]}.",
                        {**figures, "first": first, "last": last}, Text(alt, figures))
    else:
        alt_text = Text(alt, figures)
    r.add("subsequent_chart", Chart(
        draw_subsequent, frame_of(records), "Newborns in care proceedings who are subsequent infants, by financial "
                                            "year (bars: 95% confidence intervals)", alt_text,
        options={"ylabel": "% of newborns in proceedings", "england": england,
                 "national_label": national["label"] if national else ""},
        note=f"Years whose share rests on fewer than {ch.min_count} babies, or would reveal them, are not drawn "
             "(c in the data below).", download="subsequent-by-year",
        title=Text(f"In {shown[-1]}, " "{last} of newborns in care proceedings in {area} had a mother with earlier "
                   "proceedings about an older child", {"last": cells[shown[-1]]["share"], **figures})
        if shown else ""))


def _comparison_table(r: ChapterResult, ch: Chapter, cells: dict) -> None:
    column = "Subsequent infants among newborns"
    records = []
    # England's figure covers 2012/13 to 2016/17: the same years here, where the data reach them.
    same = [y for y in ENGLAND_YEARS if y in cells]
    if same:
        span = f"sum of {same[0]} to {same[-1]}"
        newborns = Count(key("proceedings", "newborns", span), sum(cells[y]["newborns"].value for y in same))
        subsequent = Count(key("recurrence", "subsequent infants", span), sum(cells[y]["subsequent"].value for y in same))
        r.relate(newborns, [cells[y]["newborns"] for y in same], "newborns in England's years add up from the years")
        r.relate(subsequent, [cells[y]["subsequent"] for y in same],
                 "subsequent infants in England's years add up from the years")
        records.append({"Area": Plain(ch.params.area_name), "Years": f"{same[0]} to {same[-1]}",
                        column: Share.of(subsequent, newborns)})
    records.append({"Area": Plain(ch.params.area_name), "Years": "the whole report period",
                    column: cells["all"]["share"]})
    for figure_id, area, years in (("england_subsequent_infants_2012_17", "England", "2012/13 to 2016/17"),
                                   ("wales_subsequent_infants_2016_18", "Wales (babies under two weeks)", "2016 to 2018")):
        value = reference.value(figure_id)
        if value is not None:
            records.append({"Area": area, "Years": years, column: pct(value)})
    r.add("comparison_table", ResultTable(
        frame_of(records), "Subsequent infants among newborns in care proceedings: this area and the published figures",
        note="England: Broadhurst et al. (2018), Born into care. Wales: Alrouh et al. (2019), where a newborn is under "
             "two weeks old (a different definition). The published figures link mothers across all courts in the "
             "country; a local record sees only proceedings the area itself brought.",
        download="subsequent-comparison"))


# -- mothers of babies in pre-birth assessment -----------------------------------------

def _prebirth(r: ChapterResult, ch: Chapter) -> None:
    if not ch.data.has("assessments"):
        r.add("prebirth_table", not_yet(
            "how many pre-birth assessments are for mothers who were in care proceedings before.",
            ["the assessments table (each assessment's start date, and whether it was a pre-birth assessment)"],
            "every assessment with its start date; unborn babies' records with their mother's id. The CIN census "
            "return already holds assessment dates."))
        return
    rows = prebirth_rows(ch)
    cells = {}
    for p in periods(ch):
        part = rows if p == "all" else rows[rows["financial_year"] == p]
        babies = Count(key("prebirth_assessments", p), len(part))  # chapters 6 and 7: the same babies
        previous = Count(key("recurrence", "prebirth assessment", "mother had earlier proceedings", p),
                         int(part["previous"].sum()))
        unlinked = Count(key("recurrence", "prebirth assessment", "no mother linked", p),
                         int((~part["mother_known"]).sum()))
        first = r.hidden_count(key("recurrence", "prebirth assessment", "no earlier proceedings", p),
                               babies.value - previous.value)
        linked = r.hidden_count(key("recurrence", "prebirth assessment", "no earlier proceedings, mother linked", p),
                                r.implicit[first] - unlinked.value)
        for c in (babies, previous, unlinked):
            r.hidden_count(c.key, c.value)
        r.relate(babies, [previous.key, first], "babies in pre-birth assessment = mother had earlier proceedings + not")
        if unlinked.value:  # with none unlinked the relation says nothing
            r.relate(first, [unlinked.key, linked], "no earlier proceedings found = no mother linked + a mother linked")
        cells[p] = {"babies": babies, "previous": previous, "unlinked": unlinked, "share": Share.of(previous, babies)}
    years = [p for p in cells if p != "all"]
    for what in ("prebirth_assessments", "recurrence|prebirth assessment|mother had earlier proceedings",
                 "recurrence|prebirth assessment|no earlier proceedings",
                 "recurrence|prebirth assessment|no mother linked",
                 "recurrence|prebirth assessment|no earlier proceedings, mother linked"):
        r.relate_periods(f"{what}|all", [f"{what}|{p}" for p in years], "babies in pre-birth assessment by year "
                         "against the whole period")
    for p, c in cells.items():
        if c["babies"].value:
            r.indicator("prebirth_assessments_previous_proceedings_share", p, c["share"], method=SHARE_METHOD)
    total = cells["all"]
    if total["babies"].value == 0:
        r.add("prebirth_table", Notice("There were no pre-birth assessments in the report period."))
        return
    r.glue["ch2_prebirth_previous_share_all"] = total["share"]
    r.finding("{share} of babies with a pre-birth assessment had a mother who had been in care proceedings before.",
              "prebirth_assessments_previous_proceedings_share", share=total["share"])
    records = [{"Year": _year(p), "Babies with a pre-birth assessment": c["babies"],
                "Mother had earlier proceedings (95% CI)": c["share"], "No mother linked": c["unlinked"]}
               for p, c in cells.items()]
    r.add("prebirth_table", ResultTable(
        frame_of(records), "Babies with a pre-birth assessment whose mother had been in care proceedings about another "
                           "child before the assessment started, by financial year",
        note="Each baby counts once, at their first pre-birth assessment in the period (started before the birth, or "
             "recorded as pre-birth). Earlier proceedings at any date count. c = fewer than "
             f"{ch.min_count} babies, or a share that would reveal them.", download="prebirth"))


# -- from earlier proceedings to the next referral ------------------------------------------

def _months(r: ChapterResult, ch: Chapter) -> None:
    if not ch.data.has("referrals"):
        r.add("months_table", not_yet("how long after earlier proceedings a mother's next baby is referred.",
                                      ["the referrals table (the date of each referral, pre-birth referrals included)"],
                                      "the date of every referral, including referrals of unborn babies."))
        return
    rows = months_rows(ch)
    counts = {}
    for p in periods(ch):
        part = rows if p == "all" else rows[rows["financial_year"] == p]
        counts[p] = Count(key("recurrence", "referred after earlier proceedings", p), len(part))
        r.hidden_count(counts[p].key, counts[p].value)
        if len(part):
            result = median_ci(part["months"])
            median = Measure(result["median"], on=(counts[p],), lower=result["lower"], upper=result["upper"],
                             unit="months", digits=0, denominator=counts[p])
            r.indicator("months_previous_to_referral_median", p, median, unit="months", method=MEDIAN_METHOD)
            if p == "all":
                r.glue["ch2_months_median"] = Text("{median} months", {"median": median})
                r.finding("Where a mother had earlier proceedings, her next baby was referred a median of {median} "
                          "months after them.", "months_previous_to_referral_median", median=median)
                interval = " (95% confidence interval {median:interval} months)" if pd.notna(result["lower"]) else ""
                r.add("months_median", Text("The median time was {median} months" + interval + ".",
                                            {"median": median}, "The median time is not shown: it rests on too few "
                                                                "babies."))
    r.relate_periods(counts["all"], [counts[p] for p in counts if p != "all"],
                     "babies referred after earlier proceedings by year against the whole period")
    if rows.empty:
        r.add("months_table", Notice("No baby referred before birth in the period had a mother with earlier "
                                     "proceedings recorded."))
        return
    total = counts["all"]
    bands = []
    for low, high, label in MONTH_BANDS:
        value = int(((rows["months"] >= low) & (rows["months"] < high)).sum())
        bands.append((label, Count(key("recurrence", "referred after earlier proceedings", "all", label), value)))
    r.relate(total, [c for _, c in bands], "babies by time since the earlier proceedings add up to all of them")
    records = [{"Time since the earlier proceedings": label, "Babies": c,
                "Share": Text("{share}", {"share": Share.of(c, total)}, "c")} for label, c in bands]
    records.append({"Time since the earlier proceedings": "All", "Babies": total, "Share": "100%"})
    r.add("months_table", ResultTable(
        frame_of(records), "Time from the mother's most recent earlier proceedings to the new baby's pre-birth referral",
        note="Babies referred before birth in the report period whose mother had been in care proceedings about "
             "another child before the referral; each baby once, at their first pre-birth referral. The median's "
             f"range is a 95% confidence interval. c = fewer than {ch.min_count} babies, or a number that would "
             "reveal them.", download="months"))


# -- how soon mothers return -------------------------------------------------------------

def draw_returns(data: pd.DataFrame, min_count: int, none_back: list):
    """The share of mothers back in proceedings at 1, 2, 3, 5 and 7 years, as steps from 0 at the start
    (per cent, 95% band); withheld points are absent; ``none_back``: the years by which no mother was back."""
    share = "Mothers back in proceedings (95% CI)"
    years = data["Within"].str.split().str[0].astype(float)
    data = data.copy()
    for column in (share, f"{share}_lower", f"{share}_upper"):
        data.loc[years.isin(none_back).to_numpy(), column] = 0.0
    frame = pd.DataFrame({"Years": [0.0, *years], "Series": "Mothers returned with another child",
                          "Per cent": [0.0, *(data[share] * 100)], "Lower": [0.0, *(data[f"{share}_lower"] * 100)],
                          "Upper": [0.0, *(data[f"{share}_upper"] * 100)]})
    fig = charts.step_curves(frame, "Years", "Per cent", "Series", "Years since the mother's first proceedings in the "
                             "period", "% of mothers back in proceedings with another child", "Lower", "Upper",
                             references=[{"x": 2, "label": "2 years"}, {"x": 7, "label": "7 years"}])
    upper = frame["Upper"].iloc[1:]
    fig.axes[0].set_ylim(0, max(10, float(np.nanmax(upper)) * 1.15) if upper.notna().any() else 100)
    if frame["Per cent"].iloc[1:].isna().all():
        fig.axes[0].text(0.5, 0.5, f"Not shown: fewer than {min_count} mothers, or a number that would reveal them",
                         transform=fig.axes[0].transAxes, ha="center", va="center")
    return fig


def _returns(r: ChapterResult, ch: Chapter) -> None:
    m = mother_returns(ch)
    if len(m) == 0 or m["returned"].sum() == 0:
        r.add("return_chart", Notice("There are too few mothers with proceedings in the period, or none has returned "
                                     "yet, to show how soon mothers return."))
        return
    summary = return_summary(ch)
    mothers = Count(key("recurrence", "mothers followed", "all"), len(m))
    r.hidden_count(mothers.key, mothers.value)
    records, points, before = [], {}, None
    for _, row in summary.iterrows():
        y = int(row["years"])
        followed = Count(key("recurrence", "mothers followed", f"{y} years"), int(row["followed"]))
        returned = r.hidden_count(key("recurrence", "mothers returned", f"within {y} years"), int(row["returned"]))
        censored = r.hidden_count(key("recurrence", "mothers no longer followed", f"within {y} years"),
                                  int(row["censored"]))
        between = r.hidden_count(key("recurrence", "mothers returned", f"{before or 0} to {y} years"),
                                 int(row["between"]))
        r.hidden_count(followed.key, followed.value)
        if mothers.value == followed.value + int(row["returned"]) + int(row["censored"]):
            r.relate(mothers, [followed.key, returned, censored], "mothers = still followed + returned + no longer "
                                                                  "followed")
        r.relate(returned, [key("recurrence", "mothers returned", f"within {before} years"), between]
                 if before else [between], "mothers returned by then = returned by the previous point + since")
        # A point rests on the mothers back by then, the mothers still followed, the returns since the
        # previous point (a reader can difference two points) and all the mothers followed.
        on = (Count(returned, int(row["returned"])), followed, Count(between, int(row["between"])), mothers)
        point = Measure(row["returned_share"], on=on, lower=row["lower"], upper=row["upper"], unit="proportion",
                        digits=0)
        points[y] = point
        # none back yet: said as "none" (and drawn at 0), whatever else is withheld
        records.append({"Within": f"{y} year" + ("" if y == 1 else "s"),
                        "Mothers back in proceedings (95% CI)": point if int(row["returned"]) else "none",
                        "Mothers followed this long": followed})
        before = y
    texts = {y: points[y] for y in (2, 7) if y in points and int(summary.set_index("years").loc[y, "returned"])}
    for y, point in texts.items():
        r.glue[f"ch2_returned_within_{y}_years"] = point
    said = {2: "{two} within 2 years", 7: "{seven} within 7 years"}
    names = {2: "two", 7: "seven"}
    chosen = list(texts)

    def sentence(template: str, years: list, otherwise=None) -> Text:
        return Text(template.replace("{said}", " and ".join(said[y] for y in years)),
                    {names[y]: texts[y] for y in years}, otherwise)

    # The national "one in five" links mothers across every court; a local record sees only this area's own
    # proceedings, so the two are never set side by side without saying so.
    finding = ("Mothers back in care proceedings with another child after their first proceedings here: {said}. "
               "In England about one in five mothers returns within seven years (Broadhurst et al.), but these "
               "records do not include proceedings brought by other areas, so the local figure is likely to be "
               "lower than the true one.")
    if chosen:
        otherwise = None
        if len(chosen) == 2:  # one of the two withheld: say the other
            otherwise = sentence(finding, [2], sentence(finding, [7]))
        found = sentence(finding, chosen, otherwise)
        r.finding(found.template, "", found.otherwise, main=True, **found.figures)
    base = ("Step chart of the percentage of {mothers} mothers who were back in care proceedings with another child, "
            "against years since their first proceedings in the period, with a 95% band")
    # the alt text says what it can: both figures, else the one shown, else only how many mothers
    alt = Text(base + ".", {"mothers": mothers}, base.replace("{mothers} ", "") + ".")
    tries = [[7], [2], chosen] if len(chosen) == 2 else [chosen] if chosen else []
    for years in tries:  # innermost first: the last is said when nothing is withheld
        alt = Text(base + ": " + "; ".join(said[y] for y in years) + ".",
                   {"mothers": mothers, **{names[y]: texts[y] for y in years}}, alt)
    r.add("return_chart", Chart(
        draw_returns, frame_of(records), "How soon mothers return to care proceedings with another child", alt,
        options={"min_count": ch.min_count, "none_back": [int(y) for y in summary.loc[summary["returned"] == 0, "years"]]},
        note="Mothers whose first recorded proceedings were issued in the report period, followed until their next "
             "proceedings about a child not in that first set, or until the data end. Mothers followed for a shorter "
             "time count for as long as they were followed. The estimate is shown at 1, 2, 3, 5 and 7 years; where "
             f"it rests on fewer than {ch.min_count} mothers, or would reveal a few, it is not drawn.",
        analyst_note="A Kaplan-Meier estimate: mothers followed for a shorter time are censored when their data end.",
        download="returns"))


# -- do babies assessed before birth, whose mother had earlier proceedings, come to court? ----------

OUTCOME_GROUPS = (("previous", "Mother had earlier proceedings"), ("none", "No earlier proceedings found"),
                  ("all", "All babies followed"))


def _prebirth_outcomes(r: ChapterResult, ch: Chapter) -> None:
    """Babies with a pre-birth assessment, followed to their first birthday: the share in care proceedings by
    then, where the mother had earlier proceedings and where she had none (the whole period)."""
    if not ch.data.has("assessments"):
        return  # the pre-birth table already says what to record
    rows = prebirth_outcomes(ch)
    followed = rows[rows["followed"]]
    if followed.empty:
        r.add("prebirth_outcome_table", Notice("No baby with a pre-birth assessment in the period has reached their "
                                               "first birthday by the time the data end, so it is too soon to say "
                                               "how many came into care proceedings."))
        return
    parts = {"previous": followed[followed["previous"]], "none": followed[~followed["previous"]], "all": followed}
    babies = {g: Count(key("recurrence", "prebirth assessment followed to age one", g), len(part))
              for g, part in parts.items()}
    court = {g: Count(key("recurrence", "prebirth assessment followed to age one", g, "in proceedings"),
                      int(part["proceedings"].sum())) for g, part in parts.items()}
    r.relate(babies["all"], [babies["previous"], babies["none"]], "babies followed = earlier proceedings + none")
    r.relate(court["all"], [court["previous"], court["none"]], "babies in proceedings = earlier proceedings + none")
    shares = {g: Share.of(court[g], babies[g]) for g in parts}
    for g, _ in OUTCOME_GROUPS:
        if babies[g].value:
            r.indicator("prebirth_assessment_to_proceedings_share", "all", shares[g],
                        group={"previous": "mother had earlier proceedings", "none": "no earlier proceedings",
                               "all": ""}[g], method=SHARE_METHOD)
    records = [{"Babies with a pre-birth assessment": label, "Babies followed to their first birthday": babies[g],
                "In care proceedings before their first birthday": court[g],
                "Share (95% CI)": shares[g] if babies[g].value else "none"} for g, label in OUTCOME_GROUPS]
    r.add("prebirth_outcome_table", ResultTable(
        frame_of(records), "Babies with a pre-birth assessment who came into care proceedings before their first "
                           "birthday, by whether their mother had been in care proceedings before",
        note="Babies whose first pre-birth assessment started in the report period and whose first birthday (from "
             "the birth, or the expected birth) came before the data end, so that each had a whole first year in "
             "which to come to court. Proceedings count when issued on or after the assessment started. 'No earlier "
             "proceedings found' includes babies with no mother linked, and mothers whose earlier proceedings were "
             f"in another area. c = fewer than {ch.min_count} babies, or a number that would reveal them.",
        download="prebirth-to-proceedings"))
    if babies["previous"].value and babies["none"].value:
        r.glue["ch2_prebirth_to_court_previous"] = shares["previous"]
        r.glue["ch2_prebirth_to_court_none"] = shares["none"]
        r.finding("Where the mother had been in care proceedings before, {previous} of babies with a pre-birth "
                  "assessment ({previous:one_in}) were in care proceedings before their first birthday, against "
                  "{none} where she had not.", "prebirth_assessment_to_proceedings_share", main=True,
                  previous=shares["previous"], none=shares["none"])


# -- the contrast: half of newborns in court, a small part of pre-birth work ------------------------------

def _contrast(r: ChapterResult, ch: Chapter) -> None:
    """Subsequent infants among newborns in proceedings set against mothers with earlier proceedings among
    babies in pre-birth assessment: the two shares answer different questions, and their gap is the finding."""
    newborns, prebirth = r.glue.get("ch2_subsequent_share_all"), r.glue.get("ch2_prebirth_previous_share_all")
    if not isinstance(newborns, Share) or not isinstance(prebirth, Share):
        return
    figures = {"newborns": newborns, "prebirth": prebirth}
    if newborns.lower > prebirth.upper:  # the intervals do not overlap: a real gap, said plainly
        template = ("Mothers who had been in care proceedings before were the mothers of only {prebirth} of babies "
                    "with a pre-birth assessment, but of {newborns} of newborns in care proceedings. They are a small "
                    "part of pre-birth work and a large part of the babies who come to court: their babies are far "
                    "more likely to go to court, and some may not have had a pre-birth assessment at all.")
    else:
        template = ("Mothers who had been in care proceedings before were the mothers of {prebirth} of babies with a "
                    "pre-birth assessment and of {newborns} of newborns in care proceedings: these data show no clear "
                    "difference between the two.")
    if "ch2_prebirth_to_court_previous" in r.glue:
        figures.update(previous=r.glue["ch2_prebirth_to_court_previous"], none=r.glue["ch2_prebirth_to_court_none"])
        template += (" Of babies assessed before birth, {previous} whose mother had earlier proceedings were in care "
                     "proceedings before their first birthday, against {none} of the others.")
        otherwise = Text(template.split(" Of babies assessed")[0], {"newborns": newborns, "prebirth": prebirth})
    else:
        otherwise = None
    r.add("contrast", Notice([Text(template, figures, otherwise)]))
    # the main point says the contrast; the babies' route to court is a main point of its own
    r.finding(template.split(" Of babies assessed")[0], "", main=True, newborns=newborns, prebirth=prebirth)


# -- support between proceedings ----------------------------------------------------------------------

def _separation_support(r: ChapterResult, ch: Chapter) -> None:
    """Support after separation (``support.kind = post_separation``) for mothers whose child was removed by
    their first proceedings in the period: recorded at all, before the next pregnancy, before a return."""
    table = separation_support(ch)
    if table is None:
        r.add("separation_support_table", not_yet(
            "whether mothers were offered support after their child was removed, before another pregnancy.",
            ["the final outcome of each set of proceedings (proceedings.final_outcome)"],
            "the final order of each set of proceedings, and each offer of support after separation (support.kind "
            "post_separation) with the mother's id and the date it was offered."))
        return
    if not ch.data.has("support"):
        r.add("separation_support_table", not_yet(
            "whether mothers were offered support after their child was removed, before another pregnancy.",
            ["the support table (each offer of support, its kind and date)"],
            "each offer of support after separation (support.kind post_separation), with the mother's id "
            "(support.parent_id) and the date it was offered."))
        return
    if table.empty:
        r.add("separation_support_table", Notice("No mother's first proceedings in the period have ended with her "
                                                 "child living apart from her, so there is no support after "
                                                 "separation to follow yet."))
        return
    n = separation_support_counts(table)
    c = {name: Count(key("recurrence", "separated mothers", name), value) for name, value in n.items()}
    unsupported = r.hidden_count(key("recurrence", "separated mothers", "no support recorded"),
                                 n["mothers"] - n["supported"])
    r.relate(c["mothers"], [c["supported"], unsupported], "mothers = support recorded + none recorded")
    r.relate(c["next_baby"], [c["before_pregnancy"], c["during_pregnancy"], c["none_before_birth"]],
             "mothers with another baby = support before the pregnancy + during it + none before the birth")
    not_before = r.hidden_count(key("recurrence", "separated mothers", "no support before the return"),
                                n["returned"] - n["supported_before_return"])
    r.relate(c["returned"], [c["supported_before_return"], not_before],
             "mothers back in court = support before the return + not")
    share = lambda num, den: Share.of(c[num], c[den]) if c[den].value else "none"  # noqa: E731
    rows = (("Mothers whose child was removed by their first proceedings in the period", "mothers", None, ""),
            ("Offered support after separation (recorded at any time after the proceedings began)", "supported",
             "mothers", "of these mothers"),
            ("Had another baby afterwards", "next_baby", "mothers", "of these mothers"),
            ("... offered support after separation before that pregnancy began", "before_pregnancy", "next_baby",
             "of mothers with another baby"),
            ("... offered it only during the pregnancy", "during_pregnancy", "next_baby", "of mothers with another baby"),
            ("... not offered it before the birth", "none_before_birth", "next_baby", "of mothers with another baby"),
            ("Back in care proceedings with another child", "returned", "mothers", "of these mothers"),
            ("... offered support after separation before they returned", "supported_before_return", "returned",
             "of mothers back in court"))
    records = [{"Mothers": label, "Number": c[num], "Share (95% CI)": share(num, den) if den else "",
                "Share of": of} for label, num, den, of in rows]
    r.add("separation_support_table", ResultTable(
        frame_of(records), "Support after separation for mothers whose child was removed, and whether it came before "
                           "another pregnancy or another set of proceedings",
        note="Mothers whose first recorded care proceedings were issued in the report period and ended with a child "
             "living apart from them (a care, placement or special guardianship order). Support after separation is "
             "an offer recorded with the kind post_separation, to the mother or on her child's record, on or after "
             f"the day her proceedings were issued. A pregnancy is taken to begin {PREGNANCY_DAYS // 7} weeks before "
             "the baby's expected date of birth (or the birth, when no expected date is recorded). Support offered "
             "by other services, or not recorded, is not seen here. "
             f"c = fewer than {ch.min_count} mothers, or a number that would reveal them.",
        download="support-after-separation"))
    supported = share("supported", "mothers")
    r.glue["ch2_separation_support"] = supported if isinstance(supported, Share) else None
    first = ("Support after separation was recorded for {supported} of mothers whose child was removed by their "
             "first proceedings in the period ({supported:one_in})")
    if c["next_baby"].value:
        before = share("before_pregnancy", "next_baby")
        r.finding(first + "; of the {babies} who had another baby, {before} were offered it before that pregnancy "
                  "began.", "", Text(first + ".", {"supported": supported}), main=True, supported=supported,
                  babies=c["next_baby"], before=before)
    else:
        r.finding(first + ".", "", main=True, supported=supported)
