"""Chapter 9: About this report.

How the book was made, so anyone can check it and make it again: the parameters, each
input file with its SHA-256 checksum and the range of dates it holds (to the month, and
never a date of birth), the software and its versions, the git commit, when the chapters
ran, the definitions and the suppression rules in force. Nothing here is child-level.

:func:`compute` returns everything the chapter publishes as a
:class:`~prebirth.results.ChapterResult`. The records read from each file are counts under
chapter 0's keys (``key("records", table)``), withheld by the book's one decision; parameters,
file names and labels are input text (:class:`~prebirth.results.Plain`); what each chapter
published is counted from the other chapters' results (how many of their indicators the
decision withholds is a :class:`~prebirth.results.Tally`, known once the book has decided).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ..config import AreaParameters
from ..data.load import sha256_of
from ..data.schema import TABLES
from ..provenance import git_commit, git_dirty, software_versions
from ..results import (ChapterResult, Count, Measure, Notice, Plain, ResultTable, Share, Tally, Text, frame_of,
                       key)
from .common import Chapter, Prepared
from .reflect import chapter_titles

NUMBER, KEY, TITLE = 9, "about_this_report", "About this report"

# Dates of birth (and expected dates of birth) are personal: left out of every date range.
PERSONAL_DATES = ("date_of_birth", "expected_date_of_birth")
PATH_PARAMETERS = ("data", "benchmarks", "previous_indicators")


def long_date(date) -> str:
    """1 April 2014 (no leading zero)."""
    return f"{date.day} {date:%B %Y}"


def _describe_parameter(name: str) -> str:
    """The parameter's own description from the parameters model, or a plain one for the rest."""
    extra = {
        "area_name": "the area's name, as shown in the book",
        "country": "England or Wales (decides which national figures apply)",
        "region": "the area's region, where the benchmarks do not give it",
        "comparators": "the areas compared with: the DfE statistical neighbours, or a list of area codes",
        "period.start": "first day of the report period",
        "period.end": "last day of the report period",
        "newborn_days": "a baby is a newborn when aged under this many days at issue",
        "urgent_days.emergency": "a first hearing with notice under this many days is an emergency hearing",
        "urgent_days.short_notice": "a first hearing with notice of this many days or fewer is at short notice",
        "suppression.min_count": "counts from 1 to this number minus one are shown as c in a published book",
        "audience": "published (small numbers withheld) or internal (not for publication)",
        "events": "dated local changes drawn on trend charts and used as breakpoints",
        "sources": "file name -> kind of file, where detection needs help",
    }
    if name in extra:
        return extra[name]
    field = AreaParameters.model_fields.get(name)
    return (field.description or "") if field is not None else ""


def _flatten(settings: dict, prefix: str = "") -> list[tuple[str, object]]:
    items = []
    for key, value in settings.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value and key not in ("sources",):
            items += _flatten(value, name + ".")
        else:
            items.append((name, value))
    return items


def _show(name: str, value) -> str:
    if value is None or value == [] or value == {}:
        return "not set"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name in PATH_PARAMETERS:
        # Only the last part of a path: folders on the analyst's machine are not published.
        return Path(str(value)).name + ("/" if Path(str(value)).suffix == "" else "")
    if name == "events":
        return "; ".join(f"{e['date']}: {e['label']}" for e in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def parameters_table(ch: Chapter) -> ResultTable:
    """Every parameter of this build, with what it means (names and values are input text)."""
    settings = ch.params.model_dump(mode="json")
    rows = [{"Parameter": Plain(name), "Value": Plain(_show(name.split(".")[0], value)),
             "What it means": _describe_parameter(name)} for name, value in _flatten(settings)]
    frame = frame_of(rows).reindex(columns=["Parameter", "Value", "What it means"])
    source = ch.params.source_file.name if ch.params.source_file else "the parameters file"
    return ResultTable(frame, f"The parameters of this book ({source})", download="parameters",
                       note="Paths are shown by their last part only.")


def _file_rows(frame: pd.DataFrame, file_name: str) -> pd.DataFrame:
    """The rows read from one file (a workbook's sheets are named 'book.xlsx [sheet]')."""
    names = [n for n in pd.unique(frame["_file"]) if str(n) == file_name or str(n).startswith(file_name + " [")]
    return frame[frame["_file"].isin(names)]


def date_range(ch: Chapter, file_name: str, tables: list[str]) -> str:
    """The months (or years, or periods) covered by the rows read from one file; no dates of birth."""
    earliest, latest, years, periods, personal = [], [], [], [], False
    for name in tables:
        frame = ch.data.get(name)
        if frame is None or frame.empty or "_file" not in frame:
            continue
        rows = _file_rows(frame, file_name)
        if rows.empty:
            continue
        for column in TABLES[name].columns:
            if column.name not in rows:
                continue
            if column.name in PERSONAL_DATES:
                personal = personal or bool(rows[column.name].notna().any())
                continue
            if column.kind == "date":
                values = pd.to_datetime(rows[column.name], errors="coerce").dropna()
                if len(values):
                    earliest.append(values.min())
                    latest.append(values.max())
            elif name == "births" and column.name == "year":
                years += [int(v) for v in pd.to_numeric(rows["year"], errors="coerce").dropna()]
            elif name == "context" and column.name == "period":
                periods += [str(v) for v in rows["period"].dropna()]
    if earliest:
        return f"{min(earliest):%b %Y} to {max(latest):%b %Y}"
    if years:
        return f"{min(years)} to {max(years)} (calendar years)"
    if periods:
        return f"{min(periods)} to {max(periods)}"
    return "only dates of birth (not shown)" if personal else "no dates"


def records_read(ch: Chapter, source, r: ChapterResult | None = None) -> Count:
    """The records read from one file: chapter 0's count of the table's rows (``key("records", table)``)
    when the file holds the whole of one table; otherwise the file's own count (and, when a table's
    files each hold only it, the table's rows = the sum of its files' rows)."""
    tables = list(source.tables)
    if len(tables) == 1:
        frame = ch.data.get(tables[0])
        if frame is not None and len(frame) == source.rows and (
                "_file" not in frame or len(_file_rows(frame, source.path)) == len(frame)):
            return Count(key("records", tables[0]), source.rows)
    return Count(key("records", "file", source.path), source.rows)


def _relate_files(r: ChapterResult, ch: Chapter, counts: list[Count]) -> None:
    """A table read from several files (each of them only that table): its rows are their sum."""
    by_table: dict[str, list] = {}
    for source, count in zip(ch.data.sources, counts):
        if len(source.tables) == 1 and count.key != key("records", source.tables[0]):
            by_table.setdefault(source.tables[0], []).append((source, count))
    for table, files in by_table.items():
        frame = ch.data.get(table)
        alone = all(len(s.tables) == 1 for s in ch.data.sources if table in s.tables)
        if frame is not None and alone and sum(c.value for _, c in files) == len(frame):
            r.hidden_count(key("records", table), len(frame))
            r.relate(key("records", table), [c for _, c in files], f"the rows of {table} = the rows of its files")


def inputs_frame(ch: Chapter) -> pd.DataFrame:
    rows = []
    for source in ch.data.sources:
        # The kind of file, not the reader's label: labels count records, and small counts are withheld.
        rows.append({"File": Plain(source.path), "What it holds": source.kind, "Tables": ", ".join(source.tables),
                     "Records": records_read(ch, source),
                     "Dates covered": date_range(ch, source.path, list(source.tables)),
                     "SHA-256 checksum": source.sha256})
    return frame_of(rows).reindex(columns=["File", "What it holds", "Tables", "Records", "Dates covered",
                                           "SHA-256 checksum"])


def grouped(checksum: str, size: int = 16) -> str:
    """A checksum in groups of characters, so it wraps on a narrow page and reads in pieces."""
    if len(checksum) != 64:
        return checksum
    return " ".join(checksum[i:i + size] for i in range(0, len(checksum), size))


def inputs_table(ch: Chapter) -> ResultTable:
    """Each input file with its checksum and the dates it covers."""
    frame = inputs_frame(ch)
    shown = frame.copy()
    if len(frame):
        shown["SHA-256 checksum"] = frame["SHA-256 checksum"].map(grouped)
    return ResultTable(shown, "The area's data files read for this book", download="inputs", download_frame=frame,
                       note="The checksum is a fingerprint of the file: the same file always gives the same checksum, and "
                      "any change to it gives a different one, so anyone can check that a book was built from the "
                      "files they hold (for example with the sha256sum command). It is shown here in groups of 16 "
                      "characters; the download has it whole. Dates are shown to the month; dates of birth are "
                      "left out.")


def other_files_table(ch: Chapter) -> ResultTable | Notice:
    """Benchmark files and the earlier indicators file, with their checksums."""
    rows = []
    folder = ch.params.benchmarks
    for name in ch.benchmarks.files:
        path = (folder / name) if folder is not None and folder.is_dir() else folder
        checksum = sha256_of(path) if path is not None and path.is_file() else "not available"
        rows.append({"File": Plain(name), "Used for": "benchmarks: England, regions and other areas",
                     "SHA-256 checksum": checksum})
    previous = ch.params.previous_indicators
    if previous is not None and previous.is_file():
        rows.append({"File": Plain(previous.name), "Used for": "an earlier build's indicators (the change since, chapter 8)",
                     "SHA-256 checksum": sha256_of(previous)})
    if not rows:
        return Notice("No benchmark files were given, so the book makes no comparison with other areas.")
    frame = frame_of(rows).reindex(columns=["File", "Used for", "SHA-256 checksum"])
    shown = frame.copy()
    shown["SHA-256 checksum"] = frame["SHA-256 checksum"].map(grouped)
    return ResultTable(shown, "Other files read: benchmarks and earlier indicators", download="other-files",
                       download_frame=frame, note="Checksums in groups of 16 characters; the download has them whole.")


def git_state() -> tuple[str, str]:
    """The commit of the book's code and whether the working copy had changes not yet committed."""
    commit = git_commit()
    if len(commit) != 40:
        return commit, ""
    return commit, git_dirty()


def software_frame() -> pd.DataFrame:
    rows = [{"Software": name, "Version": version} for name, version in software_versions().items()]
    return pd.DataFrame(rows, columns=["Software", "Version"])


def software_table(ch: Chapter) -> ResultTable:
    """The software that made the book, with versions and the git commit of the book's code."""
    frame = software_frame()
    commit, dirty = git_state()
    extra = [{"Software": "Pre-birth Data Book code (git commit)", "Version": commit}]
    if dirty:
        extra.append({"Software": "Changes not yet committed when built", "Version": dirty})
    frame = pd.concat([frame, pd.DataFrame(extra)], ignore_index=True)
    return ResultTable(frame, "Software used to build this book", download="software",
                       note="requirements.txt in the project pins every package, so the same versions can be "
                            "installed again.")


def build_summary(ch: Chapter) -> Notice:
    """When and how this book was built, in one paragraph."""
    now = dt.datetime.now(dt.timezone.utc)
    commit, _ = git_state()
    short = commit[:10] if len(commit) == 40 else commit
    p = ch.params
    audience = ("a **published** book: small numbers are withheld" if ch.published else
                "an **internal** book, NOT FOR PUBLICATION: small numbers are shown")
    # The area's name and code and the file's name are input text; the file's name is shown
    # in code style (where an escape would show), so only a name without backticks is.
    source = p.source_file.name if p.source_file else "not recorded"
    file_figure = "`{file}`" if "`" not in source else "{file}"
    text = (f"This book was built for {{area}} ({{code}}) on {long_date(now)} at {now:%H:%M} UTC, from the "
            f"parameters file {file_figure} and the code at git commit "
            f"`{short}`. It covers {long_date(p.period.start)} to {long_date(p.period.end)}. It is {audience}.")
    if p.synthetic:
        text += " Every number in it comes from made-up (synthetic) data, for demonstration only."
    text += (" Each chapter notebook was run by papermill and the pages made by Jupyter Book; a chapter whose "
             "inputs had not changed since the last build was kept rather than run again, so the date above is when "
             "this page was last run.")
    verbatim = source.replace("\r", " ").replace("\n", " ")  # inside a code span nothing is markup
    figures = {"area": Plain(p.area_name), "code": Plain(p.area_code),
               "file": verbatim if "`" not in source else Plain(source)}
    return Notice([Text(text, figures)])


def definitions_table(ch: Chapter) -> ResultTable:
    """The definitions in force in this build, with this area's parameter values filled in."""
    p = ch.params
    u = p.urgent_days
    rows = [
        ("Financial year", "1 April to 31 March, written 2019/20. Proceedings are counted in the year of their issue "
                           "date; each child once a year, at their first issue that year."),
        ("Report period", f"{long_date(p.period.start)} to {long_date(p.period.end)}; earlier records are used only to "
                          "find earlier proceedings and referrals."),
        ("Infant", "A baby under one year old when proceedings were issued (issued before the first birthday)."),
        ("Newborn", f"A baby aged under {p.newborn_days} days when proceedings were issued."),
        ("Rate per 10,000 live births", "Babies in proceedings in financial year t/t+1 divided by the live births in "
                                        "calendar year t, times 10,000 (the pairing the Born into Care research used)."),
        ("Pre-birth referral or assessment", "Made before the baby's date of birth, or while the baby is unborn; an "
                                             "assessment recorded as a pre-birth assessment also counts."),
        ("Weeks of pregnancy at referral", "40 minus the weeks from the referral to the expected date of birth."),
        ("Notice", "Days from the issue of proceedings to the first hearing: 0 is the same day; "
                   f"under {u.emergency} days is an emergency hearing; {u.short_notice} days or fewer is short notice."),
        ("Children starting to be looked after", "Care episodes that start a new period of care (a child's first "
                                                 "episode, or one recorded as a new start), each child once a year; "
                                                 "the DfE measure."),
        ("Subsequent infant", "A baby whose mother was in earlier care proceedings about an older child."),
        ("Waiting times", "Waits still open count up to the date of the latest record in the data, never "
                          "dropped; the medians allow for them (the methods page says how)."),
    ]
    frame = pd.DataFrame(rows, columns=["Term", "Definition in this book"]).astype(object)
    return ResultTable(frame, "Definitions in force in this book", download="definitions",
                       note="The methods page gives the calculations, and the glossary explains the words.")


def suppression_rules(ch: Chapter) -> Notice:
    """The disclosure-control rules applied to this build."""
    m = ch.min_count
    if not ch.published:
        return Notice(f"This is an internal build: **no number is withheld**, and every page says NOT FOR "
                      f"PUBLICATION. Do not share it outside the organisation. A published build of the same data "
                      f"would withhold counts from 1 to {m - 1}.", kind="notyet", title="Not for publication")
    rules = [
        f"A count of children, parents or records from 1 to {m - 1} is shown as **c**. Zero is shown: it identifies "
        "nobody.",
        "A percentage, rate, median or confidence interval built on a withheld count is withheld too.",
        "A percentage is also withheld when the number *not* counted is small (98 of 100 would tell the reader "
        "that 2 did not).",
        "In a table with totals, a second cell is withheld wherever a withheld cell could be worked out by "
        "subtraction.",
        f"Medians and waiting-time curves based on fewer than {m} people are withheld.",
        "Charts leave withheld points out and say how many.",
        "No child-level record, identifier or date of birth appears in the book, its downloads or its notebooks.",
    ]
    return Notice("Rules applied in this published book:\n\n" + "\n".join(f"- {r}" for r in rules))


def chapters_frame(results: dict[int, ChapterResult]) -> pd.DataFrame:
    """Per chapter: the measures recorded, how many the book withholds and the key findings it says
    (counts of rows and sentences, not of people; the last two known once the book has decided)."""
    titles = chapter_titles()
    rows = []
    for number in range(0, 9):
        # "Chapter 1: ..." (not "1. ..."): the row is about a chapter, and its numbers count measures, not people.
        title = f"Chapter {number}: {titles.get(number, 'Reflect and plan' if number == 8 else '')}"
        result = results.get(number)
        if result is None:
            rows.append({"Chapter": title, "Measures recorded": "not built", "Withheld": "", "Key findings": ""})
            continue
        withheld = Tally(tuple((row.cell,) for row in result.indicators))
        quiet = tuple(tuple(c for c in f.text.figures.values() if isinstance(c, (Count, Share, Measure)))
                      for f in result.findings if f.text.otherwise is None)
        rows.append({"Chapter": title, "Measures recorded": f"{len(result.indicators):,}", "Withheld": withheld,
                     "Key findings": Tally(quiet, of=len(result.findings))})
    return frame_of(rows).reindex(columns=["Chapter", "Measures recorded", "Withheld", "Key findings"])


def chapters_table(results: dict[int, ChapterResult] | None) -> ResultTable | Notice:
    """What each chapter published: rows of indicators.csv, how many withheld, key findings."""
    if not results:
        return Notice("The count of measures each chapter published appears here when the book is built with "
                      "`prebirth build`.", kind="notyet", title="Shown when the whole book is built")
    return ResultTable(chapters_frame(results), "What each chapter published", download="chapters",
                       note="Measures are the rows each chapter added to indicators.csv (this area and the areas it "
                            "is compared with); withheld rows have their numbers blanked.")


# -- the chapter's result ------------------------------------------------------------------

def compute(prepared: Prepared, upstream: dict | None = None) -> ChapterResult:
    """Everything chapter 9 publishes, before disclosure; ``upstream``: the results of chapters 0-8."""
    ch = Chapter(NUMBER, KEY, prepared)
    r = ChapterResult(NUMBER, KEY, TITLE)
    r.status = {"answer": "can answer"}
    r.prompts = ["Are the definitions used here the ones your area uses in its own reports? Where they differ, "
                 "which numbers will people compare?",
                 "Who keeps the files listed above, and could the book be built again from them next year?"]
    r.add("build_summary", build_summary(ch))
    r.add("parameters", parameters_table(ch))
    inputs = inputs_table(ch)
    r.add("inputs", inputs)
    _relate_files(r, ch, list(inputs.frame["Records"]) if len(inputs.frame) else [])
    r.glue["ch9_files"] = f"{len(inputs.frame)}"
    r.add("other_files", other_files_table(ch))
    r.add("definitions", definitions_table(ch))
    r.add("suppression", suppression_rules(ch))
    r.glue["ch9_min_count"] = f"{ch.min_count}"
    r.add("chapters", chapters_table({n: res for n, res in (upstream or {}).items() if n < NUMBER}))
    r.add("software", software_table(ch))
    _main_points(r, ch, len(inputs.frame))
    return r


def _main_points(r: ChapterResult, ch: Chapter, files: int) -> None:
    """What a reader checks first: the period and the files, how small numbers are kept private, and
    whether the book's definition of a newborn is the one England's published figures use."""
    p = ch.params
    # the period and the number of files are facts about the build, not counts of people
    r.finding(f"This book covers {long_date(p.period.start)} to {long_date(p.period.end)} and was made from "
              f"{files} data file{'s' if files != 1 else ''}.", main=True)
    if ch.published:
        r.finding(f"Counts from 1 to {ch.min_count - 1} are shown as **c**, so that no number can point to a "
                  "family.", main=True)
    else:
        r.finding("This is an internal book: small numbers are shown, so it is NOT FOR PUBLICATION.", main=True)
    same = ("the same as England's published figures (Broadhurst et al. 2018; Pattinson et al. 2021)"
            if p.newborn_days == 7 else
            "as in the Welsh research (Alrouh et al. 2019); England's published figures use 7 days, so compare "
            "with care" if p.newborn_days == 14 else
            "England's published figures use 7 days, so compare with care")
    r.finding(f"A newborn here is a baby under {p.newborn_days} days old when proceedings are issued: {same}.",
              main=True)


__all__ = ["NUMBER", "KEY", "TITLE", "compute", "parameters_table", "inputs_table", "inputs_frame",
           "other_files_table", "software_table", "build_summary", "definitions_table", "suppression_rules",
           "chapters_table", "chapters_frame", "date_range", "git_state", "records_read"]
