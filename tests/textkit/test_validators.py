import pytest

from textkit.validators import nit_con_dv, validate_celular, validate_documento, validate_email


@pytest.mark.parametrize("base,dv", [("890904996", 1), ("800197268", 4), ("899999068", 1), ("900123456", 8)])
def test_nit_check_digit_matches_real_nits(base, dv):
    # EPM, DIAN, Ecopetrol: check digits as published on their RUT (python-stdnum computes them).
    assert validate_documento("NIT", f"{base}-{dv}").ok
    assert not validate_documento("NIT", f"{base}-{(dv + 1) % 10}").ok
    assert nit_con_dv(base).endswith(f"-{dv}")


@pytest.mark.parametrize(
    "raw,ok,value",
    [
        ("890.904.996-1", True, "890904996"),
        ("890904996-1", True, "890904996"),
        ("890904996", True, "890904996"),
        ("890.904.996-2", False, None),
        ("12", False, None),
    ],
)
def test_nit(raw, ok, value):
    check = validate_documento("NIT", raw)
    assert check.ok is ok
    assert check.value == value
    if not ok:
        assert check.problem


@pytest.mark.parametrize(
    "raw,ok",
    [
        ("1036654321", True),
        ("1.036.654.321", True),
        ("71 234 567", True),
        ("123", False),
        ("12345678901", False),
        ("0123456", False),
        ("10366a4321", False),
    ],
)
def test_cc(raw, ok):
    assert validate_documento("CC", raw).ok is ok


def test_passport_and_ce():
    assert validate_documento("PA", "AB123456").value == "AB123456"
    assert not validate_documento("PA", "ABCDEF").ok
    assert validate_documento("CE", "456789").ok


@pytest.mark.parametrize(
    "raw,value",
    [
        ("3001234567", "+573001234567"),
        ("+57 310 555 1234", "+573105551234"),
        ("57-315-678-9012", "+573156789012"),
    ],
)
def test_mobile_numbers(raw, value):
    assert validate_celular(raw).value == value


@pytest.mark.parametrize("raw", ["6044444115", "30012345", "2001234567"])
def test_not_mobile_numbers(raw):
    check = validate_celular(raw)
    assert not check.ok and check.problem == "celular"


def test_email():
    assert validate_email("Mi correo: Juan.P@Gmail.com").value == "juan.p@gmail.com"
    assert not validate_email("juan@gmail").ok
    assert not validate_email("juan..p@gmail.com").ok


@pytest.mark.parametrize("raw", ["ana@gmail..com", "ana@-gmail.com", "ana@@gmail.com", "ana@gmail.com-"])
def test_email_syntax_is_email_validators(raw):
    check = validate_email(raw)
    assert not check.ok and check.problem.startswith("correo")


@pytest.mark.parametrize("raw", ["3001234567", "310 555 1234", "+57 321 987 6543"])
def test_mobiles_are_e164(raw):
    assert validate_celular(raw).value.startswith("+573")


def test_the_validators_delegate_to_the_libraries():
    import inspect

    import textkit.validators as V

    source = inspect.getsource(V)
    assert "stdnum.co" in source and "phonenumbers" in source and "email_validator" in source
    assert "_NIT_WEIGHTS" not in source  # no hand-written check-digit algorithm


def test_every_problem_is_worded_in_the_catalogue():
    import re
    from pathlib import Path

    from actions.messages import razon
    from textkit import validators

    source = Path(validators.__file__).read_text(encoding="utf-8")
    problems = set(re.findall(r'problem = "(\w+)"|problem="(\w+)"', source))
    codes = {code for pair in problems for code in pair if code}
    assert codes
    for code in codes:
        assert razon(code).endswith(".")  # a Spanish sentence for the customer
    assert "10 dígitos" in razon("celular") and "dígito de verificación" in razon("nit_digito_verificacion")
