"""Small CIN census documents shared by the reader and validation tests."""

HEADER = ("<Header><CollectionDetails><Collection>CIN</Collection><Year>2025</Year>"
          "<ReferenceDate>2025-03-31</ReferenceDate></CollectionDetails><Source><SourceLevel>L</SourceLevel>"
          "<LEA>805</LEA></Source></Header>")
CHILD_A = """<Child>
  <ChildIdentifiers><LAchildID> A1 </LAchildID><PersonBirthDate>2015-03-27</PersonBirthDate><Sex>m</Sex>
  </ChildIdentifiers>
  <ChildCharacteristics><Ethnicity>wbri</Ethnicity>
    <Disabilities><Disability>HAND</Disability><Disability>HEAR</Disability></Disabilities>
  </ChildCharacteristics>
  <CINdetails><CINreferralDate>2024-05-01</CINreferralDate><ReferralSource>1A</ReferralSource>
    <Assessments><AssessmentActualStartDate>2024-05-02</AssessmentActualStartDate>
      <FactorsIdentifiedAtAssessment><AssessmentFactors>1c</AssessmentFactors><AssessmentFactors>21</AssessmentFactors>
      </FactorsIdentifiedAtAssessment></Assessments>
    <Assessments><AssessmentActualStartDate>01/06/2024</AssessmentActualStartDate>
      <AssessmentAuthorisationDate>2024-02-30</AssessmentAuthorisationDate></Assessments>
    <ReferralNFA>false</ReferralNFA>
    <ChildProtectionPlans><CPPstartDate>2024-06-01</CPPstartDate><NumberOfPreviousCPP>0</NumberOfPreviousCPP>
      <Reviews><CPPreviewDate>2024-07-01</CPPreviewDate><CPPreviewDate>2024-10-01</CPPreviewDate></Reviews>
    </ChildProtectionPlans>
  </CINdetails>
  <CINdetails><CINreferralDate>2025-01-10</CINreferralDate><ReferralNFA>1</ReferralNFA></CINdetails>
</Child>"""
CHILD_B = """<Child>
  <ChildIdentifiers><LAchildID>B2</LAchildID><Sex>F</Sex></ChildIdentifiers>
  <ChildCharacteristics><Ethnicity>AIND</Ethnicity></ChildCharacteristics>
  <CINdetails><CINreferralDate>2024-09-09</CINreferralDate>
    <Section47><S47ActualStartDate>2024-09-10</S47ActualStartDate><ICPCnotRequired>TRUE</ICPCnotRequired></Section47>
    <CINPlanDates><CINPlanStartDate>2024-10-01</CINPlanStartDate></CINPlanDates>
    <ChildProtectionPlans><CPPstartDate>2024-11-01</CPPstartDate>
      <Reviews><CPPreviewDate>2024-12-01</CPPreviewDate></Reviews></ChildProtectionPlans>
    <ReferralNFA>0</ReferralNFA>
  </CINdetails>
</Child>"""


def census(*children: str, header: str = HEADER, root: str = "<Message>") -> bytes:
    close = "</" + root[1:].split()[0].rstrip(">") + ">"
    return f'<?xml version="1.0" encoding="utf-8"?>{root}{header}<Children>{"".join(children)}</Children>{close}'.encode()
