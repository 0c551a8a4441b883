"""Local authority codes: DfE three-digit LA numbers, ONS nine-character GSS codes, regions, reorganisations.

DfE tables name an authority by its old three-digit number (``890``) and, since about
2011, by its GSS code (``E06000009``). The statistical-neighbours workbook and the
``la_code_list`` give numbers only, so the number <-> code pairs are *learned from the
published files that carry both* (explore-education-statistics ``old_la_code`` /
``new_la_code``; the SFR tables' ``geog_c`` / ``New_geog_code``), plus the authorities of
the 2019-2023 reorganisations below, whose numbers and codes are written out here.

Two kinds of change are kept apart, because they must be treated differently:

- a **new code for the same children's services authority** (``RECODED``): the series
  simply continues under the current code (``current_code``);
- a **merger or split** (``REORGANISATIONS``): the areas differ, so a series is broken
  there and never joined silently; ``successors``/``predecessors`` say what became of what.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ENGLAND_CODE = "E92000001"
ENGLAND_NAME = "England"

# The English regions (ONS region codes) as DfE names them in explore-education-statistics.
REGIONS = {
    "E12000001": "North East",
    "E12000002": "North West",
    "E12000003": "Yorkshire and The Humber",
    "E12000004": "East Midlands",
    "E12000005": "West Midlands",
    "E12000006": "East of England",
    "E12000007": "London",
    "E12000008": "South East",
    "E12000009": "South West",
}
# Inner and Outer London are published as well; for a borough's region they mean London.
LONDON_PARTS = {"E13000001": "Inner London", "E13000002": "Outer London"}
LONDON = "E12000007"

_REGION_ALIASES = {
    "london (inner)": "E13000001", "london (outer)": "E13000002",
    "inner london": "E13000001", "outer london": "E13000002",
    "yorkshire and the humber": "E12000003", "yorkshire & the humber": "E12000003",
    "yorkshire and humber": "E12000003", "east": "E12000006", "eastern": "E12000006",
}


def region_code(name: str | None) -> str | None:
    """The ONS code of a region from its name in any case (``'NORTH EAST'``, ``'London (Inner)'``)."""
    if not name:
        return None
    key = " ".join(str(name).split()).lower()
    for code, region in {**REGIONS, **LONDON_PARTS}.items():
        if region.lower() == key:
            return code
    return _REGION_ALIASES.get(key)


def region_of_borough(code: str | None) -> str | None:
    """The region an LA belongs to: Inner/Outer London mean the London region."""
    if code in LONDON_PARTS:
        return LONDON
    return code


@dataclass(frozen=True)
class Authority:
    number: str  # DfE three-digit LA number
    code: str  # ONS GSS code
    name: str


@dataclass(frozen=True)
class Reorganisation:
    """A change of local government that changed which areas the figures cover."""

    date: str
    before: tuple[Authority, ...]
    after: tuple[Authority, ...]
    note: str
    source: str


REORGANISATIONS: tuple[Reorganisation, ...] = (
    Reorganisation(
        "2019-04-01",
        (Authority("837", "E06000028", "Bournemouth"), Authority("836", "E06000029", "Poole"),
         Authority("835", "E10000009", "Dorset (county)")),
        (Authority("839", "E06000058", "Bournemouth, Christchurch and Poole"),
         Authority("838", "E06000059", "Dorset")),
        "Bournemouth, Poole and Christchurch (from Dorset) merged; the rest of Dorset became a unitary council",
        # Numbers and codes as in DfE's la_code_list and the 2018-2022 EES files.
        "The Bournemouth, Dorset and Poole (Structural Changes) Order 2018",
    ),
    Reorganisation(
        "2021-04-01",
        (Authority("928", "E10000021", "Northamptonshire"),),
        (Authority("940", "E06000061", "North Northamptonshire"),
         Authority("941", "E06000062", "West Northamptonshire")),
        "Northamptonshire split into two unitary councils (children's services run by one trust)",
        "The Northamptonshire (Structural Changes) Order 2020",
    ),
    Reorganisation(
        "2023-04-01",
        (Authority("909", "E10000006", "Cumbria"),),
        (Authority("942", "E06000063", "Cumberland"), Authority("943", "E06000064", "Westmorland and Furness")),
        "Cumbria split into two unitary councils",
        "The Cumbria (Structural Changes) Order 2022",
    ),
)

# A new GSS code for the same children's services authority: the series continues.
RECODED: dict[str, tuple[str, str, str]] = {
    # old code: (new code, date, source)
    "E10000002": ("E06000060", "2020-04-01",
                  "Buckinghamshire became a unitary council; the county was already the children's services "
                  "authority (The Buckinghamshire (Structural Changes) Order 2019); LA number 825 kept"),
    "E10000023": ("E06000065", "2023-04-01",
                  "North Yorkshire became a unitary council (The North Yorkshire (Structural Changes) Order 2022); "
                  "LA number 815 kept"),
    "E10000027": ("E06000066", "2023-04-01",
                  "Somerset became a unitary council (The Somerset (Structural Changes) Order 2022); "
                  "LA number 933 kept"),
    "E06000048": ("E06000057", "2013-04-01",
                  "Northumberland recoded after a minor boundary change with Gateshead (ONS Register of "
                  "Geographic Codes); LA number 929 kept. DfE tables used the old code until 2017"),
    "E08000020": ("E08000037", "2013-04-01",
                  "Gateshead recoded after a minor boundary change with Northumberland (ONS Register of "
                  "Geographic Codes); LA number 390 kept. DfE tables used the old code until 2017"),
}

# Numbers and names for the codes above, so they are known without any file.
_KNOWN = [
    *(a for r in REORGANISATIONS for a in (*r.before, *r.after)),
    Authority("825", "E06000060", "Buckinghamshire"),
    Authority("815", "E06000065", "North Yorkshire"),
    Authority("933", "E06000066", "Somerset"),
    Authority("929", "E06000057", "Northumberland"),
    Authority("390", "E08000037", "Gateshead"),
]


def current_code(code: str | None) -> str | None:
    """The code an authority has now, following recodings (never mergers or splits)."""
    seen = set()
    while code in RECODED and code not in seen:
        seen.add(code)
        code = RECODED[code][0]
    return code


def successors(code: str) -> list[str]:
    """The authorities that took over from ``code`` in a merger or split (empty if none)."""
    code = current_code(code)
    return [a.code for r in REORGANISATIONS if any(b.code == code for b in r.before) for a in r.after]


def predecessors(code: str) -> list[str]:
    """The authorities that ``code`` was formed from in a merger or split (empty if none)."""
    code = current_code(code)
    return [b.code for r in REORGANISATIONS if any(a.code == code for a in r.after) for b in r.before]


def reorganisation_of(code: str) -> Reorganisation | None:
    code = current_code(code)
    for change in REORGANISATIONS:
        if any(a.code == code for a in (*change.before, *change.after)):
            return change
    return None


@dataclass
class LaCodes:
    """LA numbers <-> GSS codes, names and regions, as learned from the files read."""

    code_of_number: dict[str, str] = field(default_factory=dict)
    number_of_code: dict[str, str] = field(default_factory=dict)
    name_of_code: dict[str, str] = field(default_factory=dict)
    region_of_code: dict[str, str] = field(default_factory=dict)  # LA code -> region code (London, not Inner/Outer)
    region_of_number: dict[str, str] = field(default_factory=dict)
    name_of_number: dict[str, str] = field(default_factory=dict)
    learned_from: dict[str, str] = field(default_factory=dict)  # file -> its kind (ees, sfr, la_code_list)

    @classmethod
    def known(cls) -> LaCodes:
        """The authorities this module names (the reorganised and recoded ones)."""
        codes = cls()
        for authority in _KNOWN:
            codes.add(authority.number, authority.code, authority.name)
        return codes

    def add(self, number=None, code=None, name=None, region=None) -> None:
        """Learn one authority; ``region`` is a region code or name. Later files win for names."""
        number = normal_number(number)
        code = current_code(str(code).strip()) if code and str(code).strip() else None
        if number and code:
            # A recoded authority keeps its number: the newest code wins.
            self.code_of_number[number] = code
            self.number_of_code[code] = number
        region_code_ = region if region in REGIONS or region in LONDON_PARTS else region_code(region)
        region_code_ = region_of_borough(region_code_)
        if code:
            if name:
                self.name_of_code[code] = str(name).strip()
            if region_code_:
                self.region_of_code[code] = region_code_
        if number:
            if name:
                self.name_of_number.setdefault(number, str(name).strip())
            if region_code_:
                self.region_of_number[number] = region_code_

    def code_for(self, value) -> str | None:
        """The GSS code of an LA given as a number or a (possibly old) code."""
        if value is None:
            return None
        text = str(value).strip()
        if len(text) == 9 and text[0] in "EW" and text[1:].isdigit():
            return current_code(text)
        return self.code_of_number.get(normal_number(text))

    def region_for(self, code: str | None) -> str | None:
        """The region code of an LA (London for a London borough), if any file gave it.

        An authority that was merged or split (2019-2023) is in the region of the
        authorities it became: today's lists no longer name it.
        """
        code = current_code(code)
        region = self._own_region(code)
        if region is None and code:
            regions = {self._own_region(successor) for successor in successors(code)} - {None}
            region = regions.pop() if len(regions) == 1 else None
        return region

    def _own_region(self, code: str | None) -> str | None:
        region = self.region_of_code.get(code)
        if region is None:
            number = self.number_of_code.get(code)
            region = self.region_of_number.get(number) if number else None
        return region

    def update(self, other: LaCodes) -> None:
        for number, code in other.code_of_number.items():
            self.add(number, code)
        for code, name in other.name_of_code.items():
            self.name_of_code[code] = name
        self.region_of_code.update(other.region_of_code)
        self.region_of_number.update(other.region_of_number)
        for number, name in other.name_of_number.items():
            self.name_of_number.setdefault(number, name)


def normal_number(value) -> str | None:
    """A DfE LA number as three-digit text (``890``, ``'890.0'`` -> ``'890'``); None if not one."""
    if value is None:
        return None
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return text if text.isdigit() and 1 <= len(text) <= 4 else None
