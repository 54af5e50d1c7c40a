"""Render ``docs/data-model.md`` from the schema, so the documentation cannot drift (POP-2).

``uv run ltc records data-model > docs/data-model.md`` regenerates it; a test fails when
the committed file differs from what the schema says.
"""

from __future__ import annotations

from ltc.codes import nhs_dd
from ltc.records.schema import SOURCES, TABLES, Field

KIND_TEXT = {
    "nhs_number": "NHS number: 10 digits, Modulus 11 check",
    "string": "text",
    "date": "date `YYYY-MM-DD`",
    "int": "whole number",
    "float": "number",
    "bool": "`true` / `false` (also `1`/`0`, `Y`/`N`)",
    "code": "code",
}

INTRO = """\
# Data model: the record plane

<!-- Generated from src/ltc/records/schema.py by `ltc records data-model`. Do not edit. -->

The record plane holds the linked history of the whole registered population (POP-1,
POP-2). Each table below is one Parquet dataset in the record store
(`<data dir>/records/<table>/<source>__<period>__<token>.parquet`, the token new to each
commit), sorted by NHS number and date, plus two columns saying which batch each row came
from: `_source` and `_period`.
Tables marked *snapshot* hold the latest state (a later extract replaces a row with the
same key); the others are event tables (extracts add rows).

## Extracts (CSV)

An extract is a folder `<source>/<period>/` (period `YYYY-MM`) holding one file per
table, named `<table>.csv`:

- UTF-8 (a byte-order mark is allowed), comma-separated, one record per line, a header
  line naming the columns; quoting as in RFC 4180, no line breaks inside values;
- the columns of the table as listed below, in any order; optional columns may be left
  out; derived columns are never sent (ingest computes them);
- an empty value means *missing*;
- the folder is one batch: stored completely or not at all. The same folder again
  changes nothing; a later period adds to what is stored; a corrected extract for the
  same source and period replaces the earlier one.

A refused batch names the file, the line, the field, and what was expected, and nothing
from it is stored.

| source | sends |
|---|---|
"""

CODE_SETS = """
## Code sets

### Admission method (NHS Data Dictionary)

Emergency admissions are those with method 21, 22, 23, 24, 25, 2A, 2B, 2C, 2D or 28.
Source: NHS Data Model and Dictionary via HL7 UK Core `UKCore-AdmissionMethodEngland`
1.0.1 (2023-04-28).

| code | meaning |
|---|---|
"""

DESTINATIONS = """
### Discharge destination (NHS Data Dictionary)

Source: HL7 UK Core `UKCore-DischargeDestinationEngland` 1.0.1 (2023-04-28).

| code | meaning |
|---|---|
"""


def _type(f: Field) -> str:
    text = KIND_TEXT[f.kind]
    if f.kind == "code":
        if len(f.codes) <= 8:
            text += ": " + ", ".join(f"`{c}`" for c in f.codes)
        else:
            text += " (see Code sets)"
    bounds = []
    if f.minimum is not None:
        bounds.append(f">= {f.minimum:g}")
    if f.maximum is not None:
        bounds.append(f"<= {f.maximum:g}")
    if bounds:
        text += " (" + ", ".join(bounds) + ")"
    return text

#: A run's recall statuses (DM-2) are not a record-plane table but are read like one by the
#: care plane; their columns are ``ltc.pipeline.runs.RECALL_COLUMNS`` (a test holds the two
#: equal).
RECALL_FILE = """
## A run's recall statuses (`recall.parquet`)

Not a record-plane table: each stratification run writes `runs/run-NNNN/recall.parquet`
beside `people.parquet` (DM-2), one row per person on a disease register and review item of
that register's condition protocol (`src/ltc/protocols/defaults/`), as of the run's date.
The statuses and their edges are defined in `docs/protocols.md`.

| column | type | meaning |
|---|---|---|
"""
RECALL_COLUMNS = (
    ("nhs_number", "text", "NHS number of the person"),
    ("practice_code", "text", "ODS code of the person's practice"),
    ("condition", "text", "the protocol (`diabetes`, `copd`, `asthma`, `chd`, "
     "`heart_failure`, `hypertension`, `ckd`, `af`, `stroke_tia`, `dementia`, `smi`, "
     "`epilepsy`, or a local one)"),
    ("item", "text", "the review item's id in the protocol (e.g. `hba1c`, `foot_check`, "
     "`flu_vaccination`)"),
    ("status", "code", "`done`, `not_due`, `excepted`, `due_soon`, `due` or `overdue`"),
    ("due_on", "date", "when the item is (or was) due"),
    ("last_done_on", "date", "when it was last recorded (empty: never)"),
    ("last_value", "number", "its value that day (e.g. HbA1c, systolic blood pressure), if "
     "any"),
    ("last_value_2", "number", "the second value of a two-part item (diastolic blood "
     "pressure)"),
    ("target_met", "`true` / `false`", "the last values meet the item's target for the "
     "person's age (empty: no target or no value)"),
)

#: How the care plane reads ``recall.parquet`` and keeps what follows from it (DM-2, DM-7).
RECALL_CARE = """
The care plane loads it with its run (`ltc care load-run`, `ltc.care.recall.loader`), in
the same transaction: every row becomes a `recall_item` of the run, and each person with
items due a `recall_person` row (the earliest due date and how many are due) for the recall
lists. A run without the file loads as before, with no recall items; a file without one of
the columns above (`last_value_2` and `target_met` may be left out), with an empty
`nhs_number`, `condition`, `item` or `status`, an NHS number not of 10 characters or a
status not listed refuses the whole run, naming the file and the row. The items of earlier
runs are removed. The care store also keeps, from the record store at load, the telephone
number and preferred contact method of each person in the file (`recall_contact`) and the
practices' names (`recall_practice`), for the invitations; and what clinicians record
there: reviews (`recall_review`: done with the date and value, or excepted with the reason;
applied again to a later run whose index date is before the review's), invitations
(`recall_invitation`: the date, channels and the items named) with their letters and text
messages (`recall_message`: waiting in the outbox until sent), and telephone calls
(`phone_call`: scheduled with a clinician, then the scripted check's answers as asked, the
red flags and whom they were escalated to, the outcome and the next call).
"""


#: The care store's tables of named contacts and MDT meetings (DM-3, DM-4): not record-plane
#: tables; their columns are in ``docs/practice-team.md`` (revision 0007 of the care store).
PRACTICE_TEAM_CARE = """
## Named contacts and MDT meetings (care store)

Not record-plane tables: the care store keeps, for each person on a register, their named
contact and its history (`named_contact`: the GP or practice nurse, from when, until
another was named or the bulk allocation that named them was undone) and each bulk
allocation of a practice (`contact_allocation`: the clinicians chosen, the conditions
given to one of them, how many people, whether undone); and each practice's MDT meetings
(`mdt_meeting`: the date, where its agenda starts, the run it was made from, how many
people it left off), their attendees (`mdt_attendee`), agenda lines (`mdt_agenda_item`:
one person, why they are on it, the notes and the decision), actions (`mdt_action`: what,
the owner, the due date and the task it made) and clinicians' nominations for the next
meeting (`mdt_nomination`). Every column is in `docs/practice-team.md`.
"""


#: The care store's tables of a run's medicines lists and practice achievement (SC-3,
#: DM-6): their columns are in ``docs/medicines.md`` and ``docs/achievement.md``
#: (revision 0010 of the care store).
PRACTICE_LISTS_CARE = """
## Medicines lists and practice achievement (care store)

Not record-plane tables: a run's `medicines.parquet`, `achievement.parquet` and
`indicators.parquet` load with the run, in the same transaction, all or nothing (a file
missing a column, of another type, with an NHS number not of 10 digits or a value out of
range refuses the whole run, naming the file, the row and the column). The care store
keeps each person with a long-term medicine (`medicines_person`: the number of long-term
medicines, the lowest proportion of days covered, the medicines under 80%, whether a
medication review is due, the last review, the medicines issued in 12 months and whether
that is polypharmacy); each practice's, locality's and the community's figures per QOF
indicator (`achievement_figure`: numerator, denominator, exceptions, achievement); and of
the people only those behind a gap or excepted (`achievement_person`: the indicator, the
outcome and the reason). A run without the files loads as before. Every column is in
`docs/medicines.md` and `docs/achievement.md`.
"""


#: The care store's tables of virtual wards (VW-1): their columns and rules are in
#: ``docs/virtual-wards.md`` (revision 0011 of the care store).
WARDS_CARE = """
## Virtual wards (care store)

Not record-plane tables: the care store keeps each virtual ward (`ward`: name, locality,
co-ordinator, beds), the practices it serves (`ward_practice`) and its staff
(`ward_staff`); each person's stays (`ward_stay`: the ward, admitted on, how they came,
the reason, discharged on with the outcome and a note; one open stay per person) and the
ward round's record of a person per day (`ward_round`: notes, observations, the plan for
the day, who saved it last). Every column and the occupancy and length-of-stay
definitions are in `docs/virtual-wards.md`.
"""


#: The care store's table of a person's carers (CM-5): its columns and rules are in
#: ``docs/care-plans.md`` (revision 0012 of the care store).
CARERS_CARE = """
## Carers and family (care store)

Not a record-plane table: the care store keeps each carer or family member linked to a
person (`carer`: name, relationship, telephone, address, whether they consent to be
contacted, whether they are the main carer, their carer's assessment offered on, done on
or declined, ended on; ended, never deleted). The record plane's `person.has_carer` flag
is unchanged. Every column is in `docs/care-plans.md`.
"""


#: The care store's tables of integrated care co-ordination (VW-2), the wider team (CM-5),
#: caseload rebalancing proposals (CM-2) and a person's social care kept with the run:
#: their columns and rules are in the documents each names (revisions 0013-0016 of the
#: care store).
TEAM_CARE = """
## Integrated care co-ordination (care store)

Not record-plane tables: the care store keeps referrals to integrated care co-ordinators
(`coordinator_referral`: person, who referred, to whom or to which locality, source,
reason, when, status, when and by whom closed), each attempt to contact a person
(`contact_attempt`: when, method, outcome, note) and the co-designed assessment's
responses (`codesigned_response`: the questionnaire version and the answers as JSON).
Every column is in `docs/coordination.md`.

## The wider team (care store)

Not record-plane tables: the care store keeps each person's allocations to wider-team
users (`team_allocation`: person, user, who allocated, started on, reason, ended on and
by whom; ended, never deleted) and the assigned actions of their newest care plan
(`plan_action`: person, the action's key in the plan, assignee, what, due on, plan
version, status open, in progress, done or cannot be done, note, who updated it and
when). Every rule is in `docs/wider-team.md`.

## Caseload rebalancing proposals (care store)

Not record-plane tables: the care store keeps saved rebalancing proposals
(`rebalance_proposal`: locality, who saved it and when, status proposed, approved or
undone, who approved and undid it and when) and their moves (`rebalance_move`: person,
from and to which case manager, the person's weight, and once approved the caseload entry
the move ended and the one it opened); a case manager's profile says whether they are a
team lead (`case_manager.team_lead`). Every rule is in `docs/caseloads.md`.

## A person's social care with the run (care store)

Not a record-plane table: when a run is loaded, the care store's `person_activity` row of
each person (one per person in the run, beside their latest encounters and medicines)
also keeps their social care from `social_care_package` and `social_care_contact`, in the
column `social_care` (text, compact JSON; empty when the record store holds none for
them): `{"packages": [[start, end or null, hours a week, intensity], ...], "assessment":
date or null, "review": date or null, "contact": date or null}`, packages newest first
(by start date), each contact kind's latest date. Social care contacts are no longer among
the `encounters`. Every detail, and who may see it, is in `docs/social-care.md`.
"""


def render() -> str:
    parts = [INTRO]
    for source in SOURCES.values():
        tables = ", ".join(f"`{t}`" for t in source.tables)
        parts.append(f"| `{source.name}` | {source.description}: {tables} |\n")
    parts.append("\nOther sources (`synthea-fhir`, `synthea-csv`) arrive through their own "
                 "readers; see `docs/fhir-mapping.md`.\n\n## Tables\n")
    for spec in TABLES.values():
        kind = "snapshot" if spec.snapshot else "events"
        parts.append(f"\n### `{spec.name}` ({kind})\n\n{spec.description}\n\n")
        parts.append(f"Key: {', '.join(f'`{k}`' for k in spec.key)} "
                     "(unique within a batch).")
        if spec.orders:
            rules = "; ".join(f"`{o.later}` not before `{o.earlier}`" for o in spec.orders)
            parts.append(f" Rules: {rules}.")
        references = spec.references
        if references:
            refs = "; ".join(f"`{r.field}` names a `{r.table}`" for r in references)
            parts.append(f" References: {refs}.")
        parts.append("\n\n| column | type | required | meaning |\n|---|---|---|---|\n")
        for f in spec.fields:
            required = "derived" if f.derived else ("yes" if f.required else "no")
            parts.append(f"| `{f.name}` | {_type(f)} | {required} | {f.description} |\n")
    parts.append(CODE_SETS)
    parts.extend(f"| `{code}` | {text} |\n" for code, text in nhs_dd.ADMISSION_METHODS.items())
    parts.append(DESTINATIONS)
    parts.extend(f"| `{code}` | {text} |\n"
                 for code, text in nhs_dd.DISCHARGE_DESTINATIONS.items())
    parts.append(RECALL_FILE)
    parts.extend(f"| `{name}` | {kind} | {text} |\n" for name, kind, text in RECALL_COLUMNS)
    parts.append(RECALL_CARE)
    parts.append(PRACTICE_TEAM_CARE)
    parts.append(PRACTICE_LISTS_CARE)
    parts.append(WARDS_CARE)
    parts.append(CARERS_CARE)
    parts.append(TEAM_CARE)
    return "".join(parts)
