"""Where the answer reaches the customer: an e-mail; otherwise a mobile for the SMS citation;
otherwise a physical address for the citation. Customers often answer the question about one
medium with another ("mejor al celular 300...", "mándenlo a la casa, calle 10 # 43-25")."""

from __future__ import annotations

import re
from typing import Optional

from actions.intake.reading import NO, Reading, Turn
from actions.messages import razon
from textkit import parsing as P
from textkit.validators import validate_celular, validate_email

_SAME_ADDRESS = re.compile(
    r"\b(la misma|el mismo|misma direccion|la del inmueble|la de arriba|ahi mismo|alli mismo|"
    r"(?:a|en|de) la (?:misma )?casa|(?:al|el) mismo (?:predio|inmueble|local))\b"
)


NOTIFICATION_SLOTS = ("notif_correo", "notif_celular", "notif_direccion")


def read_notification(turn: Turn) -> Reading:
    reading = Reading()
    _read_email(turn, reading)
    _read_mobile(turn, reading)
    _read_physical_address(turn, reading)
    if (
        not any(slot in reading.updates for slot in NOTIFICATION_SLOTS)
        and not reading.messages
        and not turn.quiet
        and turn.requested in NOTIFICATION_SLOTS
    ):
        _hint_unrecognised(turn, reading)
    return reading


def _read_email(turn: Turn, reading: Reading) -> None:
    p, requested = turn.parsed, turn.requested
    email = P.find_self_correction(turn.text, "email") or p.email
    if email:
        check = validate_email(email.value)
        if check.ok:
            reading.set("notif_correo", check.value)
        elif not turn.quiet:
            reading.hint("notif_correo", "hint_correo", razon=razon(check.problem or "correo_invalido"))
    elif p.sin_correo and p.sin_celular and requested in ("notif_correo", "notif_celular"):
        correo = turn.get("notif_correo") or NO
        reading.set("notif_correo", correo)
        if correo == NO:
            reading.set("notif_celular", NO)
    elif p.sin_correo and requested != "notif_correo" and not turn.get("notif_correo"):
        reading.set("notif_correo", NO)
    elif requested == "notif_correo":
        if p.sin_correo or P.yes_no(turn.text) is False:
            reading.set("notif_correo", NO)
        elif "@" in turn.text and not turn.quiet:
            reading.hint(
                "notif_correo", "hint_correo", razon=razon(validate_email(turn.text).problem or "correo_invalido")
            )


def _mobile_mention(turn: Turn) -> Optional[str]:
    found = P.find_self_correction(turn.text, "celular") or turn.parsed.celular
    if not found and turn.requested in ("notif_celular", "notif_correo", "notif_direccion", "confirmacion"):
        found = P.find_celular(turn.text, labelled_only=False)
    if found:
        return found.value
    if turn.requested in NOTIFICATION_SLOTS and P.means_this_number(turn.text):
        return whatsapp_number(turn.conversation_id)
    return None


def _read_mobile(turn: Turn, reading: Reading) -> None:
    celular = _mobile_mention(turn)
    if celular:
        check = validate_celular(celular)
        if check.ok:
            if turn.requested == "notif_correo" and "notif_correo" not in reading.updates:
                reading.set("notif_correo", NO)  # "mejor al celular": the mobile instead of an e-mail
            reading.set("notif_celular", check.value)
    elif turn.requested == "notif_celular" and "notif_celular" not in reading.updates:
        if turn.parsed.sin_celular or P.yes_no(turn.text) is False:
            reading.set("notif_celular", NO)
        elif P.looks_like_landline(turn.text) and not turn.quiet:
            reading.hint("notif_celular", "hint_celular", razon=razon("celular_fijo"))


def gives_citation_address(turn: Turn) -> bool:
    """Whether an address in this message is for the citation: asked for it, or given instead of
    the medium asked for ("no tengo correo, mándenla a la casa: ...", "mejor a donde trabajo")."""
    if turn.requested == "notif_direccion":
        return True
    if turn.requested not in ("notif_correo", "notif_celular"):
        return False
    p = turn.parsed
    declined = p.sin_correo or p.sin_celular or P.yes_no(turn.text) is False
    if turn.requested == "notif_celular" and (p.direccion or not p.has_data):
        return True  # the next medium anyway
    return P.medium_offered(turn.text) == "direccion" or declined


def _citation_address(turn: Turn) -> Optional[str]:
    """The physical address the customer gives for the citation, if any."""
    p, requested = turn.parsed, turn.requested
    if not gives_citation_address(turn):
        return None
    if p.direccion:
        return P.address_with_municipio(turn.text, p.direccion)
    if _SAME_ADDRESS.search(P.norm(turn.text)) and turn.get("direccion"):
        return turn.get("direccion")
    declined = p.sin_celular or P.yes_no(turn.text) is False
    if P.looks_like_free_address(turn.text) and (
        requested == "notif_direccion"
        or (requested == "notif_celular" and not declined)
        or P.medium_offered(turn.text) == "direccion"
    ):
        return turn.text.strip()
    return None


def _read_physical_address(turn: Turn, reading: Reading) -> None:
    """An address for the citation, when asked for it or given instead of an e-mail or a mobile."""
    if turn.requested not in NOTIFICATION_SLOTS:
        return
    if any(reading.updates.get(slot) not in (None, NO) for slot in ("notif_correo", "notif_celular")):
        return  # an e-mail or a mobile was given: that is the medium
    direccion = _citation_address(turn)
    if not direccion:
        return
    if turn.requested != "notif_direccion":  # the address instead of the medium asked for
        for slot in ("notif_correo", "notif_celular"):
            if not turn.get(slot) and slot not in reading.updates:
                reading.set(slot, NO)
    reading.set("notif_direccion", direccion)


def _hint_unrecognised(turn: Turn, reading: Reading) -> None:
    if turn.requested == "notif_direccion":
        reading.hint("notif_direccion", "hint_direccion")
    elif turn.parsed.has_data:
        return
    elif turn.requested == "notif_correo":
        reading.hint("notif_correo", "hint_correo", razon=razon("correo_no_reconocido"))
    else:
        reading.hint("notif_celular", "hint_celular", razon=razon(validate_celular(turn.text).problem or "celular"))


def whatsapp_number(conversation_id: str) -> Optional[str]:
    """The customer's own mobile when the conversation is on WhatsApp ("a este mismo número")."""
    m = re.fullmatch(r"whatsapp:(\+?57)?(3\d{9})", conversation_id or "")
    return m.group(2) if m else None
