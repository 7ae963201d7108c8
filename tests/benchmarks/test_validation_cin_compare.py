"""The CIN differential's comparison: locations keyed by code, table and row; reviews the reference
never reads kept apart; crashed rules not compared."""

from collections import Counter
from pathlib import Path

from benchmarks import validation_cin

# Two plans: the first's Reviews holds two dates (rows 1 and 2), the second's one (row 3).
XML = """<Message><Children>
<Child><CINdetails><ChildProtectionPlans><Reviews><CPPreviewDate>2024-05-01</CPPreviewDate>
<CPPreviewDate>2024-08-01</CPPreviewDate></Reviews></ChildProtectionPlans>
<ChildProtectionPlans><Reviews><CPPreviewDate>2024-09-01</CPPreviewDate></Reviews></ChildProtectionPlans>
</CINdetails></Child></Children></Message>"""


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_text("code,table,row,child\n" + "".join(f"{r}\n" for r in rows))
    return path


def test_later_review_dates_are_the_ones_the_reference_does_not_read(tmp_path: Path) -> None:
    xml = tmp_path / "cin.xml"
    xml.write_text(XML)
    assert validation_cin._later_review_rows(xml) == {"2"}


def test_tally_sorts_each_error_by_who_found_it(tmp_path: Path) -> None:
    xml = tmp_path / "cin.xml"
    xml.write_text(XML)
    ours = _csv(tmp_path / "c.csv", [
        "8841,Reviews,1,A", "8841,Reviews,2,B", "8841,ChildProtectionPlans,1,B",  # B's review unread
        "8790,Disabilities,4,C", "2887Q,,,", "8898,AssessmentFactorsList,7,D"])
    theirs = _csv(tmp_path / "r.csv", ["8841,Reviews,1,A", "8790,Disabilities,5,C", "8898,Assessments,3,D"])
    agree: dict[str, Counter] = {}
    children: dict[str, Counter] = {}
    pair = {"xml": xml, "ours_csv": ours, "ref_csv": theirs, "reference": {"failed_rules": ["8898"]}}
    validation_cin.tally(pair, agree, children)
    assert agree["8841"] == Counter(both=1, reference_unread=2)
    assert agree["8790"] == Counter(carestat_only=1, reference_only=1)
    assert children["8790"] == Counter(both=1)  # same child, different record
    assert agree["2887Q"] == Counter(carestat_only=1)
    assert agree["8898"] == Counter(reference_crashed=2, reference_crashed_censuses=1)
    assert "8898" not in children
    assert set(validation_cin.disagreements({k: dict(v) for k, v in agree.items()})) == {"8790", "2887Q"}
