"""Read the DfE children in need (CIN) census XML, every schema year from 2017, in bounded memory.

The file is streamed with ``lxml.etree.iterparse``: each ``<Child>`` is read, turned into
rows and then cleared (with the siblings before it), so a 100,000-child census never sits
in memory as a tree.

What comes out (raw frames, see ``prebirth.data.schema``):

- ``children``: ``LAchildID`` -> child_id, ``PersonBirthDate``, ``ExpectedPersonBirthDate``,
  ``GenderCurrent`` (up to 2023) or ``Sex`` (2024 on) -> M/F/U (unborn children carry
  0 or U: U), ``Ethnicity``.
- ``referrals``: one per ``<CINdetails>`` (``CINreferralDate``, ``ReferralSource``,
  ``CINclosureDate`` -> closed_date);
  outcome ``nfa`` when ``ReferralNFA`` is true, otherwise ``s47`` when the episode has a
  ``<Section47>``, ``assessment`` when it has an ``<Assessments>``, else blank.
- ``assessments``: ``AssessmentActualStartDate``, ``AssessmentAuthorisationDate`` and the
  ``AssessmentFactors`` joined with ``;``; linked to the episode's referral.
- ``proceedings`` (2026 schema on): one per ``<PreProceedingsandFGDM>`` block that has a
  ``CourtAppDate`` (issue_date), with ``PPStartDate`` as pre_proceedings_start_date.
  A block without a court application is pre-proceedings only: counted in the notes.

Synthesised ids, stable from one year's census to the next (the same referral is in
every census while it is open):

- child_id = ``LAchildID``
- referral_id = ``<child_id>:R:<CINreferralDate>:<n>``
- assessment_id = ``<child_id>:A:<AssessmentActualStartDate>:<n>``
- proceedings_id = ``<child_id>:P:<CourtAppDate>:<n>``

where ``n`` counts, from 1 in document order, the child's records of that kind with the
same date (almost always 1). A missing date is written ``nodate``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from lxml import etree

from ..problems import DataError, Problem
from ._common import (
    ProblemLog, SourceRead, date_problem_message, dob_rounding_warning, financial_year,
    iso_date, raw_frame, sex_code,
)

FIRST_SCHEMA_YEAR = 2017
LATEST_SCHEMA_YEAR = 2026  # the 2025/26 census adds <PreProceedingsandFGDM>

CHILD_COLUMNS = ["child_id", "date_of_birth", "expected_date_of_birth", "sex", "ethnicity"]
REFERRAL_COLUMNS = ["referral_id", "child_id", "referral_date", "source", "outcome", "closed_date"]
ASSESSMENT_COLUMNS = ["assessment_id", "child_id", "start_date", "referral_id", "authorised_date", "factors"]
PROCEEDINGS_COLUMNS = ["proceedings_id", "child_id", "issue_date", "pre_proceedings_start_date"]

CANNOT_PROVIDE = [
    "the CIN census has no mother or father link, so recurrence (a mother's earlier proceedings), "
    "the parents and the fathers cannot be answered from it alone",
    "the CIN census has no court hearing dates, so notice before the first hearing cannot be measured from it",
]
NO_PROCEEDINGS = ("this census has no pre-proceedings block (collected from 2025/26 on), "
                  "so it gives no court applications")
_TRUE = {"true", "1"}
_FALSE = {"false", "0"}
DATE_FORM = "YYYY-MM-DD"


def _fatal(file: str, row, column, value, message: str, fix: str) -> DataError:
    return DataError([Problem("error", file, row, column, value, message, fix)])


def first_element(path: Path) -> tuple[str | None, int | None]:
    """The root element's tag (``{namespace}Name`` when namespaced) and its line, or (None, None)."""
    try:
        for _, elem in etree.iterparse(str(path), events=("start",)):
            return elem.tag, elem.sourceline
    except etree.XMLSyntaxError:
        return None, None
    return None, None


def _line_text(path: Path, line: int | None) -> str | None:
    """The text of one line of the file, to show the user where the XML broke."""
    if not line:
        return None
    with open(path, "rb") as handle:
        for number, text in enumerate(handle, start=1):
            if number == line:
                return text.decode("utf-8", "replace").strip()[:120] or None
    return None


class _CinReader:
    """Turns each ``<Child>`` element into rows of the four tables."""

    def __init__(self, path: Path):
        self.path = path
        self.file = path.name
        self.log = ProblemLog(self.file)
        self.children = {c: [] for c in CHILD_COLUMNS}
        self.child_rows: list[str] = []
        self.referrals = {c: [] for c in REFERRAL_COLUMNS}
        self.referral_rows: list[str] = []
        self.assessments = {c: [] for c in ASSESSMENT_COLUMNS}
        self.assessment_rows: list[str] = []
        self.proceedings = {c: [] for c in PROCEEDINGS_COLUMNS}
        self.proceedings_rows: list[str] = []
        self.pre_proceedings_without_court = 0
        self.proceedings_blocks = 0
        self.header: dict | None = None

    # -- values ---------------------------------------------------------------------------
    def date(self, elem, where: str, column: str) -> str | None:
        text = (elem.text or "").strip() if elem is not None else ""
        if not text:
            return None
        iso = iso_date(text)
        if iso is None:
            self.log.error(f"{where}/{elem.tag}", column, text,
                           f"{date_problem_message(text, DATE_FORM)} (line {elem.sourceline})",
                           "correct the date in the case-management system and export the census again")
            return text  # kept as found: the build stops on the error, nothing is lost
        return iso

    def stray_text(self, elem, where: str) -> None:
        tail = (elem.tail or "").strip()
        if tail:
            self.log.warning(f"{where}/{elem.tag}", None, tail[:60],
                             f"text outside any element after <{elem.tag}> was ignored (line {elem.sourceline})",
                             "check the export: the file looks hand-edited or damaged here")

    # -- header ---------------------------------------------------------------------------
    def read_header(self, header) -> None:
        where = "Message/Header"
        found = {}
        for elem in header.iter():
            if isinstance(elem.tag, str) and len(elem) == 0:
                found[elem.tag] = ((elem.text or "").strip(), elem.sourceline)
        collection, line = found.get("Collection", ("", header.sourceline))
        if collection and collection.upper() != "CIN":
            raise _fatal(self.file, f"{where}/CollectionDetails/Collection", "Collection", collection,
                         f"this is not a CIN census file: the header names the collection '{collection}' (line {line})",
                         "give the CIN census XML export here; other DfE returns are read from their own files")
        year_text, line = found.get("Year", ("", header.sourceline))
        if not year_text.isdigit() or len(year_text) != 4:
            raise _fatal(self.file, f"{where}/CollectionDetails/Year", "Year", year_text or None,
                         f"unknown schema year: the header's <Year> must be the census year, e.g. 2023 (line {line})",
                         "export the census again from the case-management system; the header is produced by it")
        year = int(year_text)
        if year < FIRST_SCHEMA_YEAR:
            raise _fatal(self.file, f"{where}/CollectionDetails/Year", "Year", year_text,
                         f"unknown schema year {year}: this book reads CIN census files from the "
                         f"{financial_year(FIRST_SCHEMA_YEAR)} collection (Year {FIRST_SCHEMA_YEAR}) on",
                         "use census files from 2017 or later, or supply the data as canonical tables")
        if year > LATEST_SCHEMA_YEAR + 20:
            raise _fatal(self.file, f"{where}/CollectionDetails/Year", "Year", year_text,
                         "unknown schema year: this is not a plausible census year",
                         "check the header's <Year>")
        if year > LATEST_SCHEMA_YEAR:
            self.log.warning(f"{where}/CollectionDetails/Year", "Year", year_text,
                             f"schema year {year} is newer than the versions this reader knows "
                             f"({FIRST_SCHEMA_YEAR}-{LATEST_SCHEMA_YEAR}); it was read with the {LATEST_SCHEMA_YEAR} layout",
                             "check the children, referrals and assessments counts in the data chapter")
        reference, line = found.get("ReferenceDate", ("", None))
        expected = f"{year}-03-31"
        if reference and iso_date(reference) != expected:
            self.log.warning(f"{where}/CollectionDetails/ReferenceDate", "ReferenceDate", reference,
                             f"the census reference date should be 31 March of the census year {year} "
                             f"({expected}); the period was taken from <Year> (line {line})",
                             "check the census header; the data are read all the same")
        lea, line = found.get("LEA", ("", None))
        if lea and not (lea.isdigit() and len(lea) == 3):
            self.log.warning(f"{where}/Source/LEA", "LEA", lea,
                             f"the LA number should be three digits, e.g. 890 (line {line})",
                             "check the census header; the data are read all the same")
        self.header = {"year": year, "reference_date": reference or None, "la_code": lea or None}

    # -- one child -------------------------------------------------------------------------
    def read_child(self, child, where: str) -> None:
        identifiers = characteristics = None
        episodes = []
        for part in child:
            tag = part.tag
            if not isinstance(tag, str):
                continue  # comments, processing instructions
            if tag == "ChildIdentifiers":
                identifiers = part
            elif tag == "ChildCharacteristics":
                characteristics = part
            elif tag == "CINdetails":
                episodes.append(part)
            self.stray_text(part, where)

        fields = {}
        ids_where = f"{where}/ChildIdentifiers"
        if identifiers is not None:
            for elem in identifiers:
                if isinstance(elem.tag, str):
                    fields[elem.tag] = elem
                    self.stray_text(elem, ids_where)
        id_elem = fields.get("LAchildID")
        child_id = (id_elem.text or "").strip() or None if id_elem is not None else None
        if child_id is None:
            self.log.error(f"{ids_where}/LAchildID", "child_id", None,
                           f"the child has no LAchildID (line {child.sourceline})",
                           "every child needs the LA's child id; export the census again")
        dob = self.date(fields.get("PersonBirthDate"), ids_where, "date_of_birth")
        expected = self.date(fields.get("ExpectedPersonBirthDate"), ids_where, "expected_date_of_birth")
        if dob is None and expected is None:
            self.log.warning(ids_where, "date_of_birth", child_id,
                             "the child has neither PersonBirthDate nor ExpectedPersonBirthDate "
                             f"(line {child.sourceline})",
                             "record the date of birth, or the expected date of birth of an unborn child")
        gender_elem = fields.get("Sex")
        if gender_elem is None:
            gender_elem = fields.get("GenderCurrent")
        sex = None
        if gender_elem is not None:
            raw = (gender_elem.text or "").strip()
            try:
                sex = sex_code(raw)
            except KeyError:
                self.log.warning(f"{ids_where}/{gender_elem.tag}", "sex", raw,
                                 f"not a sex code (1/M male, 2/F female, 0/9/U not known) (line {gender_elem.sourceline}); "
                                 "read as not recorded",
                                 "correct the child's sex in the case-management system")
        ethnicity = None
        if characteristics is not None:
            for elem in characteristics:
                if elem.tag == "Ethnicity":
                    ethnicity = (elem.text or "").strip() or None
        self._append(self.children, self.child_rows, where,
                     (child_id, dob, expected, sex, ethnicity))

        seen: Counter = Counter()
        for number, episode in enumerate(episodes, start=1):
            self.read_episode(episode, f"{where}/CINdetails[{number}]", child_id, seen)

    def read_episode(self, episode, where: str, child_id: str | None, seen: Counter) -> None:
        referral_date = source = nfa_text = closed = None
        assessments, pre_proceedings = [], []
        has_s47 = False
        for elem in episode:
            tag = elem.tag
            if not isinstance(tag, str):
                continue
            if tag == "CINreferralDate":
                referral_date = self.date(elem, where, "referral_date")
            elif tag == "ReferralSource":
                source = (elem.text or "").strip() or None
            elif tag == "CINclosureDate":
                closed = self.date(elem, where, "closed_date")
            elif tag == "ReferralNFA":
                nfa_text = ((elem.text or "").strip(), elem)
            elif tag == "Assessments":
                assessments.append(elem)
            elif tag == "Section47":
                has_s47 = True
            elif tag == "PreProceedingsandFGDM":
                pre_proceedings.append(elem)
            self.stray_text(elem, where)

        outcome = None
        if nfa_text is not None and nfa_text[0]:
            value = nfa_text[0].lower()
            if value in _TRUE:
                outcome = "nfa"
            elif value not in _FALSE:
                self.log.warning(f"{where}/ReferralNFA", "outcome", nfa_text[0],
                                 f"ReferralNFA should be true/false or 1/0 (line {nfa_text[1].sourceline})",
                                 "correct the referral's NFA flag")
        if outcome is None and (has_s47 or assessments):
            outcome = "s47" if has_s47 else "assessment"

        referral_id = None
        if child_id is not None:
            key = ("R", referral_date or "nodate")
            seen[key] += 1
            referral_id = f"{child_id}:R:{key[1]}:{seen[key]}"
        self._append(self.referrals, self.referral_rows, where,
                     (referral_id, child_id, referral_date, source, outcome, closed))

        for number, assessment in enumerate(assessments, start=1):
            self.read_assessment(assessment, f"{where}/Assessments[{number}]", child_id, referral_id, seen)
        for number, block in enumerate(pre_proceedings, start=1):
            self.read_pre_proceedings(block, f"{where}/PreProceedingsandFGDM[{number}]", child_id, seen)

    def read_assessment(self, assessment, where, child_id, referral_id, seen) -> None:
        start = authorised = None
        factors: list[str] = []
        for elem in assessment:
            tag = elem.tag
            if tag == "AssessmentActualStartDate":
                start = self.date(elem, where, "start_date")
            elif tag == "AssessmentAuthorisationDate":
                authorised = self.date(elem, where, "authorised_date")
            elif tag == "FactorsIdentifiedAtAssessment":
                for factor in elem:
                    if factor.tag == "AssessmentFactors":
                        code = (factor.text or "").strip()
                        if code:
                            factors.append(code)
            if isinstance(tag, str):
                self.stray_text(elem, where)
        if authorised and not factors:
            self.log.warning(where, "factors", None,
                             "an authorised assessment has no assessment factors "
                             f"(line {assessment.sourceline}): its presenting issues are unknown",
                             "record the factors identified at assessment (CIN rule 8869)")
        assessment_id = None
        if child_id is not None:
            key = ("A", start or "nodate")
            seen[key] += 1
            assessment_id = f"{child_id}:A:{key[1]}:{seen[key]}"
        self._append(self.assessments, self.assessment_rows, where,
                     (assessment_id, child_id, start, referral_id, authorised, ";".join(factors) or None))

    def read_pre_proceedings(self, block, where, child_id, seen) -> None:
        self.proceedings_blocks += 1
        started = court = None
        for elem in block:
            if elem.tag == "PPStartDate":
                started = self.date(elem, where, "pre_proceedings_start_date")
            elif elem.tag == "CourtAppDate":
                court = self.date(elem, where, "issue_date")
            if isinstance(elem.tag, str):
                self.stray_text(elem, where)
        if court is None:
            self.pre_proceedings_without_court += 1
            return
        proceedings_id = None
        if child_id is not None:
            key = ("P", court)
            seen[key] += 1
            proceedings_id = f"{child_id}:P:{court}:{seen[key]}"
        self._append(self.proceedings, self.proceedings_rows, where,
                     (proceedings_id, child_id, court, started))

    @staticmethod
    def _append(columns: dict, rows: list, where: str, values: tuple) -> None:
        for column, value in zip(columns.values(), values, strict=True):
            column.append(value)
        rows.append(where)


def read_cin_census(path) -> SourceRead:
    """Read one CIN census XML file into raw frames.

    Raises ``DataError`` when the file cannot be read at all: not well-formed XML, not a
    CIN census, an XML namespace, no header, or an unknown schema year. Problems with
    single values are returned in ``SourceRead.problems`` (errors stop the build later).
    """
    path = Path(path)
    reader = _CinReader(path)
    file = path.name
    tag, line = first_element(path)
    if tag is None:
        _raise_syntax(path, None)
    if tag.startswith("{"):
        namespace = tag[1:].split("}")[0]
        raise _fatal(file, tag.split("}")[1], None, namespace,
                     f"wrong XML namespace: the CIN census has none, but this file declares '{namespace}' (line {line})",
                     "export the CIN census XML without a namespace (as the DfE COLLECT system expects), "
                     "or check that this is the CIN census")
    if tag != "Message":
        raise _fatal(file, tag, None, tag,
                     f"not a CIN census file: its first element is <{tag}>, not <Message> (line {line})",
                     "give the CIN census XML export here")

    parent_paths: dict = {}
    counts: Counter = Counter()
    last_path = "Message"
    parser = etree.iterparse(str(path), events=("end",), tag=("Header", "Child"), remove_comments=True)
    try:
        for _, elem in parser:
            if elem.tag == "Header":
                if elem.getparent() is not None and elem.getparent().getparent() is None:
                    reader.read_header(elem)
                continue
            if reader.header is None:
                raise _fatal(file, "Message/Header", None, None,
                             "the census has no <Header> before its children, so its year is unknown",
                             "export the census again: the header with <Year> comes first")
            parent = elem.getparent()
            parent_path = parent_paths.get(parent)
            if parent_path is None:
                names = []
                node = parent
                while node is not None:
                    names.append(node.tag)
                    node = node.getparent()
                parent_path = "/".join(reversed(names))
                parent_paths.clear()  # one Children element in practice; never grow
                parent_paths[parent] = parent_path
            counts[parent_path] += 1
            last_path = f"{parent_path}/Child[{counts[parent_path]}]"
            reader.read_child(elem, last_path)
            # Free the child and everything before it: memory stays bounded.
            elem.clear()
            while elem.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        _raise_syntax(path, exc, last_path)
    if reader.header is None:
        raise _fatal(file, "Message/Header", None, None,
                     "the census has no <Header>, so its year is unknown",
                     "export the census again from the case-management system")
    return _result(reader)


def _raise_syntax(path: Path, exc, after: str | None = None):
    line = getattr(exc, "lineno", None) if exc is not None else 1
    detail = (getattr(exc, "msg", None) or str(exc)) if exc is not None else "no XML element found"
    where = f"after element {after}" if after and after != "Message" else "near the start"
    raise _fatal(path.name, after if after and after != "Message" else None, None, _line_text(path, line),
                 f"the XML is not well formed at line {line} ({where}): {detail}",
                 "the file is damaged or was cut short: export the census again (do not edit the XML by hand)")


def _result(reader: _CinReader) -> SourceRead:
    file = reader.file
    header = reader.header
    year = header["year"]
    tables = {
        "children": raw_frame(reader.children, file, reader.child_rows),
        "referrals": raw_frame(reader.referrals, file, reader.referral_rows),
        "assessments": raw_frame(reader.assessments, file, reader.assessment_rows),
    }
    cannot = list(CANNOT_PROVIDE)
    notes = []
    if reader.proceedings_blocks:
        tables["proceedings"] = raw_frame(reader.proceedings, file, reader.proceedings_rows)
        if reader.pre_proceedings_without_court:
            notes.append(f"{reader.pre_proceedings_without_court:,} pre-proceedings episodes had no court "
                         "application date: they are pre-proceedings only, not proceedings")
    else:
        cannot.append(NO_PROCEEDINGS)
    problems = reader.log.finish()
    children = len(reader.child_rows)
    if children == 0:
        problems.append(Problem("warning", file, None, None, None, "the census has no children in it",
                                "check that this is the full census export"))
    rounding = dob_rounding_warning(reader.children["date_of_birth"], file, "date_of_birth")
    if rounding:
        problems.append(rounding)
    period = financial_year(year)
    la = f" (LA {header['la_code']})" if header["la_code"] else ""
    return SourceRead(
        kind="cin_census", file=file,
        label=f"CIN census {period}{la}: {children:,} children",
        tables=tables, problems=problems, cannot_provide=cannot, notes=notes,
        period=period, as_of=f"{year}-03-31", la_code=header["la_code"],
    )
