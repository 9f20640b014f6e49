"""Checking what customers type: identification numbers, e-mails and Colombian mobiles.

The rules themselves come from the libraries that keep them: ``stdnum.co.nit`` (python-stdnum)
for the DIAN check digit of a NIT, ``phonenumbers`` (region CO) for mobiles, ``email_validator``
(syntax only, no network) for e-mails. This module adds what the customer needs: each check
returns the normalised value, or the problem as a code (``Check.problem``) that the actions'
catalogue (``actions/messages.py``, ``razon_<code>``) words in Spanish for the customer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import phonenumbers
from email_validator import EmailNotValidError
from email_validator import validate_email as _validate_email_syntax
from stdnum.co import nit as _nit
from stdnum.exceptions import InvalidChecksum, ValidationError

from textkit.normalize import digits_only

# Finding an e-mail inside a sentence (the validity is email-validator's call). Each part is a
# run of one character class, so the scan stays linear on any input.
EMAIL_RE = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")


@dataclass(frozen=True)
class Check:
    ok: bool
    value: Optional[str] = None
    problem: Optional[str] = None  # what is wrong, as a code: actions.messages words it for the customer


DOCUMENT_TYPES = ("CC", "CE", "NIT", "PPT", "PA")


def validate_documento(tipo: str, numero: str, dv: Optional[str] = None) -> Check:
    """Validate an identification number for its type. Returns the canonical number."""
    tipo = (tipo or "CC").upper()
    raw = (numero or "").strip()
    if tipo in ("CC", "PPT"):
        return _cedula(raw)
    if tipo == "CE":
        return _alphanumeric(raw, 3, 12, "ce_formato")
    if tipo == "PA":
        return _alphanumeric(raw, 5, 15, "pasaporte_formato")
    if tipo == "NIT":
        return validate_nit(raw, dv)
    return Check(False, problem="tipo_documento")


def _cedula(raw: str) -> Check:
    n = digits_only(raw)
    if not n or n != re.sub(r"[\s.,'\-]", "", raw):
        return Check(False, problem="documento_digitos")
    if n.startswith("0"):
        return Check(False, problem="documento_cero")
    if not 4 <= len(n) <= 10:
        return Check(False, problem="cedula_longitud")
    return Check(True, n)


def _alphanumeric(raw: str, shortest: int, longest: int, problem: str) -> Check:
    n = re.sub(r"[\s.\-]", "", raw).upper()
    if not (shortest <= len(n) <= longest and n.isascii() and n.isalnum()) or not re.search(r"\d", n):
        return Check(False, problem=problem)
    return Check(True, n)


def validate_nit(raw: str, dv: Optional[str] = None) -> Check:
    """A NIT with or without its check digit ("900.123.456-8", "900123456"); returns the base
    number. A check digit that does not match (python-stdnum) is refused with a hint."""
    m = re.fullmatch(r"\s*([\d.\s]+?)\s*(?:-\s*(\d))?\s*", raw)
    if not m:
        return Check(False, problem="nit_formato")
    base = digits_only(m.group(1))
    given_dv = m.group(2) or (dv.strip() if dv else None)
    if not 5 <= len(base) <= 15:
        return Check(False, problem="nit_longitud")
    if given_dv is not None:
        try:
            _nit.validate(base + given_dv)
        except InvalidChecksum:
            return Check(False, problem="nit_digito_verificacion")
        except ValidationError:
            return Check(False, problem="nit_longitud")
    return Check(True, base)


def nit_con_dv(base: str) -> str:
    """The NIT written as on the RUT, with its DIAN check digit: "890.904.996-1"."""
    return _nit.format(base + _nit.calc_check_digit(base))


def validate_email(text: str) -> Check:
    """The first e-mail in ``text``, in lower case, when its syntax is valid."""
    m = EMAIL_RE.search(text or "")
    if not m:
        return Check(False, problem="correo_incompleto")
    candidate = m.group(0).strip(".")
    try:
        checked = _validate_email_syntax(candidate, check_deliverability=False)
    except EmailNotValidError:
        return Check(False, problem="correo_invalido")
    return Check(True, checked.normalized.lower())


def validate_celular(text: str) -> Check:
    """A Colombian mobile (optionally with +57). Returns it in E.164: +57XXXXXXXXXX."""
    n = digits_only(text or "")
    problem = "celular"
    if len(n) == 12 and n.startswith("57"):
        n = n[2:]
    if len(n) != 10 or not n.startswith("3"):
        return Check(False, problem=problem)
    try:
        number = phonenumbers.parse(n, "CO")
    except phonenumbers.NumberParseException:
        return Check(False, problem=problem)
    mobile = phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    if not (phonenumbers.is_valid_number_for_region(number, "CO") and mobile):
        return Check(False, problem=problem)
    return Check(True, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
