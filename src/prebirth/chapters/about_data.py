"""Chapter 0: About your data: what can you answer now?"""

from __future__ import annotations

import pandas as pd

from .common import Chapter, Notice, Table, count, pct
from .requirements import QUESTIONS, Question

STATUS_CAN, STATUS_PARTLY, STATUS_NOT_YET = "can answer", "partly", "not yet"
COMPLETE_ENOUGH = 0.8  # a field filled in for at least 80% of rows counts as recorded


def field_completeness(chapter: Chapter, table: str, field: str, scope: str = "all") -> float | None:
    """Share of rows with the field filled in; None when the table or column is absent.

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
        return float(frame[field].notna().mean())
    # Several questions need the same field: it is counted once.
    return chapter.memo(f"about_data:completeness:{table}.{field}:{scope}", compute)


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


def sources_table(chapter: Chapter) -> Table:
    """The files read, what each held and what each cannot provide."""
    rows = [{"File": s.path, "What it holds": s.label, "Tables": ", ".join(s.tables),
             "What it cannot provide": "; ".join(s.cannot_provide) or "-"} for s in chapter.data.sources]
    frame = pd.DataFrame(rows, columns=["File", "What it holds", "Tables", "What it cannot provide"])
    return Table(frame, "Files read for this book")


def tables_summary(chapter: Chapter) -> Table:
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
        rows.append({"Table": name, "Rows": count(len(frame)),
                     "Earliest date": _month(stacked.min()), "Latest date": _month(stacked.max())})
    return Table(pd.DataFrame(rows), "The canonical tables supplied (dates shown to the month)",
                 note="Dates of birth are left out of these ranges: the earliest or latest would point at one person.")


def _month(value) -> str:
    return "" if pd.isna(value) else value.strftime("%b %Y")


def status_table(chapter: Chapter) -> Table:
    """For every chapter: the tables and fields it needs, their completeness and a status."""
    rows = []
    for result in statuses(chapter):
        q = result["question"]
        fields = "; ".join(
            f"{f['table']}.{f['field']} {'(not supplied)' if f['completeness'] is None else pct(f['completeness'])}"
            + (" of babies referred before birth" if f["scope"] == "prebirth" and f["completeness"] is not None else "")
            for f in result["fields"])
        to_record = "; ".join(n.record for n in result["missing"] + result["partly"]) or "-"
        rows.append({"Chapter": f"{q.chapter}. {q.title}", "Status": result["status"],
                     "Fields used (share filled in)": fields, "What to record to answer it routinely": to_record})
        chapter.status[q.key] = result["status"]
    chapter.finding(
        f"{sum(r['Status'] == STATUS_CAN for r in rows)} of {len(rows)} questions can be answered in full from the data supplied.")
    return Table(pd.DataFrame(rows), "What each chapter can answer from your data")


def status_summary(chapter: Chapter) -> Notice:
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


def warnings_table(chapter: Chapter) -> Table | Notice:
    """The data-quality warnings found while reading the data (never child-level values)."""
    warnings = chapter.data.warnings + chapter.benchmarks.problems
    if not warnings:
        return Notice("No data-quality warnings were found.", kind="ok")
    grouped = {}
    for w in warnings:
        message, rows = w.message, 1
        if "more rows with the same problem (" in message:
            rows = int(message.split()[0])
            message = message.split("(", 1)[1].rstrip(")")
        entry = grouped.setdefault((w.file, w.column or "", message), {"rows": 0, "fix": w.fix})
        entry["rows"] += rows
    frame = pd.DataFrame([{"File": f, "Field": c, "What we noticed": m, "Rows": _rows(v["rows"], chapter),
                           "What to check": v["fix"]} for (f, c, m), v in grouped.items()])
    return Table(frame, "Data-quality warnings (the book was still built)",
                 note="Row numbers are in the validation report (prebirth validate), not in the published book.")


def _rows(n: int, chapter: Chapter) -> str:
    """Row counts of warnings are about records, but small ones are still withheld when published."""
    return count(n, suppressed=chapter.published and 0 < n < chapter.min_count)
