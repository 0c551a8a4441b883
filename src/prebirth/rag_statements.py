"""The book's own starter statements for the Red/Amber/Green self-assessment.

Organised by the guidelines' three stages and two levels. They are the project's own
wording, never the official Pre-birth Change Project tool: an area loads its own
statements through the ``rag`` table. The synthetic demo area rates exactly these.
"""

from __future__ import annotations

from dataclasses import dataclass

STAGES = ("Pre-birth", "Maternity setting and first hearing", "After discharge")
LEVELS = ("Strategic", "Practice")


@dataclass(frozen=True)
class Statement:
    """One statement of good practice to rate Red, Amber or Green."""

    statement_id: str
    stage: str
    level: str
    text: str


STARTER_STATEMENTS: tuple[Statement, ...] = tuple(Statement(f"S{i:02d}", stage, level, text) for i, (stage, level, text) in
                                                  enumerate((
    ("Pre-birth", "Strategic", "Partners share one written pathway for referring unborn babies early in pregnancy."),
    ("Pre-birth", "Strategic", "Maternity, health visiting and children's services agree when and how concerns about a pregnancy are shared."),
    ("Pre-birth", "Strategic", "Leaders look at local data on pre-birth referrals, assessments and proceedings at least twice a year."),
    ("Pre-birth", "Practice", "Pre-birth assessments start early enough to finish well before the expected date of birth."),
    ("Pre-birth", "Practice", "Both parents, fathers included, are invited to take part in the assessment and in planning."),
    ("Pre-birth", "Practice", "Parents are offered independent advocacy and early legal advice when concerns are serious."),
    ("Maternity setting and first hearing", "Strategic", "Hospitals and children's services follow an agreed protocol for babies who may be separated from their parents at birth."),
    ("Maternity setting and first hearing", "Strategic", "Applications to court on the day of birth are made only when no safe alternative exists, and each one is reviewed."),
    ("Maternity setting and first hearing", "Strategic", "The local family justice board monitors the notice parents receive before first hearings."),
    ("Maternity setting and first hearing", "Practice", "Parents know the plan for the birth and the days after it well before the due date."),
    ("Maternity setting and first hearing", "Practice", "Parents receive court papers in good time and are represented at the first hearing."),
    ("Maternity setting and first hearing", "Practice", "If a baby is separated from their parents, time together in hospital is planned and supported."),
    ("After discharge", "Strategic", "Support for parents continues after proceedings, whatever the outcome."),
    ("After discharge", "Strategic", "A service helps parents whose children were removed before any further pregnancy."),
    ("After discharge", "Strategic", "Partners track what happens to babies and parents after discharge and review it together."),
    ("After discharge", "Practice", "Family time for parents and babies is frequent, close to home and in a welcoming place."),
    ("After discharge", "Practice", "Parents are told about support for their own health and wellbeing after a separation."),
    ("After discharge", "Practice", "Records explain decisions in words parents can understand."),
), start=1))


# -- where the book holds data that bear on a statement ----------------------------------------

@dataclass(frozen=True)
class RatingCheck:
    """A figure the book publishes that bears on one statement, defined once.

    ``indicator`` and ``group``: the row of ``indicators.csv`` (its whole period). ``higher_is_better``:
    which way the figure points. A **Green** is questioned when the figure is worse than ``green_needs``
    (a share); a **Red** when it is at least as good as ``red_doubtful`` (None: never). ``says``: the
    figure in words, with ``{v}`` for the value (e.g. "fathers were invited for {v} of babies ...").
    """

    statement_id: str
    indicator: str
    says: str
    chapter: int
    group: str = ""
    higher_is_better: bool = True
    green_needs: float = 0.75
    red_doubtful: float | None = 0.9


RATING_CHECKS: tuple[RatingCheck, ...] = (
    RatingCheck("S04", "prebirth_assessments_authorised_before_due_share",
                "{v} of pre-birth assessments were authorised before the baby was due", 4),
    RatingCheck("S05", "fathers_invited_share",
                "fathers were invited to meetings for {v} of babies with a pre-birth assessment", 7),
    RatingCheck("S06", "fathers_legal_advice_share",
                "fathers were offered legal advice for {v} of babies with a pre-birth assessment", 7),
    RatingCheck("S06", "mothers_legal_advice_share",
                "mothers were offered legal advice for {v} of babies with a pre-birth assessment", 7),
    RatingCheck("S08", "hearing_same_day_share",
                "{v} of newborns' first hearings were on the day proceedings were issued", 5, group="newborns",
                higher_is_better=False, green_needs=0.10, red_doubtful=0.02),
    RatingCheck("S11", "hearing_within_7_days_share",
                "{v} of newborns' first hearings were held within 7 days of the application", 5, group="newborns",
                higher_is_better=False, green_needs=0.50, red_doubtful=0.10),
    RatingCheck("S17", "mothers_offered_support_share",
                "mothers were offered support for {v} of babies with a pre-birth assessment", 7),
)
"""Which starter statements the book's published figures bear on. Thresholds are this book's own
rule of thumb for "worth a second look", never a standard: the note asks a question, it does not
re-rate."""


def check_note(rating: str, value: float, check: RatingCheck) -> str:
    """'' when the rating and the figure sit together; else which way they disagree ('green' / 'red')."""
    if value is None or value != value:  # NaN: nothing to check against
        return ""
    good = (lambda v, t: v >= t) if check.higher_is_better else (lambda v, t: v <= t)
    if rating == "G" and not good(value, check.green_needs):
        return "green"
    if rating == "R" and check.red_doubtful is not None and good(value, check.red_doubtful):
        return "red"
    return ""


# -- the Pre-birth Change Project's own materials (links only: nothing is fetched) ------------------

CHANGE_PROJECT_URL = ("https://www.researchinpractice.org.uk/children/content-pages/change-projects/"
                      "pre-birth-change-project/")
GUIDELINES_URL = ("https://www.nuffieldfjo.org.uk/resource/born-into-care-best-practice-guidelines-for-when-the-"
                  "state-intervenes-at-birth")
GUIDELINES_CITATION = ("Mason, C., Broadhurst, K., Ward, H., Barnett, A. and Holmes, L. (2023) *Born into Care: "
                       "Best practice guidelines for when the state intervenes at birth*. London: Nuffield Family "
                       "Justice Observatory.")
