"""The two filing rules of seed 002 section 2.7, as plain functions of the billing data.

* Nota (alcantarillado no prestado): a claim that the sewer service is billed but not provided
  is filed on digital channels only when the customer has paid nothing for it; any payment means
  the claim involves returning money and must go through the written channel.
* Nota 2 (PPS comerciales): for non-residential premises, a contract held by a legal person is not
  filed here (the requester must prove their relationship with the premises elsewhere); a contract
  held by a natural person is filed, recording the requester's relationship with the premises.

Each rule returns a ``Decision`` with its reason, so the dialogue can explain it and operations can
count redirections. Deciding "legal person" weighs three signals (docs/rules.md):
the holder's document type, the form of a NIT (company NITs are 9 digits in the 800/900 series;
a natural person's NIT is their cédula), and legal-form words in the holder's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Tuple

from crm_adapter.models import Contrato, Titular
from textkit.normalize import strip_accents

REGLA_ALCANTARILLADO = "alcantarillado_no_prestado"
REGLA_PERSONA_JURIDICA = "persona_juridica"
REGLA_SIN_CONSENTIMIENTO = "sin_consentimiento"


@dataclass(frozen=True)
class Decision:
    regla: str
    permitido: bool  # True: the PQR may be filed on this channel
    razon: str
    requiere_relacion: bool = False  # the requester's relationship must be recorded


# Legal forms and organisation words (normalised: lower case, no accents, no dots).
_LEGAL_FORMS = (
    r"s ?a ?s",
    r"s ?a",
    r"ltda",
    r"limitada",
    r"e ?u",
    r"s ?en ?c(?: ?a)?",
    r"s ?c ?a",
    r"s ?c ?s",
    r"e ?s ?p",
    r"e ?i ?c ?e",
    r"y ?cia",
    r"& ?cia",
    r"cia",
    r"sucursal",
)
_ORG_WORDS = (
    r"sociedad",
    r"compania",
    r"cooperativa",
    r"coop",
    r"fundacion",
    r"corporacion",
    r"asociacion",
    r"empresa",
    r"inversiones",
    r"comercializadora",
    r"distribuidora",
    r"constructora",
    r"inmobiliaria",
    r"grupo",
    r"holding",
    r"industrias",
    r"servicios integrales",
    r"consorcio",
    r"union temporal",
    r"junta de accion comunal",
    r"propiedad horizontal",
    r"edificio",
    r"conjunto residencial",
    r"parroquia",
    r"iglesia",
    r"colegio",
    r"universidad",
    r"clinica",
    r"hospital",
    r"banco",
    r"almacenes",
    r"supermercados?",
    r"hoteles?",
    r"restaurantes",
)
_LEGAL_RE = re.compile(r"(?:^|\s)(?:" + "|".join(_LEGAL_FORMS) + r")(?:\s|$)")
_ORG_RE = re.compile(r"\b(?:" + "|".join(_ORG_WORDS) + r")\b")


def _norm_name(name: str) -> str:
    text = strip_accents(name.lower()).replace(".", "")
    text = re.sub(r"[^a-z0-9& ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def nit_base(numero: str) -> str:
    """The NIT without its check digit: "900.123.456-7" -> "900123456"."""
    return re.sub(r"\D", "", numero.split("-")[0])


def company_name_signal(nombre: str) -> Optional[str]:
    """The legal-form or organisation word in a holder's name, if any."""
    text = _norm_name(nombre)
    m = _LEGAL_RE.search(text) or _ORG_RE.search(text)
    return m.group(0).strip() if m else None


def es_persona_juridica(titular: Titular) -> Tuple[bool, str]:
    """Whether the holder is a legal person, with the signals that decided it."""
    signals: List[str] = []
    tipo = (titular.tipo_documento or "").upper()
    name_signal = company_name_signal(titular.nombre)
    if name_signal:
        signals.append(f"el nombre del titular indica una persona jurídica («{name_signal}»)")
    company_nit = False
    if tipo == "NIT":
        base = nit_base(titular.numero)
        company_nit = len(base) == 9 and base[0] in "89"
        if company_nit:
            signals.append(f"NIT {base} de la serie de personas jurídicas (800/900)")
    if tipo == "NIT" and (company_nit or name_signal):
        return True, "; ".join(signals)
    if tipo != "NIT" and name_signal:
        # A natural-person document with a company name: the data disagree; the name wins, as
        # filing for a company without proof of the relationship is what the rule forbids.
        return True, "; ".join(signals) + f" aunque el documento es {tipo}"
    if tipo == "NIT":
        return (
            False,
            f"NIT {nit_base(titular.numero)} de persona natural (no es serie 800/900 y el nombre no es de empresa)",
        )
    return False, f"titular con {tipo or 'documento'} de persona natural"


def regla_persona_juridica(contrato: Contrato) -> Decision:
    """Nota 2: non-residential contracts held by a legal person are not filed by digital channels."""
    if contrato.uso == "residencial":
        return Decision(REGLA_PERSONA_JURIDICA, True, "uso residencial: la regla no aplica")
    juridica, why = es_persona_juridica(contrato.titular)
    if juridica:
        return Decision(
            REGLA_PERSONA_JURIDICA,
            False,
            f"contrato {contrato.contrato} de uso {contrato.uso} a nombre de persona jurídica: {why}",
        )
    return Decision(
        REGLA_PERSONA_JURIDICA,
        True,
        f"contrato {contrato.contrato} de uso {contrato.uso} a nombre de persona natural ({why}): "
        "se registra la relación del solicitante con el inmueble",
        requiere_relacion=True,
    )


def regla_alcantarillado_no_prestado(contrato: Contrato) -> Decision:
    """Nota: sewer not provided is filed here only if no payment for it exists in billing."""
    pagos = [p for p in contrato.alcantarillado_pagos if p.valor > 0]
    if pagos:
        total = sum(p.valor for p in pagos)
        ultimo = max(p.fecha for p in pagos)
        return Decision(
            REGLA_ALCANTARILLADO,
            False,
            f"{len(pagos)} pago(s) del alcantarillado en el contrato {contrato.contrato} "
            f"(total ${total:,.0f}, último {ultimo.isoformat()}): involucra devolución de valores, "
            "va por canal escrito".replace(",", "."),
        )
    return Decision(
        REGLA_ALCANTARILLADO,
        True,
        f"sin pagos del alcantarillado en el contrato {contrato.contrato}: se radica por medio digital",
    )
