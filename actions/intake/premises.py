"""Where the complaint is: the contract (or the address of the premises) and, for commercial
premises, the requester's relationship with them."""

from __future__ import annotations

import re
from typing import Optional

from actions.intake.notification import gives_citation_address
from actions.intake.reading import ALCANTARILLADO, Reading, Turn
from crm_adapter.models import Contrato
from crm_adapter.rules import REGLA_ALCANTARILLADO
from textkit import parsing as P

_NO_CONTRACT_AT_HAND = re.compile(r"\bno (lo |la )?(tengo|se|encuentro|tengo a mano)\b|\bno\b$")


def contract_updates(reading: Reading, contrato: Contrato) -> Reading:
    """The contract billing knows; its address is the one of record."""
    return reading.set("contrato", contrato.contrato).set("direccion", f"{contrato.direccion}, {contrato.municipio}")


def read_premises(turn: Turn) -> Reading:
    reading = Reading()
    p = turn.parsed
    correction = P.find_self_correction(turn.text, "contrato", asked=turn.requested == "contrato")
    if correction:
        turn.bare.clear()  # the numbers typed were the wrong one and its correction
    contrato = correction.value if correction else (p.contrato.value if p.contrato else None)
    if not contrato and turn.requested == "contrato" and turn.bare:
        contrato = re.sub(r"\D", "", turn.bare.pop(0).value)
    if contrato:
        found = turn.store.get_contrato(contrato)
        if found:
            contract_updates(reading, found)
        elif not turn.quiet:
            reading.hint("contrato", "hint_contrato", contrato=contrato)
    elif turn.bare and (not turn.get("contrato") or turn.requested == "confirmacion"):
        _known_bare_contract(turn, reading)
    _read_address(turn, reading, contrato)
    if (
        turn.requested == "contrato"
        and turn.get("tipo_reclamo") == ALCANTARILLADO
        and not turn.get("contrato")
        and "contrato" not in reading.updates
        and _NO_CONTRACT_AT_HAND.search(P.norm(turn.text))
    ):
        reading.set("orientacion", REGLA_ALCANTARILLADO)
        reading.set("orientacion_razon", "contrato no identificado: no se pueden verificar pagos del alcantarillado")
    return reading


def _known_bare_contract(turn: Turn, reading: Reading) -> None:
    """An unlabelled number that billing knows as a contract is one."""
    for number in list(turn.bare):
        found = turn.store.get_contrato(re.sub(r"\D", "", number.value))
        if found and found.contrato != turn.get("contrato"):
            contract_updates(reading, found)
            turn.bare.remove(number)
            return


def _read_address(turn: Turn, reading: Reading, contrato: Optional[str]) -> None:
    p = turn.parsed
    municipio = P.find_municipio(turn.text, p.direccion) if p.direccion else None
    if p.direccion:
        direccion = f"{p.direccion.value}, {municipio.value}" if municipio else p.direccion.value
    elif turn.requested == "contrato" and not contrato and not p.has_data and P.looks_like_free_address(turn.text):
        direccion = turn.text.strip()
    else:
        return
    contract_known = (
        "contrato" in reading.updates
        or "contrato" in turn.updated
        or (turn.get("contrato") and turn.requested != "contrato")
    )
    if gives_citation_address(turn) or contract_known:
        return
    reading.set("direccion", direccion)
    if contrato or turn.get("contrato"):
        return
    street = p.direccion.value if p.direccion else direccion
    matches = turn.store.find_contratos_by_direccion(street) or turn.store.find_contratos_in_text(direccion)
    if municipio:  # the same street address exists in several municipalities
        matches = [c for c in matches if P.norm(municipio.value) in P.norm(c.municipio)]
    if len(matches) == 1:
        contract_updates(reading, matches[0])
    elif len(matches) > 1 and not turn.quiet:
        reading.say("direccion_varios_contratos")


def read_relationship(turn: Turn) -> Reading:
    reading = Reading()
    found = turn.parsed.relacion
    if turn.requested == "relacion_inmueble":
        relacion = found.value if found else _free_relacion(turn.text)
        if relacion:
            reading.set("relacion_inmueble", relacion)
        elif not turn.quiet:
            reading.hint("relacion_inmueble", "hint_relacion")
    elif found and re.search(r"\b(soy|somos|es de mi)\b", P.norm(turn.text)):
        contrato = turn.contrato()
        if contrato is not None and contrato.uso != "residencial":
            reading.set("relacion_inmueble", found.value)
    return reading


def _free_relacion(text: str) -> Optional[str]:
    t = text.strip()
    if not t or P.yes_no(t) is not None or len(P.words(t)) < 1 or len(t) > 200:
        return None
    return f"otro: {t}"
