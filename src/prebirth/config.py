"""The area parameters (``areas/<name>.yml``): one validated model shared by the CLI,
the build and the notebooks (DESIGN 4)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

PUBLISHED_MIN_COUNT = 6  # a published book never shows a count from 1 to 5 (DESIGN 9)


class ParameterError(Exception):
    """The parameters file cannot be used; the message says what to change."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Strict):
    start: dt.date = Field(description="first day of the report period (a 1 April)")
    end: dt.date = Field(description="last day of the report period (a 31 March)")

    @model_validator(mode="after")
    def _ordered(self):
        if self.end <= self.start:
            raise ValueError("period.end must be after period.start")
        return self


class UrgentDays(_Strict):
    emergency: int = Field(3, ge=1, description="notice under this many days is an emergency hearing")
    short_notice: int = Field(7, ge=1, description="notice of this many days or fewer is short notice")


class Suppression(_Strict):
    min_count: int = Field(6, ge=2, le=20, description="counts from 1 to min_count - 1 are shown as 'c'")


class Event(_Strict):
    date: dt.date
    label: str


class AreaParameters(_Strict):
    """Everything that makes one area's book, as written in its parameters file."""

    area_code: str = Field(description="ONS GSS code of the local authority")
    area_name: str
    country: Literal["England", "Wales"] = "England"
    region: str | None = None
    data: Path = Field(description="canonical CSV folder, a workbook (.xlsx), or standard returns")
    benchmarks: Path | None = Field(None, description="folder of benchmark files")
    comparators: Literal["statistical_neighbours"] | list[str] = "statistical_neighbours"
    period: Period
    newborn_days: int = Field(7, ge=1, le=31)
    urgent_days: UrgentDays = UrgentDays()
    suppression: Suppression = Suppression()
    audience: Literal["published", "internal"] = "published"
    events: list[Event] = []
    synthetic: bool = Field(False, description="the data are made up (shows a banner on every page)")
    overdispersion: Literal["none", "multiplicative", "additive"] = Field(
        "additive", description="funnel-plot limits allow for real differences between areas (Spiegelhalter 2005): "
                                "'additive' (random effects, the default), 'multiplicative', or 'none' (chance only)")
    previous_indicators: Path | None = Field(None, description="an earlier build's indicators.csv")
    sources: dict[str, str] = Field(default_factory=dict, description="file name -> kind, where detection needs help")

    # Where the file was read from (not a parameter users write).
    source_file: Path | None = Field(None, exclude=True)

    @field_validator("area_code")
    @classmethod
    def _gss(cls, value: str) -> str:
        value = value.strip()
        if len(value) != 9 or value[0] not in "EW" or not value[1:].isdigit():
            raise ValueError("must be a 9-character ONS GSS code such as E06000009 (a letter E or W and 8 digits)")
        return value

    @model_validator(mode="after")
    def _published_suppresses(self):
        if self.audience == "published" and self.suppression.min_count < PUBLISHED_MIN_COUNT:
            raise PydanticCustomError(
                "published_min_count",
                "a published book needs at least {least}: counts from 1 to {most} are never shown in it "
                "(found {found}). Use {least} or more, or audience: internal for a book that is not published.",
                {"key": "suppression.min_count", "least": PUBLISHED_MIN_COUNT, "most": PUBLISHED_MIN_COUNT - 1,
                 "found": self.suppression.min_count})
        return self

    @property
    def slug(self) -> str:
        """The name of the book's folder: the parameters file's name without ``.yml``."""
        return area_slug(self.source_file) if self.source_file else self.area_code

    @property
    def min_count(self) -> int:
        return self.suppression.min_count

    @property
    def published(self) -> bool:
        return self.audience == "published"


# A synthetic book's marking: its local and regional numbers are made up, but its national figures are the
# published ones wherever a page names their report (the demo's benchmarks mark each row's source).
SYNTHETIC_BANNER = ("Synthetic data: every local and regional number in this book is made up; a national figure "
                    "is real only where its report is named.")


def banner(params: AreaParameters) -> str:
    """What every page of the book and every slide of its decks says first: that an internal
    build is not for publication, that synthetic data are made up ("" for a published book
    of real data)."""
    parts = []
    if not params.published:
        parts.append("NOT FOR PUBLICATION: this internal build shows small numbers unsuppressed.")
    if params.synthetic:
        parts.append(SYNTHETIC_BANNER)
    return " ".join(parts)


_SLUG = re.compile(r"\w[\w-]{0,99}")  # letters, digits, '_' and '-'; never a dot, so never '..' or hidden


def area_slug(path: str | Path) -> str:
    """The name of an area's folder in the build folder (``areas/demo.yml`` -> ``demo``).

    Only a plain name is accepted (letters, digits, '-' and '_'): the build writes, and
    removes, inside ``<output>/<name>``, and a name such as ``..`` (from a file named
    ``...yml``) would point that outside the build folder.
    """
    path = Path(path)
    if not _SLUG.fullmatch(path.stem):
        raise ParameterError(
            f"{path}: the parameters file's name without '.yml' ({path.stem!r}) names the book's folder, so it "
            f"must be a plain name: letters, digits, '-' and '_' only, not starting with a dot (e.g. "
            f"areas/my_area.yml). Rename the file; nothing was built.")
    return path.stem


class _Refused(yaml.YAMLError):
    """Valid YAML that a parameters file may not use; the message says what and where."""


class _ParametersLoader(yaml.SafeLoader):
    """PyYAML's safe loader, stricter: no key given twice in one mapping, and no anchors or
    aliases (``&name``/``*name``), which a parameters file never needs and which can make a
    few hundred bytes expand to gigabytes."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            mark = "*" if isinstance(event, yaml.AliasEvent) else "&"
            raise _Refused(f"line {event.start_mark.line + 1}: YAML anchors and aliases ({mark}{event.anchor}) are "
                           f"not accepted in a parameters file. Write each value out in full.")
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                try:
                    key = self.construct_object(key_node, deep=True)
                    hash(key)
                except (TypeError, yaml.YAMLError):
                    continue  # the constructor says what is wrong with such a key
                line = key_node.start_mark.line + 1
                if key in seen:
                    raise _Refused(f"line {line}: '{key}' is given twice (also on line {seen[key]}). "
                                   f"Keep one of them.")
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


def read_yaml(text: str):
    """YAML as a parameters file may write it (see :class:`_ParametersLoader`)."""
    loader = _ParametersLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def load_parameters(path: str | Path) -> AreaParameters:
    """Read and check a parameters file; relative paths are resolved from its folder.

    Raises ParameterError with one line per problem (never a traceback).
    """
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"{path}: parameters file not found. Create it (see areas/demo.yml) or check the path.")
    try:
        raw = read_yaml(path.read_text(encoding="utf-8"))
    except _Refused as exc:
        raise ParameterError(f"{path}, {exc}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ParameterError(f"{path}: not readable as YAML ({exc}). Check the indentation and quotes.") from None
    if not isinstance(raw, dict):
        raise ParameterError(f"{path}: expected 'key: value' lines (see areas/demo.yml).")
    base = path.resolve().parent
    for key in ("data", "benchmarks", "previous_indicators"):
        if isinstance(raw.get(key), str) and raw[key].strip():
            raw[key] = (base / raw[key]).resolve()
    try:
        params = AreaParameters(**raw, source_file=path.resolve())
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(file)"
            if "key" in (err.get("ctx") or {}):  # a rule across parameters: it names the key to change
                lines.append(f"  {err['ctx']['key']}: {err['msg']}")
            elif err["type"] == "extra_forbidden":
                lines.append(f"  {where}: unknown parameter. Remove it or check its spelling (see areas/demo.yml).")
            elif err["type"] == "missing":
                lines.append(f"  {where}: required parameter is missing.")
            else:
                lines.append(f"  {where}: {err['msg']} (found {err.get('input')!r}).")
        raise ParameterError(f"{path}: the parameters are not valid:\n" + "\n".join(lines)) from None
    problems = []
    if not params.data.exists():
        problems.append(f"  data: {params.data} does not exist. Point it at your data folder or workbook.")
    if params.benchmarks is not None and not params.benchmarks.exists():
        problems.append(f"  benchmarks: {params.benchmarks} does not exist.")
    if params.previous_indicators is not None and not params.previous_indicators.is_file():
        problems.append(f"  previous_indicators: {params.previous_indicators} is not a file.")
    if params.urgent_days.short_notice < params.urgent_days.emergency:
        problems.append("  urgent_days: short_notice must be at least emergency.")
    if problems:
        raise ParameterError(f"{path}: the parameters are not valid:\n" + "\n".join(problems))
    return params
