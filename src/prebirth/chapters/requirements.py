"""What each chapter needs from the data, so chapter 0 can say what can be answered now.

Each need names a table and the fields used; ``essential`` needs decide between
"can answer" and "not yet"; the others make an answer fuller ("partly" when absent).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Need:
    table: str
    fields: tuple[str, ...]
    essential: bool
    why: str
    record: str  # what to record routinely in the case-management system
    scope: str = "all"  # "prebirth": completeness counts only babies referred or assessed before birth


@dataclass(frozen=True)
class Question:
    chapter: int
    key: str
    title: str
    question: str
    needs: tuple[Need, ...]


QUESTIONS: tuple[Question, ...] = (
    Question(1, "infants", "Infants and newborns in care proceedings",
             "How many infants and newborns come into care proceedings, and how does that compare?",
             (Need("children", ("child_id", "date_of_birth"), True, "ages at issue",
                   "the child's full date of birth (not rounded to the month)"),
              Need("proceedings", ("child_id", "issue_date"), True, "who was in proceedings and when",
                   "the date each care application was issued, per child"),
              Need("births", ("year", "live_births"), False, "rates per 10,000 live births",
                   "ONS live births to mothers resident in the area, by calendar year"),
              Need("care_episodes", ("child_id", "start_date", "reason_new_episode"), False,
                   "infants among children starting to be looked after",
                   "the SSDA903 episodes you already return to the DfE"))),
    Question(2, "recurrence", "Recurrent proceedings",
             "How many babies in proceedings have a mother who was in earlier proceedings about an older child?",
             (Need("children", ("child_id", "mother_id", "date_of_birth"), True, "linking babies to their mother",
                   "the mother's id on every child's record, including unborn babies"),
              Need("proceedings", ("child_id", "issue_date"), True, "earlier and later proceedings",
                   "every set of proceedings, including those before the report period"),
              Need("referrals", ("child_id", "referral_date"), False, "time from earlier proceedings to the new referral",
                   "the referral date of each pre-birth referral"),
              Need("assessments", ("child_id", "start_date", "kind"), False, "pre-birth assessments",
                   "the kind of assessment (pre-birth or other)"))),
    Question(3, "trends", "What lies behind the trends?",
             "What local factors and changes in practice lie behind the trend?",
             (Need("children", ("child_id", "date_of_birth"), True, "ages at issue",
                   "the child's full date of birth (not rounded to the month)"),
              Need("proceedings", ("child_id", "issue_date"), True, "the trend itself",
                   "the issue date of every application"),
              Need("births", ("year", "live_births"), True, "rates per 10,000 live births and the trend models",
                   "ONS live births to mothers resident in the area, by calendar year"),
              Need("context", ("period", "indicator", "value"), False, "local context over time",
                   "local indicators by financial year: child poverty, s20 starts, caseloads, early-help spend, "
                   "families in temporary accommodation"),
              Need("care_episodes", ("child_id", "start_date", "legal_status"), False, "legal route into care",
                   "the SSDA903 legal status at the start of each episode"),
              Need("proceedings", ("pre_proceedings_start_date",), False, "pre-proceedings before newborn proceedings",
                   "the date pre-proceedings started before each application (CIN census PPStartDate from 2026)"))),
    Question(4, "waiting", "Waiting times",
             "How long do families wait from referral to assessment, to a decision, and to help?",
             (Need("referrals", ("referral_id", "child_id", "referral_date"), True, "when the wait starts",
                   "the referral date for every referral, pre-birth ones included"),
              Need("assessments", ("assessment_id", "child_id", "start_date"), True, "when the assessment starts",
                   "the start date of every assessment"),
              Need("assessments", ("authorised_date",), False, "time to a decision",
                   "the date each assessment was authorised"),
              Need("assessments", ("referral_id",), False, "which referral an assessment follows",
                   "the referral each assessment follows (otherwise the child's next assessment is taken)"),
              Need("children", ("date_of_birth",), False, "pre-birth referrals told apart from others",
                   "each child's date of birth (blank while unborn)"),
              Need("children", ("expected_date_of_birth",), False, "gestation at referral",
                   "the expected date of birth, kept after the baby is born", scope="prebirth"),
              Need("support", ("child_id", "offered_date"), False, "time to help", "when each kind of support was offered"),
              Need("transfers", ("child_id", "transfer_date"), False, "time lost at transfers",
                   "the date of each transfer between teams"))),
    Question(5, "urgent", "Urgent hearings",
             "How often are first hearings held at short notice or on the same day?",
             (Need("proceedings", ("child_id", "issue_date", "first_hearing_date"), True, "notice given",
                   "the date of the first hearing for each application"),
              Need("children", ("date_of_birth",), False, "the baby's age at the first hearing", "the date of birth"))),
    Question(6, "parents", "The parents",
             "Who are the parents in pre-birth assessment, and what do they need?",
             (Need("assessments", ("child_id", "start_date"), True, "which babies had a pre-birth assessment",
                   "every assessment with its start date and kind (pre-birth or other)"),
              Need("children", ("mother_id",), False, "linking each baby to their parents",
                   "the mother's and father's ids on the baby's record, from the first referral before birth",
                   scope="prebirth"),
              Need("parents", ("parent_id", "role", "date_of_birth"), False, "parents' ages",
                   "each parent's date of birth and role"),
              Need("assessments", ("factors",), False, "presenting needs",
                   "the CIN assessment factors at the end of each assessment, pre-birth ones included"),
              Need("parents", ("ethnicity", "care_experienced"), False, "ethnicity and care experience",
                   "parents' ethnicity and whether they were in care themselves"),
              Need("parents", ("child_protection_as_child", "child_in_need_as_child"), False,
                   "parents' own childhood contact with children's services beyond care",
                   "whether each parent was on a child protection plan, or a child in need, as a child (Y or N)"),
              Need("context", ("indicator", "value"), False, "the area's births by ethnic group",
                   "births by mother's ethnic group (context rows births_ethnicity_white, _mixed, _asian, _black, "
                   "_other)"))),
    Question(7, "fathers", "Fathers",
             "Does pre-birth work include fathers?",
             (Need("assessments", ("child_id", "start_date"), True, "which babies had a pre-birth assessment",
                   "every assessment with its start date and kind (pre-birth or other)"),
              Need("children", ("child_id", "father_id"), True, "whether a father is recorded",
                   "the father's id on the baby's record, even before birth", scope="prebirth"),
              Need("involvement", ("child_id", "parent_id", "assessed", "invited_to_meetings", "attended_fgc",
                                   "included_in_plan", "offered_support", "legal_advice"), False,
                   "how fathers took part",
                   "for each parent: assessed, invited, at the family group conference, in the plan, offered support, "
                   "given legal advice"),
              Need("parents", ("parent_id", "date_of_birth", "ethnicity", "care_experienced"), False,
                   "how complete fathers' records are", "each father's date of birth, ethnicity and care history"),
              Need("proceedings", ("child_id", "issue_date"), False, "fathers of babies in care proceedings",
                   "the issue date of every application"))),
    Question(8, "reflect", "Reflect and plan",
             "Where are we now, and what will we measure to know if things improve?",
             (Need("rag", ("round_date", "statement_id", "stage", "level", "rating"), False,
                   "your own self-assessment rounds", "each round's ratings against the statements"),)),
)


@dataclass(frozen=True)
class Audit:
    """A case-file audit for a question whose data are thin or withheld: what it checks, and each
    field with where to look in the case file and why it matters."""

    summary: str
    fields: tuple[tuple[str, str, str], ...]


AUDITS: dict[str, Audit] = {
    "infants": Audit(
        "the baby's age at each application, from the court papers",
        (("Baby's full date of birth", "birth notification or health record", "a date rounded to the month hides "
          "newborns"),
         ("Date each care application was issued", "court application (C110A) or legal file", "the year counted"),
         ("Baby's age in days at issue", "worked out from the two dates above", "newborn means under 7 days"),
         ("Was the application about an unborn baby's plan made before birth?", "pre-birth plan or legal planning "
          "meeting minutes", "whether the work started before birth"))),
    "recurrence": Audit(
        "whether the mother (or father) had earlier proceedings about another child, here or elsewhere",
        (("Mother linked to the baby's record", "family and relationships section of the record", "needed to find "
          "earlier proceedings"),
         ("Earlier care proceedings about an older child", "chronology, legal file, other authorities' letters",
          "local records miss other authorities' proceedings"),
         ("Date the earlier proceedings ended", "final order in the legal file", "time between proceedings"),
         ("Support offered between the proceedings", "case notes after the final order", "what help came in "
          "between"))),
    "trends": Audit(
        "the legal route and pre-proceedings for babies who came into care",
        (("Legal route at entry to care (ICO, EPO, police protection, section 20)", "placement and legal file",
          "the route behind the trend"),
         ("Date pre-proceedings (PLO) began", "pre-proceedings letter and meeting minutes", "whether it began "
          "before birth"),
         ("Local changes at the time (team, threshold, service)", "service records, managers", "context for "
          "the trend"))),
    "waiting": Audit(
        "the dates of each step, from referral to help",
        (("Referral date and weeks of pregnancy then", "contact and referral record; midwife's referral",
          "how early families are known"),
         ("Assessment start and authorisation dates", "assessment record", "time to a decision"),
         ("Date support was first offered, and what", "case notes, plan", "time to help"),
         ("Transfers between teams", "allocation history", "time lost at transfers"))),
    "urgent": Audit(
        "the notice parents had before the first hearing, and whether they had legal advice",
        (("Date the application was issued", "court application", "start of the notice"),
         ("Date of the first hearing", "court order or hearing notes", "notice given"),
         ("When the parents were told and had legal advice", "letter before proceedings, solicitor contact",
          "whether parents could prepare"),
         ("Baby's age at the first hearing", "birth date and hearing date", "hearings in the first days of "
          "life"))),
    "parents": Audit(
        "the parents' ages, needs and their own childhood contact with children's services",
        (("Mother's and father's dates of birth", "parents' records", "age at the birth"),
         ("Needs noted in the assessment (mental health, domestic abuse, alcohol or drugs, learning disability)",
          "assessment and its factors", "the needs behind the figures"),
         ("Was the parent in care as a child?", "parent's own childhood record, chronology", "care experience"),
         ("Was the parent on a child protection plan, or a child in need, as a child?", "parent's own childhood "
          "record, chronology", "earlier involvement beyond care"))),
    "fathers": Audit(
        "whether the father was identified, involved and supported",
        (("Father identified on the baby's record", "family and relationships section", "fathers missing from "
          "records"),
         ("Father assessed, invited, at the family group conference, in the plan", "assessment, meeting minutes, "
          "plan", "how fathers took part"),
         ("Support offered to the father, and legal advice", "case notes, plan", "fathers' own needs"),
         ("Earlier proceedings in which the father was a parent", "chronology, legal file", "fathers in repeat "
          "proceedings"))),
}
