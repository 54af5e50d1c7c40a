"""Code lists carried as project data (POP-3)."""

from __future__ import annotations

import pytest

from ltc.codes import codelists
from ltc.records.registers import REGISTERS


def test_every_list_loads_with_its_source() -> None:
    names = codelists.names()
    assert "dm_cod" in names
    for name in names:
        cl = codelists.load(name)
        assert cl.name == name
        assert cl.system in codelists.SYSTEMS
        assert cl.codes
        assert cl.source


def test_load_is_cached_and_frozen() -> None:
    assert codelists.load("dm_cod") is codelists.load("dm_cod")
    with pytest.raises(AttributeError):
        codelists.load("dm_cod").name = "x"  # type: ignore[misc]


def test_unknown_list_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="dm_cod"):
        codelists.load("no_such_list")


def test_snomed_lists_are_digit_strings_and_icd10_lists_are_codes() -> None:
    for name in codelists.names():
        cl = codelists.load(name)
        for code in cl.codes:
            if cl.system == "snomed":
                assert code.isdigit(), (name, code)
                assert 6 <= len(code) <= 18, (name, code)
            else:
                assert code[0].isalpha(), (name, code)
                assert code[1:3].isdigit(), (name, code)
                assert 3 <= len(code) <= 4, (name, code)


def test_terms() -> None:
    terms = codelists.terms("dmres_cod")
    assert terms == {"315051004": "Diabetes resolved"}


def test_every_register_has_codes() -> None:
    for reg in REGISTERS.values():
        assert reg.codes, reg.id
        assert reg.icd10, reg.id
        assert all(code.isdigit() for code in reg.codes), reg.id
        assert all(code.isdigit() for code in reg.resolved_codes), reg.id
        assert not reg.codes & reg.resolved_codes, reg.id


# Synthea's condition codes and the registers they belong on
SYNTHEA = {
    "44054006": "diabetes",
    "38341003": "hypertension",
    "59621000": "hypertension",
    "88805009": "heart_failure",
    "53741008": "chd",
    "22298006": "chd",
    "49436004": "af",
    "230690007": "stroke_tia",
    "87433001": "copd",
    "185086009": "copd",
    "233678006": "asthma",
    "195967001": "asthma",
    "26929004": "dementia",
    "84757009": "epilepsy",
    "370143000": "depression",
    "64859006": "osteoporosis",
    "69896004": "rheumatoid_arthritis",
}
# CKD stages 1 and 2 (CKD1AND2_COD) are not on the QOF CKD register (stages 3-5);
# seizure disorder and prediabetes are in no register cluster
ON_NO_REGISTER = ("431855005", "431856006", "128613002", "15777000")


@pytest.mark.parametrize(("code", "register"), sorted(SYNTHEA.items()))
def test_synthea_codes_land_on_their_register(code: str, register: str) -> None:
    on = {reg.id for reg in REGISTERS.values() if code in reg.codes}
    assert on == {register}


@pytest.mark.parametrize("code", ON_NO_REGISTER)
def test_synthea_codes_outside_the_registers(code: str) -> None:
    assert not [reg.id for reg in REGISTERS.values() if code in reg.codes]
