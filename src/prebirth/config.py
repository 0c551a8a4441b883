"""The area parameters (``areas/<name>.yml``): one validated model shared by the CLI,
the build and the notebooks (DESIGN 4)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator


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
        "none", description="widen funnel-plot limits for real differences between areas (Spiegelhalter 2005)")
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

    @property
    def slug(self) -> str:
        return self.source_file.stem if self.source_file else self.area_code

    @property
    def min_count(self) -> int:
        return self.suppression.min_count

    @property
    def published(self) -> bool:
        return self.audience == "published"


def load_parameters(path: str | Path) -> AreaParameters:
    """Read and check a parameters file; relative paths are resolved from its folder.

    Raises ParameterError with one line per problem (never a traceback).
    """
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"{path}: parameters file not found. Create it (see areas/demo.yml) or check the path.")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
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
            if err["type"] == "extra_forbidden":
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
