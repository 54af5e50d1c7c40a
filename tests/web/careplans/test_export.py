"""The exports of a care plan version (CM-5): the FHIR R4 CarePlan, the person-readable
page and its PDF copy, built from real documents and read back without mocks."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from fhir.resources.R4B.careplan import CarePlan

from ltc.care.careplans.document import Action, CarePlanDocument, CarerContact, EndOfLife
from ltc.interop.fhir.careplan import (
    CARER_ASSESSMENT_URL,
    CARER_CONSENT_URL,
    EMERGENCY_PREFIX,
    END_OF_LIFE_PREFIX,
    NEED_PREFIX,
    NHS_NUMBER_SYSTEM,
    to_fhir,
)
from ltc.web.careplans.export import long_date, person_view, to_html, to_pdf

NHS_NUMBER = "9434765919"

PLAN = CarePlanDocument(
    nhs_number=NHS_NUMBER,
    date_of_birth=date(1941, 11, 9),
    version=3,
    status="active",
    author="Priya Shah, case manager",
    case_manager="Priya Shah",
    created_at=datetime(2026, 3, 3, 14, 30, tzinfo=UTC),
    goals=("Walk to the post office by the summer", "Stay living in my own home"),
    needs=("Help getting in and out of the bath", "Someone to check my inhalers"),
    person_contribution="I will weigh myself every morning and write it down.",
    actions=(
        Action(who="Jo Bloggs, community matron", agency="Community nursing",
               what="Visit every week to check breathing and weight", by=date(2026, 4, 1)),
        Action(who="Dr Amir Khan", agency="GP practice", what="Review all my medicines",
               by=date(2026, 3, 20)),
        Action(who="Sam Taylor", agency="Adult social care", what="Arrange a bath seat"),
    ),
    prevention=("Flu vaccination every autumn", "Remove the loose rug in the hall"),
    emergency_plan="If I am more breathless than usual, start the rescue pack and phone Priya.",
    review_date=date(2026, 6, 3),
    agreed_on=date(2026, 3, 3),
    participants=("Jo Bloggs", "Dr Amir Khan", "Sam Taylor", "Mary Jones (daughter)"),
)


# ---------------------------------------------------------------------------------------
# FHIR


def _performers(resource: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """(description, performer, scheduled end) of every activity that has a performer."""
    out = []
    for activity in resource["activity"]:
        detail = activity["detail"]
        for performer in detail.get("performer", []):
            out.append((detail["description"], performer["display"],
                        detail.get("scheduledPeriod", {}).get("end")))
    return out


def test_fhir_care_plan_revalidates_as_r4b() -> None:
    resource = to_fhir(PLAN)
    model = CarePlan.model_validate(resource)
    assert model.get_resource_type() == "CarePlan"
    assert model.model_dump(mode="json") == resource


def test_fhir_identifies_the_person_and_the_version() -> None:
    resource = to_fhir(PLAN)
    assert resource["subject"]["identifier"] == {"system": NHS_NUMBER_SYSTEM,
                                                 "value": NHS_NUMBER}
    assert "reference" not in resource["subject"]
    assert resource["identifier"] == [{"system": "urn:ltc:careplan",
                                       "value": f"{NHS_NUMBER}/3"}]
    assert resource["intent"] == "plan"


def test_fhir_subject_uses_the_reference_when_given() -> None:
    resource = to_fhir(PLAN, patient_reference="Patient/abc-123")
    assert resource["subject"]["reference"] == "Patient/abc-123"
    assert resource["subject"]["identifier"]["value"] == NHS_NUMBER
    CarePlan.model_validate(resource)


def test_fhir_carries_every_action_with_its_performer_and_date() -> None:
    assert _performers(to_fhir(PLAN)) == [
        ("Visit every week to check breathing and weight",
         "Jo Bloggs, community matron (Community nursing)", "2026-04-01"),
        ("Review all my medicines", "Dr Amir Khan (GP practice)", "2026-03-20"),
        ("Arrange a bath seat", "Sam Taylor (Adult social care)", None),
    ]


def test_fhir_carries_prevention_as_activities() -> None:
    details = [a["detail"] for a in to_fhir(PLAN)["activity"]]
    prevention = [d["description"] for d in details if d.get("code") == {"text": "Prevention"}]
    assert prevention == list(PLAN.prevention)
    assert {d["status"] for d in details} == {"scheduled"}


def test_fhir_carries_dates_people_and_the_contribution() -> None:
    resource = to_fhir(PLAN)
    assert resource["period"] == {"start": "2026-03-03", "end": "2026-06-03"}
    assert resource["created"] in ("2026-03-03T14:30:00+00:00", "2026-03-03T14:30:00Z")
    assert resource["author"] == {"display": "Priya Shah, case manager"}
    assert [c["display"] for c in resource["contributor"]] == list(PLAN.participants)
    assert resource["description"] == PLAN.person_contribution
    assert resource["title"] == "Personalised care plan, version 3"


def test_fhir_goals_are_contained_goals_referenced_from_the_plan() -> None:
    resource = to_fhir(PLAN)
    contained = {r["id"]: r for r in resource["contained"]}
    goals = [contained[ref["reference"].removeprefix("#")] for ref in resource["goal"]]
    assert [g["resourceType"] for g in goals] == ["Goal", "Goal"]
    assert [g["description"]["text"] for g in goals] == list(PLAN.goals)
    assert {g["subject"]["identifier"]["value"] for g in goals} == {NHS_NUMBER}
    assert {g["lifecycleStatus"] for g in goals} == {"active"}


def test_fhir_names_the_case_manager_in_a_contained_care_team() -> None:
    resource = to_fhir(PLAN)
    (team_ref,) = resource["careTeam"]
    (team,) = [r for r in resource["contained"] if f"#{r['id']}" == team_ref["reference"]]
    assert team["resourceType"] == "CareTeam"
    assert team["participant"] == [{"role": [{"text": "Case manager"}],
                                    "member": {"display": "Priya Shah"}}]


def test_fhir_needs_and_emergency_plan_are_prefixed_notes() -> None:
    notes = [n["text"] for n in to_fhir(PLAN)["note"]]
    assert notes == [NEED_PREFIX + "Help getting in and out of the bath",
                     NEED_PREFIX + "Someone to check my inhalers",
                     EMERGENCY_PREFIX + PLAN.emergency_plan]
    assert EMERGENCY_PREFIX.startswith("Emergency")


@pytest.mark.parametrize(("status", "plan_status", "activity_status", "goal_status"), [
    ("draft", "draft", "not-started", "proposed"),
    ("active", "active", "scheduled", "active"),
    ("completed", "completed", "completed", "completed"),
])
def test_fhir_status_mapping(status: str, plan_status: str, activity_status: str,
                             goal_status: str) -> None:
    resource = to_fhir(replace(PLAN, status=status))
    assert resource["status"] == plan_status
    assert {a["detail"]["status"] for a in resource["activity"]} == {activity_status}
    assert {r["lifecycleStatus"] for r in resource["contained"]
            if r["resourceType"] == "Goal"} == {goal_status}


@pytest.mark.parametrize("export", [to_fhir, to_html], ids=["fhir", "html"])
def test_unknown_status_is_refused_clearly(export: Callable[[CarePlanDocument], Any]) -> None:
    with pytest.raises(ValueError, match=r"9434765919 version 3: status 'on-hold' is not one "
                                         r"of draft, active, completed"):
        export(replace(PLAN, status="on-hold"))


def test_fhir_time_without_a_zone_is_taken_as_utc_and_a_zone_is_kept() -> None:
    naive = to_fhir(replace(PLAN, created_at=datetime(2026, 3, 3, 9, 5)))
    assert naive["created"] in ("2026-03-03T09:05:00+00:00", "2026-03-03T09:05:00Z")
    summer = timezone(timedelta(hours=1))
    aware = to_fhir(replace(PLAN, created_at=datetime(2026, 7, 1, 9, 5, tzinfo=summer)))
    assert aware["created"] == "2026-07-01T09:05:00+01:00"


def test_fhir_of_an_empty_draft_leaves_blank_text_out_and_validates() -> None:
    empty = CarePlanDocument(nhs_number=NHS_NUMBER, date_of_birth=None, version=1,
                             status="draft", author=" ", case_manager="",
                             created_at=datetime(2026, 1, 5, tzinfo=UTC),
                             goals=("", "  "), person_contribution="  ",
                             actions=(Action(who="", agency="", what="Phone the person"),))
    resource = to_fhir(empty)
    CarePlan.model_validate(resource)
    for absent in ("goal", "contained", "note", "description", "author", "careTeam",
                   "contributor", "period"):
        assert absent not in resource
    assert resource["activity"] == [{"detail": {"status": "not-started",
                                                "description": "Phone the person"}}]


def test_fhir_refuses_a_plan_that_cannot_be_a_valid_resource() -> None:
    with pytest.raises(ValueError, match="does not make a valid FHIR R4 CarePlan"):
        to_fhir(replace(PLAN, nhs_number=""))


# ---------------------------------------------------------------------------------------
# The person's page


def test_long_date_is_written_in_words_without_a_leading_zero() -> None:
    assert long_date(date(2026, 3, 3)) == "3 March 2026"
    assert long_date(date(2025, 12, 25)) == "25 December 2025"
    assert long_date(datetime(2026, 1, 9, 23, 59)) == "9 January 2026"


def test_person_view_puts_dates_and_numbers_in_words() -> None:
    view = person_view(PLAN)
    assert view["nhs_number"] == "943 476 5919"
    assert view["agreed_on"] == "3 March 2026"
    assert view["review_date"] == "3 June 2026"
    assert view["date_of_birth"] == "9 November 1941"
    assert view["case_manager"] == "Priya Shah"
    assert [a["by"] for a in view["actions"]] == ["1 April 2026", "20 March 2026", "No date set"]


def test_person_view_says_when_something_is_not_set() -> None:
    view = person_view(replace(PLAN, agreed_on=None, review_date=None, case_manager=" ",
                               status="draft"))
    assert view["agreed_on"] == "Not agreed yet"
    assert view["review_date"] == "No date set yet"
    assert view["case_manager"] == "Not named yet"
    assert view["status"].startswith("Draft")


def test_html_is_one_page_with_every_section() -> None:
    html = to_html(PLAN)
    assert html.startswith("<!doctype html>")
    assert html.rstrip().endswith("</html>")
    assert html.count("<h1") == 1
    assert "<h1>My care plan</h1>" in html
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    assert headings == ["About this plan", "What matters to me", "What I need help with",
                        "What I will do", "Who will do what", "Staying well",
                        "If things go wrong", "Who has a copy"]
    assert "<title>My care plan, version 3</title>" in html
    assert "size: A4" in html
    assert "font-size: 12pt" in html


def test_html_shows_the_plan_in_plain_words() -> None:
    html = to_html(PLAN)
    for text in (*PLAN.goals, *PLAN.needs, PLAN.person_contribution, *PLAN.prevention,
                 PLAN.emergency_plan, *PLAN.participants, "943 476 5919", "Priya Shah"):
        assert text in html, text
    assert "<dt>Agreed on</dt><dd>3 March 2026</dd>" in html
    assert "<dt>Next review</dt><dd>3 June 2026</dd>" in html
    assert "<dt>Version</dt><dd>3 (Agreed and in use)</dd>" in html
    assert "2026-06-03" not in html
    assert "03 March" not in html


def test_html_who_will_do_what_is_a_table_row_per_action() -> None:
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td[^>]*>(.*?)</td><td>(.*?)</td></tr>",
                      to_html(PLAN))
    assert rows == [
        ("Jo Bloggs, community matron", "Community nursing",
         "Visit every week to check breathing and weight", "1 April 2026"),
        ("Dr Amir Khan", "GP practice", "Review all my medicines", "20 March 2026"),
        ("Sam Taylor", "Adult social care", "Arrange a bath seat", "No date set"),
    ]


def test_html_of_an_empty_plan_says_so() -> None:
    html = to_html(replace(PLAN, goals=(), needs=(), person_contribution="", actions=(),
                           prevention=(), emergency_plan="", participants=()))
    assert html.count("Nothing written here yet.") == 6
    assert "Only you so far." in html
    assert "<table" not in html


PAYLOAD = "<script>alert(1)</script> {marker} <iframe src=x>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt; {marker} &lt;iframe src=x&gt;"


def _first_action(doc: CarePlanDocument, **changes: str) -> CarePlanDocument:
    return replace(doc, actions=(replace(doc.actions[0], **changes), *doc.actions[1:]))


FREE_TEXT: dict[str, Callable[[CarePlanDocument, str], CarePlanDocument]] = {
    "goals": lambda d, t: replace(d, goals=(t,)),
    "needs": lambda d, t: replace(d, needs=(t,)),
    "person_contribution": lambda d, t: replace(d, person_contribution=t),
    "action.who": lambda d, t: _first_action(d, who=t),
    "action.agency": lambda d, t: _first_action(d, agency=t),
    "action.what": lambda d, t: _first_action(d, what=t),
    "prevention": lambda d, t: replace(d, prevention=(t,)),
    "emergency_plan": lambda d, t: replace(d, emergency_plan=t),
    "participants": lambda d, t: replace(d, participants=(t,)),
    "author": lambda d, t: replace(d, author=t),
    "case_manager": lambda d, t: replace(d, case_manager=t),
}


@pytest.mark.parametrize("field", list(FREE_TEXT))
def test_html_escapes_markup_typed_into_free_text(field: str) -> None:
    marker = f"typed-into-{field}"
    html = to_html(FREE_TEXT[field](PLAN, PAYLOAD.format(marker=marker)))
    assert ESCAPED.format(marker=marker) in html
    assert "<script" not in html.lower()
    assert "<iframe" not in html.lower()


def test_html_escapes_markup_in_every_free_text_field_at_once() -> None:
    doc = PLAN
    for field, put in FREE_TEXT.items():
        doc = put(doc, PAYLOAD.format(marker=field))
    html = to_html(doc)
    for field in FREE_TEXT:
        assert ESCAPED.format(marker=field) in html, field
    assert "<script" not in html.lower()
    assert "<iframe" not in html.lower()


# ---------------------------------------------------------------------------------------
# The PDF copy: its text is read back with pdftotext when the system has it, otherwise by
# decoding WeasyPrint's Type0 fonts through their ToUnicode maps.


_OBJECT = re.compile(rb"(\d+) 0 obj\s*")
_LENGTH = re.compile(rb"/Length\s+(\d+)")
_TEXT_OPS = re.compile(
    rb"/(?P<font>[^\s/\[\]<>()]+)\s+[\d.]+\s+Tf"
    rb"|\[(?P<array>[^\]]*)\]\s*TJ"
    rb"|<(?P<single>[0-9A-Fa-f]*)>\s*Tj"
    rb"|(?P<newline>\bBT\b|\bET\b|\bT[mD*d]\b)")


def _pdf_objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Every object as (dictionary text, decoded stream or None), object streams unpacked."""
    objects: dict[int, tuple[bytes, bytes | None]] = {}
    pos = 0
    while match := _OBJECT.search(pdf, pos):
        start = match.end()
        end = pdf.index(b"endobj", start)
        at = pdf.find(b"stream", start, end)
        length = _LENGTH.search(pdf, start, at) if at >= 0 else None
        if at >= 0 and length:
            data_start = at + len(b"stream")
            data_start += 2 if pdf[data_start:data_start + 2] == b"\r\n" else 1
            data = pdf[data_start:data_start + int(length[1])]
            head = pdf[start:at]
            decoded = zlib.decompress(data) if b"/FlateDecode" in head else data
            objects[int(match[1])] = (head, decoded)
            end = pdf.index(b"endobj", data_start + len(data))
        else:
            objects[int(match[1])] = (pdf[start:end], None)
        pos = end + len(b"endobj")
    for head, packed in list(objects.values()):
        if b"/Type /ObjStm" in head and packed is not None:
            first_match = re.search(rb"/First\s+(\d+)", head)
            assert first_match is not None
            first = int(first_match[1])
            numbers = [int(n) for n in packed[:first].split()]
            pairs = list(zip(numbers[::2], numbers[1::2], strict=True))
            for index, (number, offset) in enumerate(pairs):
                stop = first + pairs[index + 1][1] if index + 1 < len(pairs) else len(packed)
                objects[number] = (packed[first + offset:stop], None)
    return objects


def _to_unicode(cmap: bytes) -> dict[str, str]:
    """A ToUnicode CMap (bfchar and simple bfrange entries) as glyph code -> text."""
    table: dict[str, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            table[src.decode().lower()] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, dst in re.findall(
                rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            first = ord(bytes.fromhex(dst.decode()).decode("utf-16-be")[-1])
            width = len(low)
            for step, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                table[f"{code:0{width}x}"] = chr(first + step)
    return table


def _pdf_text_in_python(pdf: bytes) -> str:
    objects = _pdf_objects(pdf)
    maps = {number: _to_unicode(objects[int(ref)][1] or b"")
            for number, (head, _) in objects.items()
            if (ref := (re.search(rb"/ToUnicode\s+(\d+) 0 R", head) or [b"", b""])[1])}
    fonts: dict[bytes, dict[str, str]] = {}
    for head, _ in objects.values():
        for name, ref in re.findall(rb"/([^\s/\[\]<>()]+)\s+(\d+) 0 R", head):
            if int(ref) in maps:
                fonts[name] = maps[int(ref)]
    parts: list[str] = []
    for head, data in objects.values():
        if data is None or b"/Type" in head or b"BT" not in data:
            continue
        font: dict[str, str] = {}
        for op in _TEXT_OPS.finditer(data):
            if op["font"]:
                font = fonts.get(op["font"], {})
            elif op["newline"]:
                parts.append("\n")
            else:
                hexes = re.findall(rb"<([0-9A-Fa-f]*)>", op["array"] or b"<" + op["single"] + b">")
                for code in hexes:
                    text = code.decode().lower()
                    parts.extend(font.get(text[i:i + 4], "\ufffd") for i in range(0, len(text), 4))
    return "".join(parts)


def _pdf_text(pdf: bytes) -> str:
    """The words of a PDF, one space between each, ligatures spelt out."""
    if (pdftotext := shutil.which("pdftotext")) is not None:
        text = subprocess.run([pdftotext, "-enc", "UTF-8", "-", "-"], input=pdf,
                              capture_output=True, check=True).stdout.decode()
    else:
        text = _pdf_text_in_python(pdf)
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _pdf_title(pdf: bytes) -> str:
    objects = _pdf_objects(pdf)
    info = re.findall(rb"/Info\s+(\d+) 0 R", pdf)
    assert info, "the PDF has no document information dictionary"
    head = objects[int(info[-1])][0]
    if literal := re.search(rb"/Title\s*\(((?:[^()\\]|\\.)*)\)", head):
        return re.sub(rb"\\(.)", rb"\1", literal[1]).decode("latin-1")
    hexed = re.search(rb"/Title\s*<([0-9A-Fa-f]*)>", head)
    assert hexed is not None, "the PDF has no title"
    return bytes.fromhex(hexed[1].decode()).decode("utf-16")


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return to_pdf(PLAN)


def test_pdf_is_a_pdf_with_a_title(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert _pdf_title(pdf) == "My care plan, version 3"


def test_pdf_text_holds_the_plan(pdf: bytes) -> None:
    text = _pdf_text(pdf)
    assert "My care plan" in text
    assert "Walk to the post office by the summer" in text
    assert "Review all my medicines" in text
    assert "Dr Amir Khan" in text
    assert "3 June 2026" in text
    assert "If things go wrong" in text
    assert "Mary Jones (daughter)" in text


def test_pdf_text_reader_finds_only_what_is_there(pdf: bytes) -> None:
    text = _pdf_text(pdf)
    assert "Walk to the post office by the winter" not in text
    other = _pdf_text(to_pdf(replace(PLAN, goals=("Go to my grandson's wedding",))))
    assert "Go to my grandson's wedding" in other
    assert "Walk to the post office" not in other


# -- carers and end of life (issue 15 items 4 and 5) ------------------------------------
CARED = replace(
    PLAN,
    carers=(CarerContact(name="Susan Clarke", relationship="daughter",
                         telephone="07700 900123", address="4 Mill Lane, Leicester",
                         consents_to_contact=True, main_carer=True,
                         assessment_done_on=date(2026, 2, 1)),
            CarerContact(name="Ann Jones", relationship="neighbour",
                         consents_to_contact=None, from_assessment=True)),
    end_of_life=EndOfLife(preferred_place_of_care="Home", preferred_place_of_death="Loros hospice",
                          dnacpr="in_place", dnacpr_form_location="Blue folder by the door",
                          lpa_health_welfare="yes", lpa_attorney="Susan Clarke",
                          palliative_register=True))


def test_fhir_carers_are_contained_related_people_in_the_care_team() -> None:
    resource = to_fhir(CARED)
    CarePlan.model_validate(resource)
    people = {r["id"]: r for r in resource["contained"] if r["resourceType"] == "RelatedPerson"}
    assert set(people) == {"carer-1", "carer-2"}
    susan = people["carer-1"]
    assert susan["patient"]["identifier"] == {"system": NHS_NUMBER_SYSTEM, "value": NHS_NUMBER}
    assert susan["telecom"] == [{"system": "phone", "value": "07700 900123"}]
    assert susan["address"] == [{"text": "4 Mill Lane, Leicester"}]
    assert susan["extension"] == [
        {"url": CARER_CONSENT_URL, "valueBoolean": True},
        {"url": CARER_ASSESSMENT_URL, "valueString": "Carer's assessment done on 2026-02-01"}]
    # consent not recorded: no consent extension rather than a false "no"
    assert [e["url"] for e in people["carer-2"]["extension"]] == [CARER_ASSESSMENT_URL]
    team = next(r for r in resource["contained"] if r["resourceType"] == "CareTeam")
    assert [(p["role"][0]["text"], p["member"].get("reference")) for p in team["participant"]] == [
        ("Case manager", None), ("Main carer", "#carer-1"), ("Carer", "#carer-2")]
    assert resource["careTeam"] == [{"reference": "#care-team"}]


def test_fhir_carers_alone_make_a_care_team() -> None:
    resource = to_fhir(replace(CARED, case_manager=""))
    CarePlan.model_validate(resource)
    team = next(r for r in resource["contained"] if r["resourceType"] == "CareTeam")
    assert [p["role"][0]["text"] for p in team["participant"]] == ["Main carer", "Carer"]


def test_fhir_end_of_life_is_prefixed_notes() -> None:
    notes = [n["text"] for n in to_fhir(CARED)["note"] if n["text"].startswith(END_OF_LIFE_PREFIX)]
    assert notes == [
        "End of life: End-of-life register: On the palliative care register",
        "End of life: Preferred place of care: Home",
        "End of life: Preferred place of death: Loros hospice",
        "End of life: DNACPR: DNACPR decision in place: do not attempt CPR",
        "End of life: Where the DNACPR form is: Blue folder by the door",
        "End of life: Lasting power of attorney (health and welfare): Yes: Susan Clarke is "
        "the attorney"]


def test_html_shows_carers_in_the_contingency_section_and_end_of_life() -> None:
    html = to_html(CARED)
    contingency = html.split("If things go wrong")[1].split("Planning ahead")[0]
    assert "Main carer: Susan Clarke (daughter), 07700 900123 — consents to contact" in contingency
    assert "Carer&#39;s assessment done on 1 February 2026" in contingency
    assert "Ann Jones (neighbour) — consent to contact not recorded" in contingency
    assert "(From my assessment.)" in contingency
    assert "On the palliative care register" in html.split("Planning ahead")[1]
    assert "No carer recorded." in to_html(PLAN)
    assert "No DNACPR decision recorded" in to_html(PLAN)


def test_pdf_text_holds_the_carers_and_end_of_life() -> None:
    text = _pdf_text(to_pdf(CARED))
    for words in ("My carers and family", "Susan Clarke (daughter), 07700 900123",
                  "Planning ahead: my wishes for the end of my life", "Loros hospice",
                  "DNACPR decision in place: do not attempt CPR", "Blue folder by the door",
                  "On the palliative care register", "Susan Clarke is the attorney"):
        assert words in text
    assert "Loros hospice" not in _pdf_text(to_pdf(PLAN))
