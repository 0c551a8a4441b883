"""The intro page's overview (render.overview_markdown): each chapter's first main point as its
published results say it, else its first key finding, with a link to the chapter."""

import json

from prebirth import layout, render


def write(folder, key, findings, status=None):
    (folder / f"{key}.json").write_text(json.dumps({"chapter": 0, "key": key, "status": status or {},
                                                    "indicators": [], "findings": findings}))


def finding(text, main=False):
    return {"chapter": 0, "finding": text, "indicator": "", "main": main}


def test_each_chapter_says_its_first_main_point_else_its_first_finding_else_why_not(tmp_path):
    by_key = {nb.key: nb for nb in layout.NOTEBOOKS}
    write(tmp_path, "about_your_data", [finding("Not main."), finding("First main.", True),
                                        finding("Second main.", True)])
    write(tmp_path, "infants_and_newborns", [finding("Only a finding, 40% (England 16%).")])
    write(tmp_path, "recurrent_proceedings", [], status={"answer": "not yet"})
    write(tmp_path, "behind_the_trends", [])
    # the other chapters failed: no published results
    titles = {nb.stem: f"Title {nb.number}" for nb in layout.NOTEBOOKS}
    lines = render.overview_markdown(tmp_path, titles).splitlines()
    assert len(lines) == len(layout.NOTEBOOKS)
    assert lines[0] == f"- **[Title 0](../notebooks/{by_key['about_your_data'].stem}.ipynb):** First main."
    assert lines[1].endswith(":** Only a finding, 40% (England 16%).")
    assert lines[2].endswith(":** Your data cannot answer this question yet: chapter 0 says what to record.")
    assert lines[3].endswith(":** See the chapter.")
    assert lines[4].endswith(":** This chapter could not be built this time; its page says why.")


def test_the_overview_is_written_into_the_book_source_only_when_it_changes(tmp_path):
    results, src = tmp_path / "results", tmp_path / "src"
    results.mkdir()
    render.write_overview(src, results, {})
    page = src / render.OVERVIEW
    first = page.stat().st_mtime_ns
    render.write_overview(src, results, {})
    assert page.stat().st_mtime_ns == first
    write(results, "about_your_data", [finding("New.", True)])
    render.write_overview(src, results, {})
    assert ":** New." in page.read_text()


def test_a_long_main_point_is_shortened_to_its_first_sentence_without_its_citation_or_interval(tmp_path):
    # the chapters' main points grew (the comparison, the research cited); the overview keeps one screen
    write(tmp_path, "about_your_data", [finding(
        "The rate here showed no clear change from 2014/15 to 2023/24: +5.8% a year (95% confidence interval "
        "-2.0% to +14.3%). In England the rate rose from 35 to 48 per 10,000 (Pattinson et al. 2021).", True)])
    write(tmp_path, "infants_and_newborns", [finding(
        "Newborns were 45% of babies under one (133 of 295), against 42% in England in 2016/17 (Broadhurst et al. "
        "2018, *Born into care: newborns in care proceedings in England*).", True)])
    write(tmp_path, "recurrent_proceedings", [finding("A father was recorded for 65% of babies", True)])
    lines = render.overview_markdown(tmp_path, {}).splitlines()
    assert lines[0].endswith(":** The rate here showed no clear change from 2014/15 to 2023/24: +5.8% a year.")
    assert lines[1].endswith(":** Newborns were 45% of babies under one (133 of 295), against 42% in England in "
                             "2016/17.")
    assert lines[2].endswith(":** A father was recorded for 65% of babies.")
