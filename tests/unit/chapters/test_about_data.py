"""Chapter 0 (about your data) on small hand-made areas: completeness as shares of counts of records."""

from prebirth import disclosure, present
from prebirth.chapters import about_data
from prebirth.results import ChapterResult, Count, Plain, Share, key
from tests.unit.chapters.conftest import make_chapter


def area(kids: int = 10, hearings_missing: int = 0, hearing_before_issue: bool = False):
    children = [{"child_id": f"C{i}", "date_of_birth": "2019-06-01"} for i in range(kids)]
    proceedings = [{"proceedings_id": f"P{i}", "child_id": f"C{i}", "issue_date": "2019-06-03",
                    "first_hearing_date": None if i < hearings_missing else "2019-06-05"} for i in range(kids)]
    if hearing_before_issue:
        proceedings[-1]["first_hearing_date"] = "2019-06-01"
    return {"children": children, "proceedings": proceedings}


def result_of(tables, audience="published"):
    return about_data.compute(make_chapter(tables, number=0, audience=audience).prepared)


def fields_of(result, decision, chapter: str) -> str:
    frame = present.table_frame(result.items["status_fields"].frame, decision)
    return frame.set_index("Chapter").loc[chapter, "Fields used (share filled in)"]


def test_completeness_is_a_share_of_the_tables_rows():
    result = result_of(area(kids=10, hearings_missing=3), "internal")
    share = about_data.completeness(make_chapter(area(kids=10, hearings_missing=3), number=0), "proceedings",
                                    "first_hearing_date")
    assert share.numerator == Count(key("completeness", "proceedings", "first_hearing_date"), 7)
    assert share.denominator == Count(key("records", "proceedings"), 10)
    decision = disclosure.decide([result], False, 6)
    # 7 of 10 = 70%: under 80%, so urgent hearings can be answered only in part
    assert fields_of(result, decision, "5. Urgent hearings") == (
        "proceedings.child_id 100%; proceedings.issue_date 100%; proceedings.first_hearing_date 70%; "
        "children.date_of_birth 100%")
    assert result.status["urgent"] == "partly"
    assert result.status["infants"] == "partly"  # no births table: no rates per 10,000 live births
    assert result.status["waiting"] == "not yet"  # no referrals
    rows = present.table_frame(result.items["tables_summary"].frame, decision).set_index("Table")
    assert rows.loc["proceedings", "Rows"] == "10" and rows.loc["support", "Rows"] == "not supplied"


def test_a_field_missing_for_a_few_records_is_withheld_alone():
    # 2 of 20 hearings not recorded: 18 of 20 (90%) rests on a complement of 2 and is withheld;
    # the other fields of the row (20 of 20) stay shown.
    result = result_of(area(kids=20, hearings_missing=2))
    decision = disclosure.decide([result], True, 6)
    assert decision.audit["passed"]
    assert fields_of(result, decision, "5. Urgent hearings") == (
        "proceedings.child_id 100%; proceedings.issue_date 100%; proceedings.first_hearing_date c; "
        "children.date_of_birth 100%")
    internal = disclosure.decide([result], False, 6)
    assert "proceedings.first_hearing_date 90%" in fields_of(result, internal, "5. Urgent hearings")


def test_a_small_table_is_withheld_with_its_completeness():
    result = result_of(area(kids=4))  # 4 children, 4 proceedings: both small
    decision = disclosure.decide([result], True, 6)
    rows = present.table_frame(result.items["tables_summary"].frame, decision).set_index("Table")
    assert rows.loc["children", "Rows"] == "c" and rows.loc["proceedings", "Rows"] == "c"
    assert "100%" not in fields_of(result, decision, "1. Infants and newborns in care proceedings")


def test_warnings_are_input_text_and_their_small_row_counts_are_withheld():
    result = result_of(area(kids=10, hearing_before_issue=True))
    table = result.items["warnings_table"]
    assert all(isinstance(v, Plain) for v in table.frame["What we noticed"])
    assert all(isinstance(v, Plain) for v in table.frame["File"])
    row = table.frame.iloc[0]
    assert row["Rows"].value == 1  # one hearing before its issue date
    decision = disclosure.decide([result], True, 6)
    assert present.table_frame(table.frame, decision)["Rows"].iloc[0] == "c"
    assert "C9" not in " ".join(v.text for v in table.frame["What we noticed"])  # no child's id


def test_no_warnings_is_said():
    result = result_of(area())
    decision = disclosure.decide([result], True, 6)
    assert present.show(result, "warnings_table", decision).markdown == "No data-quality warnings were found."


def test_finding_counts_the_questions_answered_in_full():
    result = result_of(area(), "internal")
    findings = present.findings(result, disclosure.decide([result], False, 6))
    full = sum(v == "can answer" for v in result.status.values())
    assert findings[0]["finding"] == (f"{full} of {len(result.status)} questions can be answered in full from the "
                                      "data supplied, once numbers too small to show are accounted for.")
    assert findings[0]["main"]


# -- small numbers: a question whose yearly figures are mostly withheld is answered only in part --------

def urgent_result(numerators: list[int], denominator: int = 20) -> ChapterResult:
    """A chapter 5 result whose only headline figures are newborns' same-day shares, one per year."""
    r = ChapterResult(5, "urgent_hearings")
    for i, n in enumerate(numerators):
        period = f"{2015 + i}/{16 + i}"
        share = Share.of(Count(key("test", "same day", period), n), Count(key("test", "newborns", period), denominator))
        r.indicator("hearing_same_day_share", period, share, group="newborns")
        # a comparison group and the whole period are not headline yearly figures
        r.indicator("hearing_same_day_share", period, Share.of(Count(key("test", "all same day", period), 2),
                                                               Count(key("test", "all", period), 30)),
                    group="all children")
    return r


def status_of(numerators, audience="published"):
    tables = area(kids=10)
    zero = about_data.compute(make_chapter(tables, number=0, audience=audience).prepared, {5: urgent_result(numerators)})
    five = zero.items["status_table"]
    return zero, five


def shown_status(zero, table, published=True):
    decision = disclosure.decide([zero], published, 6)
    frame = present.table_frame(table.frame, decision).set_index("Chapter")
    return frame.loc["5. Urgent hearings", "Status"], decision


def test_mostly_withheld_yearly_figures_make_a_question_partly_answered():
    # 3 of the 4 yearly same-day counts are 1-5 (withheld): 75% > 50%
    zero, table = status_of([2, 3, 4, 12])
    status, decision = shown_status(zero, table)
    assert status == "partly: numbers too small to show by year"
    summary = present.show(zero, "status_summary", decision).markdown
    assert "Urgent hearings (numbers too small to show by year)" in summary
    assert "It can answer in part:" in summary
    scrutiny = present.table_frame(zero.items["scrutiny_table"].frame, decision).set_index("Chapter")
    assert scrutiny.loc["5. Urgent hearings", "Needs more scrutiny?"] == "Yes: numbers too small to show by year"


def test_half_withheld_is_not_mostly_withheld():
    # 2 of 4 withheld: 50% is not more than half, the data's own status stands
    zero, table = status_of([2, 3, 10, 12])
    status, _ = shown_status(zero, table)
    assert status == "can answer"


def test_an_internal_book_withholds_nothing_so_the_status_is_the_datas():
    zero, table = status_of([2, 3, 4, 12], "internal")
    status, decision = shown_status(zero, table, published=False)
    assert status == "can answer"
    assert "numbers too small" not in present.show(zero, "status_summary", decision).markdown


def test_the_count_answered_in_full_follows_the_decision():
    zero, _ = status_of([2, 3, 4, 12])
    published = present.findings(zero, disclosure.decide([zero], True, 6))[0]["finding"]
    internal = present.findings(zero, disclosure.decide([zero], False, 6))[0]["finding"]
    n_internal, n_published = int(internal.split()[0]), int(published.split()[0])
    assert n_internal - n_published == 1  # urgent hearings drops from "can answer"


def test_final_status_rule():
    assert about_data.final_status("can answer", ((6, 10),)) == about_data.STATUS_SMALL
    assert about_data.final_status("can answer", ((5, 10),)) == "can answer"
    assert about_data.final_status("partly", ((9, 10),)) == about_data.STATUS_SMALL
    assert about_data.final_status("not yet", ((10, 10),)) == "not yet"
    assert about_data.final_status("can answer", ((0, 0),)) == "can answer"


def test_each_question_has_an_audit_checklist_and_csv_template():
    zero, _ = status_of([10, 12, 14, 16])
    decision = disclosure.decide([zero], True, 6)
    table = zero.items["audit_parents"]
    assert table.download == "audit-parents"
    template = table.download_frame
    fields = len(table.frame)
    assert len(template) == about_data.AUDIT_SAMPLE * fields  # one row per sampled case and field
    assert list(dict.fromkeys(template["Sampled file"])) == list("ABCDEFGHIJ")  # ten files, lettered
    assert (template["Found in the file? (Y/N/unclear)"] == "").all()
    shown = present.table_frame(zero.items["scrutiny_table"].frame, decision).set_index("Chapter")
    assert shown.loc["5. Urgent hearings", "Needs more scrutiny?"].startswith("Less pressing")
    assert shown.loc["4. Waiting times", "Needs more scrutiny?"].startswith("Yes: fields missing")


def main_points(result):
    return [f.text.template for f in result.findings if f.main]


def test_main_points_count_the_questions_the_records_and_the_kinds_of_problem():
    result = result_of(area(kids=10, hearing_before_issue=True))
    said = main_points(result)
    # the statuses of the book's 8 questions (chapters 1-8), counted from the chapter's own status table
    assert len(result.status) == 8
    assert said[0] == ("{n} of 8 questions can be answered in full from the data supplied, once numbers too "
                       "small to show are accounted for.")
    # children and proceedings: 2 of the 12 canonical tables
    assert said[1] == "2 of the 12 kinds of record the book can use were supplied."
    # one hearing before its issue date: one kind of problem (file, field and message)
    assert said[2].startswith("1 kind of data-quality problem was found while reading the data")


def test_main_points_say_when_no_problem_was_found():
    assert main_points(result_of(area(kids=10)))[2] == "No data-quality problems were found while reading the data."
