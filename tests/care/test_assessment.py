"""The comprehensive assessment (CM-4): saved through the form and the API with the scales'
own scores, partial but never half-answered scales, optimistic locking that loses nothing,
free text shown as text, and the PHQ-9 item 9 flag shown first."""

from __future__ import annotations

import random
import re
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import func, select

from ltc.care.assessment import services as assessments
from ltc.care.assessment.models import Assessment
from ltc.care.assessment.scales import SCALES, SELF_HARM_FLAG, score
from ltc.care.auth.models import User

from .care import IN_AREA, IN_AREA_2, Community, api_client, db, signed_in

FORM_PAGE = f"/people/{IN_AREA}/assessment"
API = f"/api/v1/people/{IN_AREA}/assessment"

BARTHEL = {"feeding": 10, "bathing": 5, "grooming": 5, "dressing": 5, "bowels": 10,
           "bladder": 5, "toilet": 5, "transfers": 10, "mobility": 10, "stairs": 0}  # 65
LAWTON = {"telephone": 1, "shopping": 2, "food_preparation": 1, "housekeeping": 2,
          "laundry": 3, "transportation": 4, "medications": 2, "finances": 1}  # 4 of 8
PHQ9_FLAGGED = {"item1": 1, "item2": 2, "item3": 1, "item4": 1, "item5": 0, "item6": 1,
                "item7": 0, "item8": 0, "item9": 1}  # 7, item 9 above 0
PHQ9_CLEAR = {**PHQ9_FLAGGED, "item9": 0}
NOTES = {"physical": "COPD; breathless on stairs", "social": "Lives alone",
         "psychological": "Low mood since winter",
         "carer": {"name": "Sam Jones", "relationship": "Son", "contact": "07700 900123",
                   "needs_assessment": True},
         "wishes": "To stay at home"}


def form(answers: dict[str, dict[str, int]], based_on: int = 0, **fields: str
         ) -> dict[str, str]:
    """Form fields as the page sends them."""
    out = {"based_on": str(based_on)}
    out |= {f"{s}.{item}": str(v) for s, items in answers.items() for item, v in items.items()}
    return out | fields


def expected_scores(answers: dict[str, dict[str, int]]) -> dict[str, dict[str, Any]]:
    out = {}
    for scale_id, items in answers.items():
        r = score(scale_id, items)
        out[scale_id] = {"name": SCALES[scale_id].name, "total": r.total,
                         "max_total": r.max_total, "band": r.band, "flags": list(r.flags)}
    return out


def rows(url: str, nhs_number: str = IN_AREA) -> list[Assessment]:
    with db(url) as s:
        return list(s.scalars(select(Assessment).where(Assessment.nhs_number == nhs_number)
                              .order_by(Assessment.version)).all())


class Controls(HTMLParser):
    """The radios, their labels and the legends of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.radios: dict[str, dict[str, str | None]] = {}
        self.labels: set[str] = set()
        self.legends = 0
        self.fieldsets = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "input" and a.get("type") == "radio":
            self.radios[str(a["id"])] = a
        elif tag == "label" and a.get("for"):
            self.labels.add(str(a["for"]))
        elif tag == "legend":
            self.legends += 1
        elif tag == "fieldset":
            self.fieldsets += 1


def controls(html: str) -> Controls:
    parser = Controls()
    parser.feed(html)
    return parser


def test_the_form_is_generated_from_the_scales(app: Any, community: Community) -> None:
    page = signed_in(app, "matron").get(FORM_PAGE)
    assert page.status_code == 200
    assert page.text.count("<h1") == 1
    assert 'name="based_on" value="0"' in page.text
    found = controls(page.text)
    items = [(s, i) for s in SCALES.values() for i in s.items]
    assert found.fieldsets == found.legends >= len(items)  # one radio group per item
    for scale, item in items:
        group = [r for r in found.radios.values() if r["name"] == f"{scale.id}.{item.id}"]
        assert [r["value"] for r in group] == [str(v) for v in item.values]
        assert all(r["class"] == "nhsuk-radios__input" for r in group)
        assert item.question.replace("'", "&#39;") in page.text
    assert set(found.radios) <= found.labels  # every radio has its label
    assert not any("checked" in r for r in found.radios.values()
                   if str(r["name"]).split(".")[0] in SCALES)  # nothing chosen yet


def test_saving_through_the_form_stores_the_scales_scores(app: Any,
                                                          community: Community) -> None:
    client = signed_in(app, "matron")
    answers = {"barthel": BARTHEL, "lawton": LAWTON}
    sent = form(answers, physical=NOTES["physical"], wishes="Garden again",
                carer_name="Sam Jones", carer_relationship="Son",
                carer_needs_assessment="yes")
    saved = client.post(FORM_PAGE, data=sent, follow_redirects=False)
    assert saved.status_code == 303, saved.text[:500]
    assert saved.headers["location"] == f"/people/{IN_AREA}/assessment/versions?saved=1"
    [row] = rows(community.url)
    assert row.version == 1
    assert row.answers == answers
    assert row.scores == expected_scores(answers)
    assert row.scores["barthel"]["band"] == "moderate dependency"
    assert row.notes == {"physical": NOTES["physical"], "social": "", "psychological": "",
                         "carer": {"name": "Sam Jones", "relationship": "Son", "contact": "",
                                   "needs_assessment": True},
                         "wishes": "Garden again"}
    # the form opens on the saved version, its answers chosen
    again = client.get(FORM_PAGE)
    assert 'name="based_on" value="1"' in again.text
    radios = controls(again.text).radios
    chosen = {str(r["name"]): r["value"] for r in radios.values() if "checked" in r}
    assert chosen == {**{f"barthel.{k}": str(v) for k, v in BARTHEL.items()},
                      **{f"lawton.{k}": str(v) for k, v in LAWTON.items()},
                      "carer_needs_assessment": "yes"}
    assert "Garden again</textarea>" in again.text
    versions = client.get(f"/people/{IN_AREA}/assessment/versions?saved=1")
    assert "Version 1 saved." in versions.text
    assert "65 of 100 (moderate dependency)" in versions.text
    assert "Lawton IADL: 4 of 8" in versions.text
    assert "nhsuk-warning-callout" not in versions.text
    summary = client.get(f"/people/{IN_AREA}")
    section = summary.text.split("<h2>Assessment</h2>", 1)[1].split("<h2>", 1)[0]
    assert "65 of 100 (moderate dependency)" in section
    assert f'href="/people/{IN_AREA}/assessment"' in section


def test_saving_through_the_api_with_etags(app: Any, community: Community) -> None:
    api = api_client(app, "matron")
    assert api.get(API).status_code == 404
    answers = {"phq2": {"item1": 1, "item2": 2}, "phq9": PHQ9_CLEAR}
    body = {"answers": answers, "notes": NOTES}
    assert api.put(API, json=body).status_code == 428  # If-Match is required
    wrong = api.put(API, json=body, headers={"If-Match": f'"{IN_AREA_2}-0"'})
    assert wrong.status_code == 412  # another person's ETag
    assert rows(community.url) == []
    first = api.put(API, json=body, headers={"If-Match": '"none-0"'})
    assert first.status_code == 200, first.text
    assert first.headers["ETag"] == f'"{IN_AREA}-1"'
    assert first.json()["scores"] == expected_scores(answers)
    assert first.json()["scores"]["phq2"]["band"] == "positive screen"
    got = api.get(API)
    assert got.headers["ETag"] == f'"{IN_AREA}-1"'
    assert got.json()["answers"] == answers
    assert got.json()["notes"] == NOTES
    [row] = rows(community.url)
    assert row.scores == expected_scores(answers)
    assert row.notes == NOTES
    # a partial assessment: only the Lawton this time, on top of version 1
    second = api.put(API, json={"answers": {"lawton": LAWTON}},
                     headers={"If-Match": first.headers["ETag"]})
    assert second.status_code == 200, second.text
    assert second.headers["ETag"] == f'"{IN_AREA}-2"'
    assert second.json()["scores"] == expected_scores({"lawton": LAWTON})
    assert second.json()["scores"]["lawton"]["band"] is None  # no published bands


def test_services_score_with_the_scales_and_never_commit(community: Community) -> None:
    rng = random.Random(4)
    with db(community.url) as s:
        author = s.get(User, community.users["gp"])
        assert author is not None
        for number in range(1, 21):
            chosen = rng.sample(sorted(SCALES), rng.randint(1, len(SCALES)))
            answers = {scale_id: {item.id: rng.choice(item.values)
                                  for item in SCALES[scale_id].items} for scale_id in chosen}
            row = assessments.save(s, IN_AREA_2, answers, {}, number - 1, author)
            assert row.version == number
            assert row.scores == expected_scores(
                {k: answers[k] for k in SCALES if k in answers})
            assert list(row.scores) == [k for k in SCALES if k in answers]  # form order
        s.rollback()  # the caller owns the transaction: nothing was committed
        assert s.scalar(select(func.count()).select_from(Assessment)) == 0


def test_a_started_scale_must_be_complete(app: Any, community: Community) -> None:
    client, api = signed_in(app, "matron"), api_client(app, "matron")
    half = {k: v for k, v in BARTHEL.items() if k not in ("mobility", "stairs")}
    sent = form({"barthel": half, "phq2": {"item1": 1, "item2": 1}},
                wishes="To see my grandson's wedding")
    refused = client.post(FORM_PAGE, data=sent, follow_redirects=False)
    assert refused.status_code == 422
    assert "nhsuk-error-summary" in refused.text
    for item in ("mobility", "stairs"):
        assert f"Barthel: item &#39;{item}&#39; is missing" in refused.text
        assert f'href="#barthel-{item}"' in refused.text  # the summary links to the question
        assert f'id="barthel-{item}-error"' in refused.text  # and the question says why
    # what was typed is kept
    radios = controls(refused.text).radios
    assert radios["barthel-feeding-3"].keys() >= {"checked"}
    assert radios["phq2-item1-2"].keys() >= {"checked"}
    assert "To see my grandson&#39;s wedding</textarea>" in refused.text
    assert 'name="based_on" value="0"' in refused.text
    # the API says the same, field by field
    body = {"answers": {"barthel": half}, "notes": {"wishes": "x"}}
    bad = api.put(API, json=body, headers={"If-Match": '"none-0"'})
    assert bad.status_code == 422
    fields = {p["field"]: p["problem"] for p in bad.json()["detail"]}
    assert set(fields) == {"answers.barthel.mobility", "answers.barthel.stairs"}
    assert "'stairs' is missing" in fields["answers.barthel.stairs"]
    assert rows(community.url) == []  # nothing saved
    # nothing at all is refused too
    empty = client.post(FORM_PAGE, data=form({}), follow_redirects=False)
    assert empty.status_code == 422
    assert "Nothing to save" in empty.text
    # a scale left out is not saved, even with some answers given
    left_out = form({"barthel": half, "phq2": {"item1": 0, "item2": 0}}, omit="barthel")
    assert client.post(FORM_PAGE, data=left_out, follow_redirects=False).status_code == 303
    [row] = rows(community.url)
    assert row.answers == {"phq2": {"item1": 0, "item2": 0}}


def test_the_api_refuses_what_no_scale_allows(app: Any, community: Community) -> None:
    api = api_client(app, "matron")
    first = {"If-Match": '"none-0"'}
    for body in ({"answers": {"gad7": {"item1": 1}}},
                 {"answers": {"phq2": {"item1": 4, "item2": 0}}},
                 {"answers": {"phq2": {"item1": True, "item2": 0}}},
                 {"answers": {"phq2": {"item1": "1", "item2": 0}}},
                 {"notes": {"physical": "x" * (assessments.TEXT_LIMIT + 1)}},
                 {"notes": {"carer": {"name": "x" * (assessments.CARER_LIMIT + 1)}}},
                 {"notes": {"mood": "low"}}):
        r = api.put(API, json=body, headers=first)
        assert r.status_code == 422, (body, r.text)
    assert rows(community.url) == []


def test_a_stale_version_is_refused_and_nothing_is_lost(app: Any,
                                                       community: Community) -> None:
    matron, gp = signed_in(app, "matron"), signed_in(app, "gp")
    assert matron.post(FORM_PAGE, data=form({"phq2": {"item1": 0, "item2": 0}}),
                       follow_redirects=False).status_code == 303
    # both open version 1; the matron saves first
    mine = form({"phq2": {"item1": 1, "item2": 1}}, 1, social="Matron's note")
    theirs = form({"phq9": PHQ9_CLEAR}, 1, social="GP's note <b>x</b>")
    assert matron.post(FORM_PAGE, data=mine, follow_redirects=False).status_code == 303
    refused = gp.post(FORM_PAGE, data=theirs, follow_redirects=False)
    assert refused.status_code == 409
    assert "Not saved" in refused.text
    assert "GP&#39;s note &lt;b&gt;x&lt;/b&gt;</textarea>" in refused.text  # kept, as text
    assert "Matron&#39;s note" in refused.text  # the newer version shown
    assert 'name="based_on" value="2"' in refused.text  # saving again builds on it
    chosen = {r["name"]: r["value"] for r in controls(refused.text).radios.values()
              if "checked" in r}
    assert {k: int(str(v)) for k, v in chosen.items() if str(k).startswith("phq9.")} == {
        f"phq9.{k}": v for k, v in PHQ9_CLEAR.items()}
    assert [r.notes["social"] for r in rows(community.url)] == ["", "Matron's note"]
    # saving again on the newer version works
    assert gp.post(FORM_PAGE, data={**theirs, "based_on": "2"},
                   follow_redirects=False).status_code == 303
    # the API refuses a stale If-Match with 412 and the newer version
    api = api_client(app, "matron")
    stale = api.put(API, json={"answers": {"phq2": {"item1": 3, "item2": 3}}},
                    headers={"If-Match": f'"{IN_AREA}-2"'})
    assert stale.status_code == 412
    assert stale.headers["ETag"] == f'"{IN_AREA}-3"'
    assert stale.json()["latest"]["notes"]["social"] == "GP's note <b>x</b>"
    saved = rows(community.url)
    assert [r.notes["social"] for r in saved] == ["", "Matron's note", "GP's note <b>x</b>"]
    assert saved[2].answers == {"phq9": PHQ9_CLEAR}


def test_free_text_is_shown_as_text(app: Any, community: Community) -> None:
    attack = '<script>alert("x")</script>'
    notes = {key: f"{key} {attack}" for key in assessments.SECTIONS}
    notes_with_carer: dict[str, Any] = {
        **notes, "carer": {"name": attack, "relationship": attack, "contact": attack}}
    api = api_client(app, "matron")
    assert api.put(API, json={"notes": notes_with_carer},
                   headers={"If-Match": '"none-0"'}).status_code == 200
    client = signed_in(app, "matron")
    pages = {"form": client.get(FORM_PAGE),
             "refused": client.post(FORM_PAGE, data=form(
                 {"barthel": {"feeding": 10}}, 1, physical=attack), follow_redirects=False),
             "stale": client.post(FORM_PAGE, data=form({}, 0, wishes=attack),
                                  follow_redirects=False),
             "versions": client.get(f"/people/{IN_AREA}/assessment/versions"),
             "summary": client.get(f"/people/{IN_AREA}")}
    assert pages["refused"].status_code == 422
    assert pages["stale"].status_code == 409
    for name, page in pages.items():
        assert "<script>alert" not in page.text, name
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"
    for name in ("form", "refused", "stale"):
        assert escaped in pages[name].text, name
    # the notes, the carer's three fields in the form and again in the banner's carer line
    assert pages["form"].text.count(escaped) == len(notes) + 6
    assert f"physical {escaped}" in pages["stale"].text  # the newer version's notes


def test_the_item_9_flag_is_shown_first(app: Any, community: Community) -> None:
    api, client = api_client(app, "matron"), signed_in(app, "matron")
    r = api.put(API, json={"answers": {"phq9": PHQ9_FLAGGED}}, headers={"If-Match": '"none-0"'})
    assert r.status_code == 200
    assert r.json()["scores"]["phq9"]["flags"] == [SELF_HARM_FLAG]
    assert r.json()["scores"]["phq9"]["band"] == "mild"  # flagged whatever the total
    page = client.get(f"/people/{IN_AREA}/assessment/versions")
    callout = re.search(r'<div class="nhsuk-warning-callout" id="flags">(.*?)</div>',
                        page.text, re.S)
    assert callout is not None
    assert "Needs same-day clinical review" in callout.group(1)
    assert "PHQ-9 item 9" in callout.group(1)
    assert "Version 1" in callout.group(1)
    assert page.text.index("nhsuk-warning-callout") < page.text.index('id="versions"')
    summary = client.get(f"/people/{IN_AREA}")
    assert 'id="assessment-flags"' in summary.text
    assert "Needs same-day clinical review" in summary.text
    # no item 9 answer above 0, no callout
    other = f"/api/v1/people/{IN_AREA_2}/assessment"
    assert api.put(other, json={"answers": {"phq9": PHQ9_CLEAR}},
                   headers={"If-Match": '"none-0"'}).status_code == 200
    clear = client.get(f"/people/{IN_AREA_2}/assessment/versions")
    assert "nhsuk-warning-callout" not in clear.text
    assert "Needs same-day clinical review" not in clear.text
