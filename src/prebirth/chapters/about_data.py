"""Chapter 0: About your data: what can you answer now?

The completeness of each field (the share of a table's rows with it filled in) is a
share of counts of records, not of people, but a small table, or a field missing for a
few rows, can still point at a few families: each is a :class:`~prebirth.results.Share`
of ``key("completeness", table, field)`` over the table's rows, ``key("records", table)``
(for babies referred or assessed before birth: ``key("completeness", "children", field,
"prebirth")`` over ``key("records", "children", "prebirth")``). The data-quality warnings
are written by the data layer with identifiers withheld (``AreaData.for_publication``);
they are text from the inputs, shown escaped.

:func:`compute` returns everything the chapter publishes as a
:class:`~prebirth.results.ChapterResult`; the book's disclosure step decides what is withheld.
"""

from __future__ import annotations

import functools

import pandas as pd

from ..results import ChapterResult, Count, Notice, Plain, ResultTable, Share, Text, Verdict, frame_of, key
from .common import Chapter, Prepared
from .requirements import AUDITS, QUESTIONS, Question

NUMBER, KEY, TITLE = 0, "about_your_data", "About your data: what can you answer now?"
STATUS_CAN, STATUS_PARTLY, STATUS_NOT_YET = "can answer", "partly", "not yet"
COMPLETE_ENOUGH = 0.8  # a field filled in for at least 80% of rows counts as recorded

# Small numbers (decided once the book's disclosure step has run). A question the data can answer
# is shown as STATUS_SMALL when MORE THAN HALF of its chapter's headline figures by year are
# withheld: the area's own yearly values of the indicators below (DESIGN 7's baseline ids; for
# chapter 3, its legal routes and pre-proceedings shares), each (indicator, groups) with groups
# None for any group. Whole-period figures and comparator areas' rows do not count.
STATUS_SMALL = "partly: numbers too small to show by year"
MOSTLY_WITHHELD = 0.5
HEADLINE_INDICATORS: dict[int, tuple[tuple[str, tuple | None], ...]] = {
    1: tuple((i, ("",)) for i in ("proceedings_children", "infants_share", "newborns_share_of_infants",
                                  "newborn_rate_per_10k_births", "infant_rate_per_10k_births",
                                  "infant_starters_share")),
    2: tuple((i, ("",)) for i in ("newborns_subsequent_share", "prebirth_assessments_previous_proceedings_share",
                                  "months_previous_to_referral_median")),
    3: (("infant_starters_route_share", None), ("newborns_pre_proceedings_share", ("",))),
    4: tuple((i, ("", "pre-birth")) for i in ("days_referral_to_assessment_median",
                                              "days_assessment_to_authorisation_median",
                                              "days_referral_to_support_median", "gestation_weeks_at_referral_median",
                                              "referred_by_20_weeks_share")),
    5: tuple((i, ("newborns",)) for i in ("hearing_same_day_share", "hearing_emergency_share",
                                          "hearing_within_7_days_share")),
    6: tuple((i, ("",)) for i in ("mothers_under_20_share", "parents_care_experienced_share",
                                  "factor_mental_health_share", "factor_domestic_abuse_share",
                                  "factor_substance_share", "factor_learning_disability_share")),
    7: tuple((i, ("",)) for i in ("fathers_recorded_share", "fathers_assessed_share", "fathers_in_plan_share",
                                  "fathers_at_fgc_share")),
}


# -- the analysis ----------------------------------------------------------------------

def field_counts(chapter: Chapter, table: str, field: str, scope: str = "all") -> tuple[int, int] | None:
    """(rows with the field filled in, rows); None when the table or column is absent or has no rows.

    With scope "prebirth" only babies referred or assessed before birth (or still unborn)
    count: an expected date of birth or a father's id is only expected for them.
    """
    def compute():
        frame = chapter.data.get(table)
        if frame is None or field not in frame or frame.empty:
            return None
        if scope == "prebirth" and table == "children":
            frame = frame[frame["child_id"].isin(prebirth_child_ids(chapter))]
            if frame.empty:
                return None
        return int(frame[field].notna().sum()), len(frame)
    # Several questions need the same field: it is counted once.
    return chapter.memo(f"about_data:completeness:{table}.{field}:{scope}", compute)


def field_completeness(chapter: Chapter, table: str, field: str, scope: str = "all") -> float | None:
    """Share of rows with the field filled in; None when the table or column is absent."""
    counts = field_counts(chapter, table, field, scope)
    return None if counts is None else counts[0] / counts[1]


def prebirth_child_ids(chapter: Chapter) -> set:
    """Children with a referral or assessment dated before their birth, or still unborn."""
    from ..definitions import is_prebirth

    def compute():
        children = chapter.data.get("children")
        dob = children.set_index("child_id")["date_of_birth"]
        ids = set()
        for table, column in (("referrals", "referral_date"), ("assessments", "start_date")):
            events = chapter.data.get(table)
            if events is not None and not events.empty:
                early = is_prebirth(events[column], events["child_id"].map(dob))
                ids |= set(events.loc[early, "child_id"])
        return ids
    return chapter.memo("about_data:prebirth_child_ids", compute)


def question_status(chapter: Chapter, question: Question) -> dict:
    """Status of one question: can answer / partly / not yet, with what is missing."""
    missing, partly, rows = [], [], []
    for need in question.needs:
        for field in need.fields:
            share = field_completeness(chapter, need.table, field, need.scope)
            rows.append({"table": need.table, "field": field, "completeness": share, "essential": need.essential,
                         "scope": need.scope})
            if share is None or share == 0:
                (missing if need.essential else partly).append(need)
                break
            if share < COMPLETE_ENOUGH:
                partly.append(need)
                break
    status = STATUS_NOT_YET if missing else STATUS_PARTLY if partly else STATUS_CAN
    return {"question": question, "status": status, "missing": missing, "partly": partly, "fields": rows}


def statuses(chapter: Chapter) -> list[dict]:
    return chapter.memo("about_data:statuses", lambda: [question_status(chapter, q) for q in QUESTIONS])


def headline_cells(result: ChapterResult | None) -> tuple:
    """The chapter's headline figures by year (see ``HEADLINE_INDICATORS``): the cells whose
    withholding decides whether its numbers are too small to show by year."""
    if result is None:
        return ()
    wanted = HEADLINE_INDICATORS.get(result.number, ())
    out = []
    for row in result.indicators:
        if row.period == "all" or "/" not in str(row.period):
            continue
        for indicator, groups in wanted:
            if row.indicator == indicator and (groups is None or row.group in groups):
                out.append(row.cell)
                break
    return tuple(out)


def final_status(data_status: str, withheld: tuple) -> str:
    """The status a reader sees: the data's own, or STATUS_SMALL when more than half of the headline
    figures by year are withheld (``withheld``: one (withheld, of) pair). "not yet" stays "not yet"."""
    hidden, total = withheld[0] if withheld else (0, 0)
    if data_status != STATUS_NOT_YET and total and hidden / total > MOSTLY_WITHHELD:
        return STATUS_SMALL
    return data_status


def status_cell(data_status: str, result: ChapterResult | None) -> Verdict | str:
    """The status as a cell decided with the book (a plain word when there is nothing to decide)."""
    cells = headline_cells(result)
    return Verdict((cells,), functools.partial(final_status, data_status)) if cells else data_status


def _finals(data_statuses: tuple, withheld: tuple) -> list[str]:
    return [final_status(status, (pair,)) for status, pair in zip(data_statuses, withheld)]


def summary_words(titles: tuple, data_statuses: tuple, withheld: tuple) -> str:
    """'Your data can answer in full: ... It can answer in part: ... It cannot yet answer: ...'."""
    finals = _finals(data_statuses, withheld)
    can = [t for t, s in zip(titles, finals) if s == STATUS_CAN]
    partly = [t + (" (numbers too small to show by year)" if s == STATUS_SMALL else "")
              for t, s in zip(titles, finals) if s in (STATUS_PARTLY, STATUS_SMALL)]
    not_yet = [t for t, s in zip(titles, finals) if s == STATUS_NOT_YET]
    parts = []
    if can:
        parts.append(f"Your data can answer in full: {', '.join(can)}.")
    if partly:
        parts.append(f"It can answer in part: {', '.join(partly)}.")
    if not_yet:
        parts.append(f"It cannot yet answer: {', '.join(not_yet)}. The table below says what to record.")
    if any(s == STATUS_SMALL for s in finals):
        parts.append("A question marked 'numbers too small to show by year' has the fields it needs, but more than "
                     "half of its chapter's main yearly figures are withheld to protect families: its chapter shows "
                     "the whole period instead, and 'What needs more scrutiny' below suggests a case-file audit.")
    return " ".join(parts)


def full_count(data_statuses: tuple, withheld: tuple) -> str:
    """How many questions the data answer in full, once small numbers are accounted for."""
    return str(sum(s == STATUS_CAN for s in _finals(data_statuses, withheld)))


def _verdict_over(chapter: Chapter, upstream: dict | None, say) -> Verdict:
    results = statuses(chapter)
    groups = tuple(headline_cells((upstream or {}).get(r["question"].chapter)) for r in results)
    return Verdict(groups, functools.partial(say, tuple(r["status"] for r in results)))


# -- the chapter's cells ------------------------------------------------------------------

def records(table: str, value: int, scope: str = "all") -> Count:
    """The rows of a table (for scope "prebirth": the babies referred or assessed before birth)."""
    return Count(key("records", table) if scope == "all" else key("records", table, scope), value)


def completeness(chapter: Chapter, table: str, field: str, scope: str = "all") -> Share | None:
    """The share of a table's rows with the field filled in, as counts of records."""
    counts = field_counts(chapter, table, field, scope)
    if counts is None:
        return None
    parts = ("completeness", table, field) if scope == "all" else ("completeness", table, field, scope)
    return Share.of(Count(key(*parts), counts[0]), records(table, counts[1], scope))


def compute(prepared: Prepared, upstream: dict | None = None) -> ChapterResult:
    """Everything chapter 0 publishes, before disclosure."""
    ch = Chapter(NUMBER, KEY, prepared)
    r = ChapterResult(NUMBER, KEY, TITLE)
    r.prompts = ['Start with the table of what can be answered: which "not yet" surprises people?',
                 "Ask who in the room enters each missing field, and what would make it easier.",
                 "Agree one field to start recording routinely before the next workshop."]
    r.add("status_summary", _status_summary(ch, upstream))
    r.add("status_table", _status_table(r, ch, upstream))
    _scrutiny(r, ch, upstream)
    r.add("sources_table", _sources_table(ch))
    r.add("tables_summary", _tables_summary(ch))
    r.add("warnings_table", _warnings_table(ch))
    _main_points(r, ch)
    return r


def _main_points(r: ChapterResult, chapter: Chapter) -> None:
    """After the questions' count: how many kinds of record were supplied, and the warnings found."""
    from ..data.schema import TABLES

    supplied = sum(chapter.data.get(name) is not None for name in TABLES)
    # kinds of record (tables), not people: said as they are
    r.finding(f"{supplied} of the {len(TABLES)} kinds of record the book can use were supplied.", main=True)
    warnings = len(_warning_groups(chapter))  # kinds of problem, not rows
    r.finding("No data-quality problems were found while reading the data." if not warnings else
              f"{warnings} kind{'s' if warnings != 1 else ''} of data-quality problem "
              f"{'were' if warnings != 1 else 'was'} found while reading the data: they did not stop the book, but "
              "they can change its numbers.", main=True)


def _status_summary(chapter: Chapter, upstream: dict | None = None) -> Notice:
    results = statuses(chapter)
    titles = tuple(r["question"].title for r in results)
    say = functools.partial(summary_words, titles)
    return Notice([Text("{summary}", {"summary": _verdict_over(chapter, upstream, say)})])


def _fields_text(chapter: Chapter, fields: list[dict]) -> Text:
    """'children.date_of_birth 95%; ...': each share a figure.

    A Text is said whole or not at all, so when a share is withheld the row falls back to
    the same words with shares replaced by c, one at a time: first the shares resting on
    a small count (the ones a book withholds), then the others, until nothing withheld is left.
    """
    names, shares = [], {}
    for i, f in enumerate(fields):
        name = f"{f['table']}.{f['field']}"
        share = completeness(chapter, f["table"], f["field"], f["scope"])
        if share is None:
            names.append((f"{name} (not supplied)", None))
            continue
        scope = " of babies referred before birth" if f["scope"] == "prebirth" else ""
        shares[i] = share
        names.append((f"{name} {{f{i}}}{scope}", f"{name} c{scope}"))

    def small(share: Share) -> bool:
        rest = share.denominator.value - share.numerator.value
        return any(0 < n < chapter.min_count for n in (share.numerator.value, rest, share.denominator.value))

    order = sorted(shares, key=lambda i: not small(shares[i]))  # the shares most likely withheld first
    text = None
    for k in range(len(order), -1, -1):  # the last fallback first: every share as c
        hidden = set(order[:k])
        words = "; ".join(withheld if i in hidden and withheld else shown for i, (shown, withheld) in enumerate(names))
        figures = {f"f{i}": shares[i] for i in shares if i not in hidden}
        text = Text(words, figures, text) if figures else words
    return text if isinstance(text, Text) else Text(text)


def _status_table(r: ChapterResult, chapter: Chapter, upstream: dict | None = None) -> ResultTable:
    """For every chapter: the tables and fields it needs, their completeness and a status (the status
    decided with the book: a question whose yearly figures are mostly withheld is only partly answered)."""
    rows, fields = [], []
    for result in statuses(chapter):
        q = result["question"]
        to_record = "; ".join(n.record for n in result["missing"] + result["partly"]) or "-"
        rows.append({"Chapter": f"{q.chapter}. {q.title}",
                     "Status": status_cell(result["status"], (upstream or {}).get(q.chapter)),
                     "What to record to answer it routinely": to_record})
        fields.append({"Chapter": f"{q.chapter}. {q.title}",
                       "Fields used (share filled in)": _fields_text(chapter, result["fields"])})
        r.status[q.key] = result["status"]
    # the fields by their names in the data (children.mother_id): analyst detail, in a fold
    r.add("status_fields", ResultTable(frame_of(fields), "The fields each chapter uses, and how complete they are",
                                       analyst=True))
    r.finding("{n} of " + f"{len(rows)} questions can be answered in full from the data supplied, once numbers too "
              "small to show are accounted for.", main=True, n=_verdict_over(chapter, upstream, full_count))
    return ResultTable(frame_of(rows), "What each chapter can answer from your data",
                       note=f"'{STATUS_SMALL}': the fields are there, but more than half of the chapter's main figures "
                            "by year are withheld to protect families (counts under "
                            f"{chapter.min_count}, or figures that would reveal them).")


# -- what needs more scrutiny --------------------------------------------------------------

AUDIT_SAMPLE = 10  # babies in the suggested sample of case files
SAMPLE_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[:AUDIT_SAMPLE]


def scrutiny_words(data_status: str, missing: str, withheld: tuple) -> str:
    """Why a question needs a closer look (decided with the book)."""
    final = final_status(data_status, withheld)
    reasons = []
    if final == STATUS_SMALL:
        reasons.append("numbers too small to show by year")
    if data_status in (STATUS_PARTLY, STATUS_NOT_YET) and missing:
        reasons.append(f"fields missing or incomplete ({missing})")
    if reasons:
        return "Yes: " + "; ".join(reasons)
    return "Less pressing: the data answer it (an audit still checks the records are right)"


def audit_template(audit) -> pd.DataFrame:
    """The CSV an auditor fills in: one row per sampled case (lettered A, B, ...: a number there would read
    as a count of people) and field, the answers blank."""
    rows = [{"Sampled file": case, "Field to check": field, "Where to look in the case file": where,
             "Found in the file? (Y/N/unclear)": "", "Matches the recorded data? (Y/N)": "", "Notes": ""}
            for case in SAMPLE_LETTERS for field, where, _ in audit.fields]
    return pd.DataFrame(rows)


def _scrutiny(r: ChapterResult, chapter: Chapter, upstream: dict | None) -> None:
    rows = []
    for result in statuses(chapter):
        q = result["question"]
        audit = AUDITS.get(q.key)
        if audit is None:
            continue
        missing = ", ".join(dict.fromkeys(n.why for n in result["missing"] + result["partly"]))
        cells = headline_cells((upstream or {}).get(q.chapter))
        why = Verdict((cells,), functools.partial(scrutiny_words, result["status"], missing))
        rows.append({"Chapter": f"{q.chapter}. {q.title}", "Needs more scrutiny?": why,
                     "What a case-file audit checks": audit.summary})
        checklist = frame_of([{"Field to check": field, "Where to look in the case file": where, "Why": why_}
                              for field, where, why_ in audit.fields])
        r.add(f"audit_{q.key}", ResultTable(
            checklist, f"Case-file audit: {q.title.lower()}",
            note=f"Take a sample of {AUDIT_SAMPLE} babies from the report period (at random, or every baby in the "
                 "years whose figures are withheld) and check each field against the case file. The CSV template "
                 f"has one row per case and field for {AUDIT_SAMPLE} cases; keep case references in your own copy "
                 "only, never in a published report.",
            download=f"audit-{q.key}", download_frame=audit_template(audit)))
    r.add("scrutiny_table", ResultTable(
        frame_of(rows), "What needs more scrutiny: where the data are thin or withheld",
        note="A question needs more scrutiny when its fields are missing or incomplete, or when more than half of its "
             "chapter's main yearly figures are withheld. A short audit of case files tells you whether the gap is in "
             "the work or only in the records. Each question's checklist and CSV template follow."))


def _sources_table(chapter: Chapter) -> ResultTable:
    """The files read, what each held and what each cannot provide."""
    rows = [{"File": Plain(s.path), "What it holds": Plain(s.label), "Tables": ", ".join(s.tables),
             "What it cannot provide": Plain("; ".join(s.cannot_provide) or "-")} for s in chapter.data.sources]
    frame = frame_of(rows) if rows else pd.DataFrame(columns=["File", "What it holds", "Tables",
                                                              "What it cannot provide"])
    return ResultTable(frame, "Files read for this book")


def _tables_summary(chapter: Chapter) -> ResultTable:
    """Rows and date range of each canonical table supplied (dates of birth are never shown:
    the earliest or latest one would point at one person)."""
    from ..data.schema import TABLES

    rows = []
    for name, table in TABLES.items():
        frame = chapter.data.get(name)
        if frame is None:
            rows.append({"Table": name, "Rows": "not supplied", "Earliest date": "", "Latest date": ""})
            continue
        dates = [frame[c.name] for c in table.columns
                 if c.kind == "date" and c.name in frame and "birth" not in c.name]
        stacked = pd.concat(dates) if dates else pd.Series(dtype="datetime64[ns]")
        rows.append({"Table": name, "Rows": records(name, len(frame)),
                     "Earliest date": _month(stacked.min()), "Latest date": _month(stacked.max())})
    return ResultTable(frame_of(rows), "The canonical tables supplied (dates shown to the month)",
                       note="Dates of birth are left out of these ranges: the earliest or latest would point at one "
                            "person.")


def _month(value) -> str:
    return "" if pd.isna(value) else value.strftime("%b %Y")


def _warning_groups(chapter: Chapter) -> dict:
    """The data-quality warnings by file, field and problem: how many rows each, and what to check."""
    grouped = {}
    for w in chapter.data.warnings + chapter.benchmarks.problems:
        message, rows = w.message, 1
        if "more rows with the same problem (" in message:
            rows = int(message.split()[0])
            message = message.split("(", 1)[1].rstrip(")")
        entry = grouped.setdefault((w.file, w.column or "", message), {"rows": 0, "fix": w.fix})
        entry["rows"] += rows
    return grouped


def _warnings_table(chapter: Chapter) -> ResultTable | Notice:
    """The data-quality warnings found while reading the data (never child-level values)."""
    grouped = _warning_groups(chapter)
    if not grouped:
        return Notice("No data-quality warnings were found.", kind="ok")
    # Rows with a warning are records, but a small number of them is still withheld when published.
    frame = frame_of([{"File": Plain(f), "Field": Plain(c), "What we noticed": Plain(m),
                       "Rows": Count(key("data_warning", f, c, m), v["rows"]), "What to check": Plain(v["fix"])}
                      for (f, c, m), v in grouped.items()])
    return ResultTable(frame, "Data-quality warnings (the book was still built)",
                       note="Row numbers are in the validation report (prebirth validate), not in the published book.")
