"""A book for a real authority (Blackpool, E06000009) with DfE's published files as its benchmarks:
chapter 1's page shows, by name, Blackpool's own published share of babies among children starting to
be looked after beside England (as first published and as revised), the North West and each statistical
neighbour in rank order. The area's own records are synthetic; the benchmarks are the real files in
../shared/third_party, linked (never copied). Expected figures are read from the published CSVs here,
with the csv module, independently of the book's readers."""

import csv
import html
import re
import textwrap

import pytest

from tests.conftest import build_book, third_party

pytestmark = pytest.mark.slow

STARTED = ("dfe-ees", "la_cla_who_started_to_be_looked_after_2018_2022.csv")
NATIONAL = ("dfe-ees", "national_cla_started_to_be_looked_after_2025.csv")
LAIT = [("dfe-lait", "sn_may_2025.xlsx"), ("dfe-lait", "la_code_list.xlsx")]
NEIGHBOURS = ["Hartlepool", "Middlesbrough", "Sunderland", "Liverpool", "South Tyneside", "Redcar and Cleveland",
              "Rochdale", "Torbay", "Salford", "Stoke-on-Trent"]


@pytest.fixture(scope="module")
def blackpool(tmp_path_factory):
    from prebirth.synth import SynthSpec, generate_area

    folder = tmp_path_factory.mktemp("blackpool")
    bench = folder / "bench"
    (bench / "legacy_sfr_adm").mkdir(parents=True)
    for parts in [STARTED, NATIONAL, *LAIT]:
        (bench / parts[-1]).symlink_to(third_party(*parts))
    for path in sorted(third_party("dfe-ees", "legacy_sfr_adm").glob("*.csv")):
        (bench / "legacy_sfr_adm" / path.name).symlink_to(path)
    spec = SynthSpec(seed=20220331, area_code="E06000009", area_name="Blackpool", region="North West",
                     births_per_year=1500, start_year=2017, years=5)
    generate_area(spec, folder / "data")
    yml = folder / "blackpool.yml"
    yml.write_text(textwrap.dedent("""\
        area_code: E06000009
        area_name: Blackpool
        region: North West
        country: England
        data: data/
        benchmarks: bench/
        period: {start: 2017-04-01, end: 2022-03-31}
        synthetic: true
        """))
    return build_book(yml, folder / "_build")


def _published(parts, level, name_column, name, year, cla_group, characteristic) -> int:
    with open(third_party(*parts), newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            if (row["geographic_level"] == level and (name_column is None or row[name_column] == name)
                    and row["time_period"] == year and row["cla_group"] == cla_group
                    and row["characteristic"] == characteristic):
                return int(row["number"])
    raise AssertionError(f"{name} {year} {characteristic} not in {parts[-1]}")


def _row(parts, level, name_column, name, year="2022", group="Age group", total="Total"):
    return (_published(parts, level, name_column, name, year, group, "Under 1 year"),
            _published(parts, level, name_column, name, year, group, total))


def _text(page: str) -> str:
    page = re.sub(r"<script.*?</script>|<style.*?</style>", "", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _pct(n, d) -> str:
    return f"{int(100 * n / d + 0.5)}%"


def _table_row(text: str, label: str) -> str:
    """The words of one row of the by-name table (from its label to the next row's start)."""
    caption = text.index("each statistical neighbour by name")
    start = text.index(label, caption)
    return text[start:start + len(label) + 60]


def test_the_book_builds(blackpool):
    assert blackpool.result.exit_code == 0, blackpool.log
    assert "Traceback" not in blackpool.page("01_infants_and_newborns")


def test_blackpool_england_and_region_by_name_with_their_releases(blackpool):
    text = _text(blackpool.page("01_infants_and_newborns"))
    own = _row(STARTED, "Local authority", "la_name", "Blackpool")
    first = _row(STARTED, "National", None, None)
    revised = _row(NATIONAL, "National", None, None, group="Age on starting", total="Total children")
    region = _row(STARTED, "Regional", "region_name", "North West")
    assert own == (59, 178) and first == (5410, 31010) and revised == (5420, 31100) and region == (900, 4600)
    row = _table_row(text, "Blackpool (this area, as published)")
    assert f"{own[0]} {own[1]} {_pct(*own)}" in row
    row = _table_row(text, "England (2022 release, as first published)")
    assert f"{first[0]:,} {first[1]:,} {_pct(*first)}" in row
    row = _table_row(text, "England (2025 release, as revised)")
    assert f"{revised[0]:,} {revised[1]:,} {_pct(*revised)}" in row
    row = _table_row(text, "North West (region)")
    assert f"{region[0]:,} {region[1]:,} {_pct(*region)}" in row
    # the main point says it in words, with the release of England's figure
    assert (f"In 2021/22, {own[0]} of {own[1]} children who started to be looked after in Blackpool were babies "
            f"under one ({_pct(*own)})") in text


def test_each_neighbour_by_name_in_rank_order(blackpool):
    text = _text(blackpool.page("01_infants_and_newborns"))
    published = {}
    for name in NEIGHBOURS:
        try:
            published[name] = _row(STARTED, "Local authority", "la_name", name)
        except ValueError:  # a DfE marker (c, z...): never a number
            published[name] = None
    ranked = sorted((n for n in NEIGHBOURS if published[n]), key=lambda n: (-published[n][0] / published[n][1], n))
    caption = text.index("each statistical neighbour by name")
    positions = [text.index(f" {name} ", caption) for name in ranked]
    assert positions == sorted(positions), ranked
    for rank, name in enumerate(ranked, 1):
        n, d = published[name]
        assert f"{name} {rank} {n} {d} {_pct(n, d)}" in text[caption:]
    for name in (n for n in NEIGHBOURS if not published[n]):
        assert f"{name} withheld at source" in text[caption:]


def test_regional_chart_draws_the_published_share_the_text_gives(blackpool):
    text = _text(blackpool.page("01_infants_and_newborns"))
    found = re.search(r"Blackpool \(published\) (\d+\.\d)%", text)
    assert found, "the regional chart's data has Blackpool's published point"
    said = re.search(r"In the published figures, Blackpool \((\d+)%\)", text)
    assert said and int(float(found.group(1)) + 0.5) == int(said.group(1))
    assert float(found.group(1)) > 0
