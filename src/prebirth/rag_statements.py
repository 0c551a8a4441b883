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
