"""The genre corpus: documents of other agencies and years, each laid out its own way, load
exactly as their hand-written expected graphs say, give exactly their expected findings, read
identically as PDF, and leave no line unread.

Each ``tests/corpus/NAME-YEAR.txt`` is a strategy-map / scorecard document in the genre of the
seeds (extracted slide text with its city map); beside it, written by hand from the document
before the loader read it: ``NAME-YEAR.expected.yaml`` (the agency plan; the city map of that
year is ``city-YEAR.yaml``) and ``NAME-YEAR.findings.yaml`` (rule, plan, subject of every
finding the audit must report on that document alone). How each lays the genre out:

- health-113: KPI overview one KPI per line (構面 | 策略主題 | KPI項目), theme letters alone in
  their cells, merged (blank) cells; overview before the scorecard.
- transport-112: KPI overview transposed (themes as rows: ``優化停車管理C``), in another order
  than the scorecard; an action plan shared by two KPIs; theme letters A and C.
- social-welfare-113: agency map before the city map; continuation slides (``（續）``,
  ``（接上頁）``); full-width digits in per-theme and per-plan totals; a dash for no plan.
- education-112: no link column, the upward link beside the objective (``（承接FC1 ...）``);
  names holding Latin letters and digits (``CEFR A2``, ``5G``, ``2.0``, ``A1類``); a code
  written twice in one cell with two names.
- police-113: no KPI overview; a row and names wrapped over two lines; merged link cells; the
  upward link and the perspective in one cell; a dash for no upward link.
- environment-112: totals in the other phrasing (``策略目標共９項``, ``計９項``), theme
  headings without their letter (``策略主題：推動淨零減碳``), city map last, ``PM2.5``.
- finance-113: link column last, a column bscalign does not model (衡量標準), continuation
  headings (``續``, ``(續)``), KPI overview after the scorecard with WCCD/府 flags.
- culture-112: KPI overview by theme name (策略主題 | KPI) in another order, city map with one
  objective per line, last; a malformed action-plan code.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from facts import graph_facts
from test_pdf import build_pdf, fonts  # noqa: F401 (fonts is a fixture)

from bscalign.loaders import LoadResult, read_plans
from bscalign.loaders.seedtext import NOT_READ, trace_seed_text
from bscalign.queries.engine import audit

CORPUS = Path(__file__).resolve().parent / "corpus"
DOCUMENTS = sorted(CORPUS.glob("*-*.txt"))
#: Documents whose PDF with one table cell per line (``stacked``) reads exactly like their
#: text. Any other must give a load problem naming file and line, never a silent difference.
STACKED_EXACT = {
    "culture-112",
    "education-112",
    "environment-112",
    "finance-113",
    "health-113",
    "police-113",
    "social-welfare-113",
    "transport-112",
}


def expected(document: Path) -> LoadResult:
    year = document.stem.rsplit("-", 1)[1]
    return read_plans([CORPUS / f"city-{year}.yaml", CORPUS / f"{document.stem}.expected.yaml"])


def test_the_corpus_is_the_genre_not_two_documents() -> None:
    assert len(DOCUMENTS) >= 8
    assert len({document.read_text(encoding="utf-8")[:20] for document in DOCUMENTS}) >= 8


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.stem)
def test_document_loads_exactly_its_expected_graph(document: Path) -> None:
    loaded, wanted = read_plans([document]), expected(document)
    assert loaded.problems == [] and wanted.problems == []
    assert graph_facts(loaded.graph) == graph_facts(wanted.graph)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.stem)
def test_document_gives_exactly_its_expected_findings(document: Path) -> None:
    findings = audit(read_plans([document]).graph).findings
    got = sorted([f.name, f.plan, f.subject] for f in findings)
    want = yaml.safe_load((CORPUS / f"{document.stem}.findings.yaml").read_text(encoding="utf-8"))
    assert got == sorted(want)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.stem)
def test_no_line_of_a_document_is_left_unread(document: Path) -> None:
    trace, problems = trace_seed_text(document.read_text(encoding="utf-8"), str(document))
    assert problems == []
    assert [line.text for line in trace if line.note == NOT_READ] == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.stem)
def test_document_as_pdf_reads_identically(
    document: Path,
    fonts: dict[str, object],  # noqa: F811
    tmp_path: Path,
) -> None:
    pdf = tmp_path / f"{document.stem}.pdf"
    pdf.write_bytes(build_pdf(document.read_text(encoding="utf-8"), "row", fonts))
    loaded = read_plans([pdf])
    assert loaded.problems == []
    assert graph_facts(loaded.graph) == graph_facts(read_plans([document]).graph)


def findings_of(result: LoadResult) -> list[list[str]]:
    return sorted([f.name, f.plan, f.subject] for f in audit(result.graph).findings)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.stem)
def test_document_as_one_cell_per_line_pdf_reads_identically_or_says_where_not(
    document: Path,
    fonts: dict[str, object],  # noqa: F811
    tmp_path: Path,
) -> None:
    pdf = tmp_path / f"{document.stem}.pdf"
    pdf.write_bytes(build_pdf(document.read_text(encoding="utf-8"), "stacked", fonts))
    loaded, text = read_plans([pdf]), read_plans([document])
    if document.stem in STACKED_EXACT or not loaded.problems:
        assert loaded.problems == []
        assert graph_facts(loaded.graph) == graph_facts(text.graph)
        assert findings_of(loaded) == findings_of(text)
    else:  # a reading it cannot be sure of is said, with the file and line it concerns
        assert all(p.file == str(pdf) and p.line > 0 for p in loaded.problems)
