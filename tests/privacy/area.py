"""A small test area built so that any disclosure leak would show.

Everything in it is small: about 120 births a year over three financial years, so
each year has a handful of children in proceedings, infants and newborns (counts of 1
to 5 everywhere a chapter could print one). Its identifiers carry a distinctive
prefix and its people have full dates of birth, so an identifier or a date of birth
that reached the book would be found by a plain text search. Alongside the canonical
tables it holds a small CIN census return (two children already in the canonical
tables, one recorded differently), so the messages about a child's record that
stacking returns produces are exercised too.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd

AREA_CODE = "E99999003"
AREA_NAME = "Smallham"
REGION = "South West"
START_YEAR = 2019
YEARS = 3
BIRTHS_PER_YEAR = 120
MIN_COUNT = 6


def _cin_child(child: pd.Series, ethnicity: str) -> str:
    born = f"<PersonBirthDate>{child['date_of_birth']}</PersonBirthDate>" if child["date_of_birth"] else (
        f"<ExpectedPersonBirthDate>{child['expected_date_of_birth']}</ExpectedPersonBirthDate>")
    return (f"<Child><ChildIdentifiers><LAchildID>{child['child_id']}</LAchildID>{born}"
            f"<GenderCurrent>{ {'M': '1', 'F': '2'}.get(child['sex'], '0') }</GenderCurrent></ChildIdentifiers>"
            f"<ChildCharacteristics><Ethnicity>{ethnicity}</Ethnicity></ChildCharacteristics>"
            f"<CINdetails><CINreferralDate>2020-06-01</CINreferralDate><ReferralSource>3A</ReferralSource>"
            f"<ReferralNFA>true</ReferralNFA></CINdetails></Child>")


def cin_census(children: list[str], year: int = 2021, lea: str = "931") -> str:
    """A minimal CIN census XML message holding the given <Child> elements."""
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<Message><Header><CollectionDetails><Collection>CIN</Collection>'
            f"<Year>{year}</Year><ReferenceDate>{year}-03-31</ReferenceDate></CollectionDetails>"
            f"<Source><SourceLevel>L</SourceLevel><LEA>{lea}</LEA></Source></Header>"
            f"<Children>{''.join(children)}</Children></Message>\n")


def write_small_area(folder: Path, audience: str = "published", name: str = "smallham",
                     with_return: bool = True) -> Path:
    """Write the small area's data, benchmarks and parameters file under ``folder``; return the yml."""
    from prebirth.synth import SynthSpec, generate_area, generate_benchmarks

    folder = Path(folder)
    spec = SynthSpec(seed=731, area_code=AREA_CODE, area_name=AREA_NAME, region=REGION,
                     births_per_year=BIRTHS_PER_YEAR, start_year=START_YEAR, years=YEARS,
                     events=(("2020-10-01", "Pre-birth pathway launched"),))
    area = generate_area(spec, folder / "data")
    generate_benchmarks(folder / "benchmarks", spec, n_las=40, area=area)
    if with_return:
        children = pd.read_csv(area.files["children"], dtype=str, keep_default_na=False)
        born = children[children["date_of_birth"] != ""].tail(2)
        first, second = born.iloc[0], born.iloc[1]
        other = "WIRI" if first["ethnicity"] != "WIRI" else "WBRI"
        (folder / "data" / "CIN_2021.xml").write_text(
            cin_census([_cin_child(first, other), _cin_child(second, second["ethnicity"] or "WBRI")]),
            encoding="utf-8")
    yml = folder / f"{name}.yml"
    yml.write_text(textwrap.dedent(f"""\
        area_code: {AREA_CODE}
        area_name: {AREA_NAME}
        region: {REGION}
        data: data/
        benchmarks: benchmarks/
        period: {{start: {START_YEAR}-04-01, end: {START_YEAR + YEARS}-03-31}}
        suppression: {{min_count: {MIN_COUNT}}}
        audience: {audience}
        synthetic: true
        events:
          - {{date: 2020-10-01, label: "Pre-birth pathway launched"}}
        """), encoding="utf-8")
    return yml
