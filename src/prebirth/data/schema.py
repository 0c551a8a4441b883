"""The canonical tables every chapter reads (DESIGN 5.1), as one source of truth.

Adapters turn each source (CSV folder, workbook, standard returns) into *raw*
frames: every column a string (missing = ``None``), with the canonical column names
and two provenance columns, ``_file`` (the file name) and ``_row`` (the row number
in that file, or the XML element path). Validation (``prebirth.data.validate``)
then types them and reports every problem with its file, row and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PROVENANCE = ("_file", "_row")

# Column kinds: "id" (text key), "date" (ISO or DD/MM/YYYY), "code" (one of a set),
# "yn" (Y/N), "int", "float", "text", "codes" (";"-separated codes).
SEX_CODES = ("M", "F", "U")
PARENT_ROLES = ("mother", "father", "other")
REFERRAL_OUTCOMES = ("nfa", "assessment", "s47", "early_help", "other")
ASSESSMENT_KINDS = ("pre-birth", "child-and-family", "other")
SUPPORT_KINDS = (
    "family_group_conference", "parenting", "specialist_midwifery",
    "perinatal_mental_health", "substance_misuse", "domestic_abuse", "legal_advice",
    "housing", "advocacy", "post_separation", "other",
)
APPLICATIONS = ("s31", "epo")
FIRST_ORDERS = ("ico", "epo", "none")
FINAL_OUTCOMES = (
    "care_order", "placement_order", "sgo", "cao", "supervision_order", "no_order",
    "withdrawn", "other",
)
RAG_RATINGS = ("R", "A", "G")
# Words a code may also be written as (any case, spaces around ignored), by (table, column): the
# printable worksheet and its drop-downs say Red, Amber and Green.
CODE_WORDS: dict[tuple[str, str], dict[str, str]] = {
    ("rag", "rating"): {"RED": "R", "AMBER": "A", "GREEN": "G"},
}
YN = ("Y", "N")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"
    required: bool = False
    codes: tuple[str, ...] = ()
    help: str = ""
    low: float | None = None  # numbers: the smallest value that makes sense (checked where it is read)
    high: float | None = None
    why: str = ""  # why the range, in words


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # columns that must be unique together
    description: str = ""
    references: dict[str, str] = field(default_factory=dict)  # column -> "table.column"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(name, kind="text", required=False, codes=(), help="", low=None, high=None, why=""):
    return Column(name, kind, required, tuple(codes), help, low, high, why)


TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table(
            "children",
            (
                _c("child_id", "id", True, help="your case-management system's child id"),
                _c("mother_id", "id", help="parent_id of the mother in the parents table"),
                _c("father_id", "id", help="parent_id of the father in the parents table"),
                _c("date_of_birth", "date", help="blank while the baby is unborn"),
                _c("expected_date_of_birth", "date", help="keep it after the birth"),
                _c("sex", "code", codes=SEX_CODES),
                _c("ethnicity", "text", help="DfE ethnicity code, e.g. WBRI"),
            ),
            key=("child_id",),
            description="one row per child, unborn children included",
            references={"mother_id": "parents.parent_id", "father_id": "parents.parent_id"},
        ),
        Table(
            "parents",
            (
                _c("parent_id", "id", True),
                _c("role", "code", True, codes=PARENT_ROLES),
                _c("date_of_birth", "date"),
                _c("ethnicity", "text"),
                _c("care_experienced", "yn", codes=YN),
                _c("child_protection_as_child", "yn", codes=YN,
                   help="Y if the parent was on a child protection plan as a child"),
                _c("child_in_need_as_child", "yn", codes=YN,
                   help="Y if the parent was a child in need (supported by children's social care) as a child"),
            ),
            key=("parent_id",),
            description="one row per parent",
        ),
        Table(
            "referrals",
            (
                _c("referral_id", "id", True),
                _c("child_id", "id", True),
                _c("referral_date", "date", True),
                _c("source", "text", help="CIN ReferralSource code"),
                _c("outcome", "code", codes=REFERRAL_OUTCOMES),
                _c("closed_date", "date", help="when the referral (its child-in-need episode) was closed; "
                                                "blank while open (CIN census CINclosureDate)"),
            ),
            key=("referral_id",),
            description="referrals to children's social care, all children if available",
            references={"child_id": "children.child_id"},
        ),
        Table(
            "assessments",
            (
                _c("assessment_id", "id", True),
                _c("child_id", "id", True),
                _c("start_date", "date", True),
                _c("referral_id", "id"),
                _c("authorised_date", "date", help="blank while the assessment is open"),
                _c("kind", "code", codes=ASSESSMENT_KINDS),
                _c("factors", "codes", help="CIN assessment-factor codes separated by ';'"),
                _c("team", "text"),
            ),
            key=("assessment_id",),
            references={"child_id": "children.child_id", "referral_id": "referrals.referral_id"},
        ),
        Table(
            "support",
            (
                _c("support_id", "id", True),
                _c("child_id", "id", True),
                _c("kind", "code", True, codes=SUPPORT_KINDS),
                _c("offered_date", "date", True),
                _c("parent_id", "id"),
                _c("started_date", "date"),
                _c("ended_date", "date"),
            ),
            key=("support_id",),
            references={"child_id": "children.child_id", "parent_id": "parents.parent_id"},
        ),
        Table(
            "transfers",
            (
                _c("child_id", "id", True),
                _c("transfer_date", "date", True),
                _c("from_team", "text"),
                _c("to_team", "text"),
            ),
            references={"child_id": "children.child_id"},
        ),
        Table(
            "proceedings",
            (
                _c("proceedings_id", "id", True),
                _c("child_id", "id", True),
                _c("issue_date", "date", True),
                _c("first_hearing_date", "date"),
                _c("application", "code", codes=APPLICATIONS),
                _c("pre_proceedings_start_date", "date"),
                _c("first_order", "code", codes=FIRST_ORDERS),
                _c("final_outcome", "code", codes=FINAL_OUTCOMES),
                _c("final_outcome_date", "date"),
            ),
            key=("proceedings_id",),
            description="one row per child per application",
            references={"child_id": "children.child_id"},
        ),
        Table(
            "care_episodes",
            (
                _c("child_id", "id", True),
                _c("start_date", "date", True),
                _c("end_date", "date"),
                _c("legal_status", "text", help="SSDA903 legal status code, e.g. C1, V2"),
                _c("placement", "text", help="SSDA903 PLACE code"),
                _c("reason_new_episode", "text", help="SSDA903 RNE code, e.g. S"),
                _c("reason_ceased", "text", help="SSDA903 REC code"),
            ),
            key=("child_id", "start_date"),
            references={"child_id": "children.child_id"},
        ),
        Table(
            "involvement",
            (
                _c("child_id", "id", True),
                _c("parent_id", "id", True),
                _c("assessed", "yn", codes=YN),
                _c("invited_to_meetings", "yn", codes=YN),
                _c("attended_fgc", "yn", codes=YN),
                _c("included_in_plan", "yn", codes=YN),
                _c("offered_support", "yn", codes=YN),
                _c("legal_advice", "yn", codes=YN),
            ),
            key=("child_id", "parent_id"),
            references={"child_id": "children.child_id", "parent_id": "parents.parent_id"},
        ),
        Table(
            "births",
            (_c("year", "int", True, low=1900, high=2100, why="a calendar year"),
             _c("live_births", "int", True, low=1,
                why="rates are per live birth: a year with no births recorded is left out, not 0")),
            key=("year",),
            description="calendar-year live births to mothers resident in the area (ONS)",
        ),
        Table(
            "context",
            (
                _c("period", "text", True),
                _c("indicator", "text", True),
                _c("value", "float", True),
                _c("unit", "text"),
                _c("source", "text"),
            ),
            key=("period", "indicator"),
        ),
        Table(
            "rag",
            (
                _c("round_date", "date", True),
                _c("statement_id", "id", True),
                _c("stage", "text", True),
                _c("level", "text", True),
                _c("statement", "text", True),
                _c("rating", "code", codes=RAG_RATINGS),
                _c("evidence", "text"),
                _c("owner", "text"),
                _c("next_review", "date"),
            ),
            key=("round_date", "statement_id"),
        ),
    ]
}

REQUIRED_TABLES = ("children",)
