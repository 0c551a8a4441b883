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

import pandas as pd

from ..results import ChapterResult, Count, Notice, Plain, ResultTable, Share, Text, frame_of, key
from .common import Chapter, Prepared
from .requirements import QUESTIONS, Question

NUMBER, KEY, TITLE = 0, "about_your_data", "About your data: what can you answer now?"
STATUS_CAN, STATUS_PARTLY, STATUS_NOT_YET = "can answer", "partly", "not yet"
COMPLETE_ENOUGH = 0.8  # a field filled in for at least 80% of rows counts as recorded


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
    r.add("status_summary", _status_summary(ch))
    r.add("status_table", _status_table(r, ch))
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


def _status_summary(chapter: Chapter) -> Notice:
    results = statuses(chapter)
    can = [r["question"].title for r in results if r["status"] == STATUS_CAN]
    partly = [r["question"].title for r in results if r["status"] == STATUS_PARTLY]
    not_yet = [r["question"].title for r in results if r["status"] == STATUS_NOT_YET]
    parts = []
    if can:
        parts.append(f"Your data can answer in full: {', '.join(can)}.")
    if partly:
        parts.append(f"It can answer in part: {', '.join(partly)}.")
    if not_yet:
        parts.append(f"It cannot yet answer: {', '.join(not_yet)}. The table below says what to record.")
    return Notice(" ".join(parts))


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


def _status_table(r: ChapterResult, chapter: Chapter) -> ResultTable:
    """For every chapter: the tables and fields it needs, their completeness and a status."""
    rows = []
    for result in statuses(chapter):
        q = result["question"]
        to_record = "; ".join(n.record for n in result["missing"] + result["partly"]) or "-"
        rows.append({"Chapter": f"{q.chapter}. {q.title}", "Status": result["status"],
                     "Fields used (share filled in)": _fields_text(chapter, result["fields"]),
                     "What to record to answer it routinely": to_record})
        r.status[q.key] = result["status"]
    can = sum(row["Status"] == STATUS_CAN for row in rows)
    partly = sum(row["Status"] == STATUS_PARTLY for row in rows)
    # counts of the book's questions (not of people): said as they are
    r.finding(f"{can} of the book's {len(rows)} questions can be answered in full from the data supplied, "
              f"{partly} in part and {len(rows) - can - partly} not yet.", main=True)
    return ResultTable(frame_of(rows), "What each chapter can answer from your data")


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
