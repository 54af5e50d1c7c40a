"""The request, or the command, owns a feed's transaction (CM-8, DM-5): the services only
flush, so a request or a ``ltc feeds`` run that fails part-way, after some of its messages
were applied, leaves nothing of them behind. On SQLite and PostgreSQL.

The failure is a real one: a trigger in the care store refuses the event of the second
message, as a database would refuse a write it cannot take."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from ltc.care.db import make_engine
from ltc.cli.feeds import feeds_app

from ..care import IN_AREA_2, Community
from . import counts, interface_client
from .test_fhir import FHIR_JSON, encounter

REFUSED_SPELL = "REFUSED-BY-THE-STORE"
SQLITE_TRIGGER = f"""
CREATE TRIGGER refuse_event BEFORE INSERT ON care_event
WHEN NEW.spell_id = '{REFUSED_SPELL}'
BEGIN SELECT RAISE(ABORT, 'this event is refused by the store'); END
"""
POSTGRES_TRIGGER = (f"""
CREATE FUNCTION refuse_event() RETURNS trigger AS $$
BEGIN
  IF NEW.spell_id = '{REFUSED_SPELL}' THEN
    RAISE EXCEPTION 'this event is refused by the store';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql
""", """
CREATE TRIGGER refuse_event BEFORE INSERT ON care_event
FOR EACH ROW EXECUTE FUNCTION refuse_event()
""")


def _refuse_one_spell(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as c:
        for statement in (SQLITE_TRIGGER,) if url.startswith("sqlite") else POSTGRES_TRIGGER:
            c.execute(text(statement))
    engine.dispose()


def _allow_every_spell(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as c:
        c.execute(text("DROP TRIGGER refuse_event" if url.startswith("sqlite")
                       else "DROP TRIGGER refuse_event ON care_event"))
    engine.dispose()


def _batch() -> dict[str, object]:
    """Two admissions: the first is applied, the second is refused by the store."""
    second = encounter(ident="b", nhs_number=IN_AREA_2, identifier=[
        {"system": "https://example.nhs.uk/spell", "value": REFUSED_SPELL}])
    return {"resourceType": "Bundle", "type": "batch", "entry": [
        {"resource": encounter(ident="a")}, {"resource": second}]}


def test_a_feed_request_that_fails_part_way_leaves_nothing(app: object,
                                                           community: Community) -> None:
    client = interface_client(app, community)
    _refuse_one_spell(community.url)
    with pytest.raises(DBAPIError, match="refused by the store"):
        client.post("/api/v1/feeds/fhir", content=json.dumps(_batch()), headers=FHIR_JSON)
    assert counts(community.url) == dict.fromkeys(counts(community.url), 0)
    _allow_every_spell(community.url)  # the same request, once the store takes it
    done = client.post("/api/v1/feeds/fhir", content=json.dumps(_batch()), headers=FHIR_JSON)
    assert done.status_code == 200, done.text
    assert counts(community.url)["events"] == 2


def test_a_feed_command_that_fails_part_way_leaves_nothing(community: Community,
                                                           tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    monkeypatch.setenv("LTC_CARE_DATABASE_URL", community.url)
    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps(_batch()))
    _refuse_one_spell(community.url)
    failed = CliRunner().invoke(feeds_app, ["fhir", str(batch), "--data-dir", str(tmp_path)])
    assert isinstance(failed.exception, DBAPIError)
    assert counts(community.url) == dict.fromkeys(counts(community.url), 0)
    _allow_every_spell(community.url)
    done = CliRunner().invoke(feeds_app, ["fhir", str(batch), "--data-dir", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert counts(community.url)["events"] == 2
