import pytest

from actions.validators import nit_check_digit, validate_celular, validate_documento, validate_email


@pytest.mark.parametrize("base,dv", [("890904996", 1), ("800197268", 4), ("899999068", 1), ("900123456", 8)])
def test_nit_check_digit_matches_real_nits(base, dv):
    # EPM, DIAN, Ecopetrol: check digits as published on their RUT.
    assert nit_check_digit(base) == dv


@pytest.mark.parametrize("raw,ok,value", [
    ("890.904.996-1", True, "890904996"),
    ("890904996-1", True, "890904996"),
    ("890904996", True, "890904996"),
    ("890.904.996-2", False, None),
    ("12", False, None),
])
def test_nit(raw, ok, value):
    check = validate_documento("NIT", raw)
    assert check.ok is ok
    assert check.value == value
    if not ok:
        assert check.reason


@pytest.mark.parametrize("raw,ok", [
    ("1036654321", True), ("1.036.654.321", True), ("71 234 567", True), ("123", False),
    ("12345678901", False), ("0123456", False), ("10366a4321", False),
])
def test_cc(raw, ok):
    assert validate_documento("CC", raw).ok is ok


def test_passport_and_ce():
    assert validate_documento("PA", "AB123456").value == "AB123456"
    assert not validate_documento("PA", "ABCDEF").ok
    assert validate_documento("CE", "456789").ok


@pytest.mark.parametrize("raw,value", [
    ("3001234567", "+573001234567"), ("+57 310 555 1234", "+573105551234"), ("57-315-678-9012", "+573156789012"),
])
def test_mobile_numbers(raw, value):
    assert validate_celular(raw).value == value


@pytest.mark.parametrize("raw", ["6044444115", "30012345", "2001234567"])
def test_not_mobile_numbers(raw):
    check = validate_celular(raw)
    assert not check.ok and "10 dígitos" in check.reason


def test_email():
    assert validate_email("Mi correo: Juan.P@Gmail.com").value == "juan.p@gmail.com"
    assert not validate_email("juan@gmail").ok
    assert not validate_email("juan..p@gmail.com").ok
