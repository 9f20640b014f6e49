"""Parse and validate billing seed files (``pqrbot crm seed FILE.json``).

Two shapes are accepted: a JSON list of contracts, or an object
``{"contratos": [...], "contactos": [...]}``. Every problem is reported with the record and
field it is in; a file with any problem loads nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, List

from crm_adapter.models import SERVICIOS, TIPOS_DOCUMENTO, USOS, Contacto, Contrato, Pago, Titular

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-zA-Z]{2,}$")


class SeedError(ValueError):
    def __init__(self, problems: List[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class SeedData:
    contratos: List[Contrato] = field(default_factory=list)
    contactos: List[Contacto] = field(default_factory=list)


def _text(rec: dict, key: str, where: str, problems: List[str], required: bool = True) -> str:
    value = rec.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(f"{where}: field '{key}' is missing or empty")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        problems.append(f"{where}: field '{key}' must be a string, got {type(value).__name__}")
        return ""
    return str(value).strip()


def _choice(rec: dict, key: str, options, where: str, problems: List[str]) -> str:
    value = _text(rec, key, where, problems)
    if value and value not in options:
        problems.append(f"{where}: field '{key}' is '{value}', expected one of {', '.join(options)}")
    return value


def _contrato(i: int, rec: Any, problems: List[str]) -> Contrato | None:
    where = f"contratos[{i}]"
    if not isinstance(rec, dict):
        problems.append(f"{where}: must be an object, got {type(rec).__name__}")
        return None
    numero = _text(rec, "contrato", where, problems)
    if numero:
        where = f"contratos[{i}] (contrato '{numero}')"
    direccion = _text(rec, "direccion", where, problems)
    municipio = _text(rec, "municipio", where, problems)
    uso = _choice(rec, "uso", USOS, where, problems)
    titular_rec = rec.get("titular")
    titular = None
    if not isinstance(titular_rec, dict):
        problems.append(f"{where}: field 'titular' must be an object")
    else:
        tw = f"{where}.titular"
        titular = Titular(
            tipo_documento=_choice(titular_rec, "tipo_documento", TIPOS_DOCUMENTO, tw, problems),
            numero=_text(titular_rec, "numero", tw, problems),
            nombre=_text(titular_rec, "nombre", tw, problems),
        )
    servicios = rec.get("servicios", [])
    if not isinstance(servicios, list) or not all(isinstance(s, str) for s in servicios):
        problems.append(f"{where}: field 'servicios' must be a list of strings")
        servicios = []
    for s in servicios:
        if s not in SERVICIOS:
            problems.append(f"{where}: field 'servicios' has '{s}', expected {', '.join(SERVICIOS)}")
    pagos_rec = rec.get("alcantarillado_pagos", [])
    pagos: List[Pago] = []
    if not isinstance(pagos_rec, list):
        problems.append(f"{where}: field 'alcantarillado_pagos' must be a list")
        pagos_rec = []
    for j, p in enumerate(pagos_rec):
        pw = f"{where}.alcantarillado_pagos[{j}]"
        if not isinstance(p, dict):
            problems.append(f"{pw}: must be an object")
            continue
        try:
            fecha = date.fromisoformat(str(p.get("fecha")))
        except ValueError:
            problems.append(f"{pw}: field 'fecha' must be a date YYYY-MM-DD, got {p.get('fecha')!r}")
            continue
        valor = p.get("valor")
        if isinstance(valor, bool) or not isinstance(valor, (int, float)) or valor < 0:
            problems.append(f"{pw}: field 'valor' must be a non-negative number, got {valor!r}")
            continue
        pagos.append(Pago(fecha, float(valor)))
    if titular is None:
        return None
    return Contrato(numero, direccion, municipio, uso, titular, list(servicios), pagos)


def _contacto(i: int, rec: Any, problems: List[str]) -> Contacto | None:
    where = f"contactos[{i}]"
    if not isinstance(rec, dict):
        problems.append(f"{where}: must be an object, got {type(rec).__name__}")
        return None
    numero = _text(rec, "numero", where, problems)
    if numero:
        where = f"contactos[{i}] (numero '{numero}')"
    tipo = _choice(rec, "tipo_documento", TIPOS_DOCUMENTO, where, problems)
    nombre = _text(rec, "nombre", where, problems)
    email = _text(rec, "email", where, problems, required=False) or None
    if email and not _EMAIL.match(email):
        problems.append(f"{where}: field 'email' is not an e-mail address: {email!r}")
    celular = _text(rec, "celular", where, problems, required=False) or None
    return Contacto(tipo, numero, nombre, email, celular)


def parse_seed(data: Any) -> SeedData:
    problems: List[str] = []
    if isinstance(data, list):
        contratos_rec, contactos_rec = data, []
    elif isinstance(data, dict):
        unknown = set(data) - {"contratos", "contactos"}
        if unknown:
            problems.append(f"top level: unknown keys {sorted(unknown)}; expected 'contratos', 'contactos'")
        contratos_rec = data.get("contratos", [])
        contactos_rec = data.get("contactos", [])
        if not isinstance(contratos_rec, list):
            problems.append("top level: 'contratos' must be a list")
            contratos_rec = []
        if not isinstance(contactos_rec, list):
            problems.append("top level: 'contactos' must be a list")
            contactos_rec = []
    else:
        raise SeedError(["top level: expected a JSON list of contracts or an object with 'contratos'"])
    out = SeedData()
    seen = set()
    for i, rec in enumerate(contratos_rec):
        c = _contrato(i, rec, problems)
        if c is not None and c.contrato:
            if c.contrato in seen:
                problems.append(f"contratos[{i}] (contrato '{c.contrato}'): duplicated in the file")
            seen.add(c.contrato)
            out.contratos.append(c)
    seen_docs = set()
    for i, rec in enumerate(contactos_rec):
        contacto = _contacto(i, rec, problems)
        if contacto is not None and contacto.numero:
            if contacto.numero in seen_docs:
                problems.append(f"contactos[{i}] (numero '{contacto.numero}'): duplicated in the file")
            seen_docs.add(contacto.numero)
            out.contactos.append(contacto)
    if problems:
        raise SeedError(problems)
    return out


def load_seed_file(path: Path) -> SeedData:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError([f"{path}: cannot read the file ({exc})"]) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SeedError([f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"]) from exc
    return parse_seed(data)
