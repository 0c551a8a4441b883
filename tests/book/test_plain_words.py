"""Plain words for families: what a reader sees on the demo book's pages, without opening a fold,
names no statistical model, no field of the data files and no internal code. The analyst finds
them in the "For analysts" folds (HTML <details>) and on the Methods page."""

import re

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.slow

# (what is looked for, as a regular expression; how the failure names it)
ANALYST_WORDS = [
    (r"\bhazard ratios?\b", "hazard ratio"),
    (r"\bodds ratios?\b", "odds ratio"),
    (r"\bphi\b", "phi"),
    (r"\bpoisson\b", "Poisson"),
    (r"\bnegative binomial\b", "negative binomial"),
    (r"\bkaplan[- ]meier\b", "Kaplan-Meier"),
    (r"\bCox\b", "Cox"),  # the model, not the word "cox" in a name: case kept
    (r"\blogit\b", "logit"),
    (r"\blogistic\b", "logistic"),
    (r"\bsegmented\b", "segmented"),
    (r"\w_id\b", "_id (a field name)"),
    (r"\.ipynb\b", ".ipynb"),
    (r"(?<![\w-])ico\b", "ico (an internal code)"),
    (r"\bs20\b", "s20 (an internal code)"),
]
# matched in their own case: "Cox" the model (not "cox" inside a word), "ico" the data's code (not
# "ICO", the abbreviation of an interim care order that a parent meets in court papers)
CASE_KEPT = {"Cox", "ico (an internal code)"}

# Pages written for the analyst as a whole, where these words are the subject: the methods, and
# the guide to preparing the data files (its tables are the files' fields).
ANALYST_PAGES = {"pages/methods.html", "pages/data_guide.html"}
# The glossary explains the abbreviation a parent meets in letters from the local authority.
EXPLAINED = {"pages/glossary.html": {"s20 (an internal code)"}}


def visible_text(html: str) -> str:
    """The page's words as a reader sees them without opening a fold: scripts, styles and every
    <details> element (the "For analysts" folds, a chart's data) taken out."""
    soup = BeautifulSoup(html, "lxml")
    for hidden in soup(["script", "style", "noscript", "template", "details"]):
        hidden.decompose()
    return re.sub(r"\s+", " ", soup.body.get_text(" ") if soup.body else "")


def analyst_words(text: str) -> list[tuple[str, str]]:
    """Each analyst word found in ``text``, with the words around it."""
    found = []
    for pattern, name in ANALYST_WORDS:
        for match in re.finditer(pattern, text, 0 if name in CASE_KEPT else re.I):
            found.append((name, text[max(0, match.start() - 60):match.end() + 40]))
    return found


def test_the_scan_finds_analyst_words_outside_folds_and_not_inside_them():
    page = ('<html><body><p>The rate rose (quasi-Poisson model), children.mother_id 86%.</p>'
            '<details class="prebirth-analyst"><summary>For analysts</summary><p>Hazard ratio 0.86 (Cox)</p>'
            '</details><p>Legal route: ico 76%; s20 18%. Download .ipynb</p><p>Mrs Wilcox; an ICO</p></body></html>')
    names = [name for name, _ in analyst_words(visible_text(page))]
    assert names == ["Poisson", "_id (a field name)", ".ipynb", "ico (an internal code)", "s20 (an internal code)"]


def test_no_page_shows_analyst_words_outside_a_fold(demo_book):
    pages = sorted(p for p in demo_book.html.rglob("*.html")
                   if p.relative_to(demo_book.html).parts[0] in ("pages", "notebooks"))
    assert len(pages) >= 15, [p.name for p in pages]  # every chapter and reader page was read
    problems = []
    for path in pages:
        name = path.relative_to(demo_book.html).as_posix()
        if name in ANALYST_PAGES:
            continue
        for word, context in analyst_words(visible_text(path.read_text(encoding="utf-8"))):
            if word not in EXPLAINED.get(name, set()):
                problems.append(f"{name}: '{word}' in \"...{context}...\"")
    assert not problems, "analyst words a parent reads:\n" + "\n".join(problems)


def test_the_analyst_detail_is_still_there_behind_folds_and_on_the_methods_page(demo_book):
    # the words moved, not lost: chapter 4's hazard ratio and chapter 8's every measure sit in folds
    waiting = BeautifulSoup(demo_book.page("04_waiting_times"), "lxml")
    folds = waiting.select("details.prebirth-analyst")
    assert any("hazard ratio" in f.get_text().lower() for f in folds)
    assert all(f.summary.get_text().startswith("For analysts") for f in folds)
    reflect = BeautifulSoup(demo_book.page("08_reflect_and_plan"), "lxml")
    assert any("Baseline measures for evaluation" in f.summary.get_text()
               for f in reflect.select("details.prebirth-analyst"))
    methods = (demo_book.html / "pages" / "methods.html").read_text(encoding="utf-8")
    assert "Kaplan-Meier" in methods and "Poisson" in methods
