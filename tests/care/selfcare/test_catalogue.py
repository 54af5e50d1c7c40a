"""The self-care programmes and the directory of community resources as configuration
(SC-1, SC-5): the packaged files load and cite their sources; the directory is searched by
need and place; a bad file is refused naming the file, the entry or line and column, and
what was expected; a data folder's own files replace the defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from ltc.care.selfcare import catalogue, setup
from ltc.care.selfcare.config import ConfigError


def test_the_packaged_programmes_serve_their_conditions_and_cite_sources() -> None:
    found = catalogue.programmes()
    assert set(found) == {"expert_patients", "desmond", "dafne", "pulmonary_rehab",
                          "cardiac_rehab", "condition_education"}
    assert found["desmond"].serves(frozenset({"diabetes", "hypertension"}))
    assert not found["pulmonary_rehab"].serves(frozenset({"diabetes"}))
    assert found["expert_patients"].serves(frozenset())
    assert found["cardiac_rehab"].for_whom == "Coronary heart disease, Heart failure"
    assert "NG28" in found["desmond"].source
    assert "NG17" in found["dafne"].source
    assert "NG115" in found["pulmonary_rehab"].source


def test_the_directory_is_searched_by_need_and_place() -> None:
    d = catalogue.directory()
    carers = d.search("carers", "LOC02")
    # the place's own resources first, then those serving everywhere, by name
    assert next(r.id for r in carers) == "demo_carers_cafe"
    assert {r.id for r in carers} == {"demo_carers_cafe", "age_uk_advice",
                                      "alzheimers_society", "carers_uk",
                                      "stroke_association"}
    assert "demo_carers_cafe" not in {r.id for r in d.search("carers", "LOC01")}
    assert [r.id for r in d.search("breathing", "LOC01", "peer")] == ["demo_breathe_club"]
    assert len(d.search()) == len(d.resources)
    assert d.places == ("LOC01", "LOC02")
    assert "carers" in d.needs


PROGRAMMES = [
    ('[[programmes]]\nid = "x"\nname = "X"\nconditions = ["gout"]\nsessions = 1\n'
     'description = "d"\nsource = "s"\n', "programmes[1].conditions: expected names from"),
    ('[[programmes]]\nid = "x"\nname = "X"\nconditions = ["any"]\nsessions = 0\n'
     'description = "d"\nsource = "s"\n',
     "programmes[1].sessions: expected a whole number of 1 or more, got 0"),
    ('[[programmes]]\nid = "X Y"\nname = "X"\nconditions = ["any"]\nsessions = 1\n'
     'description = "d"\nsource = "s"\n', "programmes[1].id: expected a name of lower-case"),
    ('[[programmes]]\nid = "x"\nname = "X"\nconditions = ["any"]\nsessions = 1\n'
     'description = "d"\n', "programmes[1].source: expected a non-empty text, got None"),
]


@pytest.mark.parametrize(("text", "message"), PROGRAMMES)
def test_a_bad_programmes_file_is_named(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=r"mine\.toml: ") as caught:
        catalogue.parse_programmes(text, "mine.toml")
    assert message in str(caught.value)


HEADER = "id,name,needs,localities,contact,opening,description\n"
DIRECTORY = [
    ("id,name\nx,X\n", "mine.csv, line 1: the header lacks needs, localities"),
    (HEADER + "x,X,carers,LOC01,Call,,d\nx,Y,carers,LOC01,Call,,d\n",
     "mine.csv, line 3, column id: 'x' is used by an earlier row"),
    (HEADER + "x,X,Carers Group,LOC01,Call,,d\n",
     "mine.csv, line 2, column needs: 'Carers Group' is not a need"),
    (HEADER + "x,X,carers,LOC 1,Call,,d\n",
     "mine.csv, line 2, column localities: 'LOC 1' is not a locality code"),
    (HEADER + "x,X,carers,LOC01,,,d\n", "mine.csv, line 2, column contact: empty"),
    (HEADER + "x,X,carers,LOC01,Call,Mon,d,extra\n", "mine.csv, line 2: more values"),
    (HEADER, "mine.csv: no resources"),
]


@pytest.mark.parametrize(("text", "message"), DIRECTORY)
def test_a_bad_directory_is_named_with_line_and_column(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        catalogue.parse_directory(text, "mine.csv")
    assert message in str(caught.value)


def test_a_data_folders_own_files_replace_the_defaults(tmp_path: Path) -> None:
    assert setup.local_files(tmp_path) == {"programmes": None, "targets": None,
                                           "directory": None}
    (tmp_path / "directory").mkdir()
    (tmp_path / "directory" / "directory.csv").write_text(
        HEADER + 'walk,Park Walks,physical_activity,LOC09,Call 01632 960999,Sundays,'
        '"Walks, talks"\n')
    loaded = setup.load(tmp_path)
    assert [r.name for r in loaded.directory.resources] == ["Park Walks"]
    assert loaded.directory.resources[0].description == "Walks, talks"
    assert loaded.programmes == catalogue.programmes()  # no file of its own: the default
    (tmp_path / "selfcare").mkdir()
    (tmp_path / "selfcare" / "targets.toml").write_text("[measures]\n")
    with pytest.raises(ConfigError, match=r"selfcare/targets.toml: measures: expected"):
        setup.load(tmp_path)
