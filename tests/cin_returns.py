"""Tiny CIN census returns written by hand, as the DfE's XML (element order from the year's spec).

    xml = cin_xml(2025, "318", [child("A", episodes=[episode("2024-05-01", assessments=[
        assessment("2024-05-02", "2024-06-03", factors=["3A", "4B"])])])])

Dates are ISO (as the XML holds them); anything left out is left out of the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from carestat.spec import spec

Record = dict[str, Any]


def child(la_child_id: str | None, *, dob: str | None = "2015-01-01", sex: str = "F", upn: str | None = None,
          former_upn: str | None = None, ethnicity: str = "WBRI", disabilities: tuple[str, ...] = ("NONE",),
          episodes: list[Record] | None = None) -> Record:
    return {"LAchildID": la_child_id, "UPN": upn, "FormerUPN": former_upn, "PersonBirthDate": dob, "sex": sex,
            "Ethnicity": ethnicity, "disabilities": disabilities, "episodes": episodes or []}


def episode(referral: str, *, source: str = "2A", need: str | None = "N1", closed: str | None = None,
            reason: str | None = None, nfa: bool = False, assessments: list[Record] | None = None,
            s47: list[Record] | None = None, plans: list[Record] | None = None) -> Record:
    return {"CINreferralDate": referral, "ReferralSource": source, "PrimaryNeedCode": need, "CINclosureDate": closed,
            "ReasonForClosure": reason, "ReferralNFA": "true" if nfa else "false",
            "assessments": assessments or [], "s47": s47 or [], "plans": plans or []}


def assessment(start: str, authorised: str | None = None, factors: tuple[str, ...] | list[str] = ()) -> Record:
    return {"AssessmentActualStartDate": start, "AssessmentAuthorisationDate": authorised, "factors": list(factors)}


def enquiry(start: str, conference: str | None = None, not_required: bool = False) -> Record:
    return {"S47ActualStartDate": start, "DateOfInitialCPC": conference,
            "ICPCnotRequired": "true" if not_required else "false"}


def plan(start: str, end: str | None = None, initial: str = "NEG", latest: str | None = None,
         previous: int = 0) -> Record:
    return {"CPPstartDate": start, "CPPendDate": end, "InitialCategoryOfAbuse": initial,
            "LatestCategoryOfAbuse": latest or initial, "NumberOfPreviousCPP": str(previous)}


def _elements(record: Record, year: int, table: str, skip: tuple[str, ...] = ()) -> str:
    out = []
    for f in spec("cin", year).table(table).fields:
        value = record.get(f.name)
        if value is not None and f.name not in skip:
            out.append(f"<{f.xml_element}>{escape(str(value))}</{f.xml_element}>")
    return "".join(out)


def _episode(e: Record, year: int) -> str:
    parts = ["<CINdetails>", _elements(e, year, "CINdetails", skip=("ReferralNFA",))]
    for a in e["assessments"]:
        factors = "".join(f"<AssessmentFactors>{f}</AssessmentFactors>" for f in a["factors"])
        parts += ["<Assessments>", _elements(a, year, "Assessments"),
                  f"<FactorsIdentifiedAtAssessment>{factors}</FactorsIdentifiedAtAssessment>" if factors else "",
                  "</Assessments>"]
    parts += [f"<Section47>{_elements(s, year, 'Section47')}</Section47>" for s in e["s47"]]
    parts.append(f"<ReferralNFA>{e['ReferralNFA']}</ReferralNFA>")
    parts += [f"<ChildProtectionPlans>{_elements(p, year, 'ChildProtectionPlans')}</ChildProtectionPlans>"
              for p in e["plans"]]
    return "".join([*parts, "</CINdetails>"])


def cin_xml(year: int, la_code: str, children: list[Record]) -> str:
    """The census file's text."""
    sex_field = "Sex" if year >= 2025 else "GenderCurrent"
    body = []
    for c in children:
        ids = {**c, sex_field: c["sex"] if year >= 2025 else {"M": "1", "F": "2"}.get(c["sex"], "0")}
        disabilities = "".join(f"<Disability>{d}</Disability>" for d in c["disabilities"])
        body.append("<Child><ChildIdentifiers>" + _elements(ids, year, "ChildIdentifiers") + "</ChildIdentifiers>"
                    f"<ChildCharacteristics><Ethnicity>{c['Ethnicity']}</Ethnicity>"
                    + (f"<Disabilities>{disabilities}</Disabilities>" if disabilities else "")
                    + "</ChildCharacteristics>" + "".join(_episode(e, year) for e in c["episodes"]) + "</Child>")
    header = (f"<Header><CollectionDetails><Collection>CIN</Collection><Year>{year}</Year>"
              f"<ReferenceDate>{year}-03-31</ReferenceDate></CollectionDetails><Source><SourceLevel>L</SourceLevel>"
              f"<LEA>{la_code}</LEA></Source></Header>")
    return f'<?xml version="1.0" encoding="utf-8"?>\n<Message>{header}<Children>{"".join(body)}</Children></Message>\n'


def write_cin(folder: Path, year: int, la_code: str, children: list[Record]) -> Path:
    """``folder/YEAR/LA/cin/cin_LA_YEAR.xml``, laid out as `carestat generate` writes it."""
    path = Path(folder) / str(year) / la_code / "cin" / f"cin_{la_code}_{year}.xml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(cin_xml(year, la_code, children), encoding="utf-8")
    return path
