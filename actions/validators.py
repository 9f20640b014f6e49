"""Validation of what customers type: identification numbers, NIT check digit, e-mail,
Colombian mobile numbers. Pure functions, each returning a normalised value or a reason."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

_NIT_WEIGHTS = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")


@dataclass(frozen=True)
class Check:
    ok: bool
    value: Optional[str] = None
    reason: Optional[str] = None  # Spanish hint for the customer when not ok


def nit_check_digit(base: str) -> int:
    """DIAN check digit (dígito de verificación) of a NIT base number."""
    digits = [int(d) for d in reversed(base)]
    total = sum(d * w for d, w in zip(digits, _NIT_WEIGHTS))
    rest = total % 11
    return rest if rest in (0, 1) else 11 - rest


def digits_only(text: str) -> str:
    return re.sub(r"\D", "", text)


def validate_documento(tipo: str, numero: str, dv: Optional[str] = None) -> Check:
    """Validate an identification number for its type. Returns the canonical number."""
    tipo = (tipo or "CC").upper()
    raw = (numero or "").strip()
    if tipo in ("CC", "PPT"):
        n = digits_only(raw)
        if not n or n != re.sub(r"[\s.,'\-]", "", raw):
            return Check(False, reason="El número de documento debe tener solo dígitos.")
        if n.startswith("0"):
            return Check(False, reason="El número de documento no empieza por 0.")
        if not 4 <= len(n) <= 10:
            return Check(False, reason="La cédula tiene entre 4 y 10 dígitos, sin puntos ni espacios.")
        return Check(True, n)
    if tipo == "CE":
        n = re.sub(r"[\s.\-]", "", raw).upper()
        if not re.fullmatch(r"[A-Z0-9]{3,12}", n) or not re.search(r"\d", n):
            return Check(False, reason="La cédula de extranjería tiene entre 3 y 12 dígitos o letras.")
        return Check(True, n)
    if tipo == "PA":
        n = re.sub(r"[\s.\-]", "", raw).upper()
        if not re.fullmatch(r"[A-Z0-9]{5,15}", n) or not re.search(r"\d", n):
            return Check(False, reason="El pasaporte tiene entre 5 y 15 letras o números.")
        return Check(True, n)
    if tipo == "NIT":
        m = re.fullmatch(r"\s*([\d.\s]+?)\s*(?:-\s*(\d))?\s*", raw)
        if not m:
            return Check(False, reason="El NIT se escribe con números, por ejemplo 900.123.456-7.")
        base = digits_only(m.group(1))
        given_dv = m.group(2) or (dv.strip() if dv else None)
        if not 5 <= len(base) <= 15:
            return Check(False, reason="El NIT tiene entre 5 y 15 dígitos antes del dígito de verificación.")
        if given_dv is not None and int(given_dv) != nit_check_digit(base):
            return Check(
                False,
                reason="El dígito de verificación no corresponde a ese NIT. Revísalo en el RUT (ej.: 900.123.456-7).",
            )
        return Check(True, base)
    return Check(False, reason="Tipo de documento no reconocido: usa CC, CE, NIT, PPT o pasaporte.")


def validate_email(text: str) -> Check:
    m = EMAIL_RE.search(text or "")
    if not m:
        return Check(False, reason="Escribe el correo completo, por ejemplo nombre@gmail.com.")
    email = m.group(0).strip(".").lower()
    domain = email.split("@", 1)[1]
    if ".." in email or domain.startswith("-"):
        return Check(False, reason="Ese correo no parece válido; revísalo, por ejemplo nombre@gmail.com.")
    return Check(True, email)


def validate_celular(text: str) -> Check:
    """A Colombian mobile: 10 digits starting with 3 (optionally +57). Returns +57XXXXXXXXXX."""
    n = digits_only(text or "")
    if len(n) == 12 and n.startswith("57"):
        n = n[2:]
    if len(n) != 10 or not n.startswith("3"):
        return Check(False, reason="El celular tiene 10 dígitos y empieza por 3, por ejemplo 300 123 4567.")
    return Check(True, "+57" + n)
