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
