"""The reclamo intake form: what to read from each customer message and what to ask next.

``IntakeTurn`` is the dialogue logic with no Rasa in it (slots in, slot updates and messages
out); ``ValidatePqrForm`` runs it inside Rasa's form loop. Rules of the turn:

* Nothing is taken before the customer authorises the processing of personal data; data typed
  before that wait in ``pendientes`` and are read once the customer says yes.
* Labelled data ("cc ...", "contrato ...", an e-mail, an address) are read wherever they appear,
  overwriting earlier values: that is how corrections work ("perdón, la cédula es ...").
* An unlabelled answer is read only as the datum just asked for.
* An invalid answer is never stored: the customer gets a hint and the question again.
* The next question is the first missing datum; the filing rules (alcantarillado no prestado,
  persona jurídica) run as soon as the contract is known and may end the form with a redirection.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import parsing as P
from actions.conversation import conversation_ref, is_fresh_turn
from actions.deps import Deps, UsesDeps
from actions.messages import render
from actions.procedure_signals import asks_procedure_question
from bot.channels.logmask import masked_logger
from actions.validators import validate_celular, validate_documento, validate_email
from crm_adapter.models import Consentimiento, Contrato
from crm_adapter.rules import (
    REGLA_ALCANTARILLADO,
    REGLA_SIN_CONSENTIMIENTO,
    regla_alcantarillado_no_prestado,
    regla_persona_juridica,
)

logger = masked_logger(__name__)  # ids, phones and e-mails never in clear

FORM = "pqr_form"
ALCANTARILLADO = "alcantarillado_no_prestado"
FACTURA = "factura"
NO = "no"
INTAKE_SLOTS = (
    "consentimiento", "motivo", "tipo_reclamo", "monto", "nombre", "tipo_documento",
    "numero_documento", "contrato", "direccion", "relacion_inmueble", "notif_correo",
    "notif_celular", "notif_direccion", "confirmacion", "orientacion", "orientacion_razon",
    "intake_id", "pendientes", "intentos", "politica_url",
)
# Intents that, alone, are not an answer: the form lets the rules answer them.
_CONTROL_INTENTS = {"cancelar", "pedir_asesor"}
_CHITCHAT_INTENTS = {"saludo", "despedida", "agradecer", "bot_challenge", "fuera_de_alcance"}


@dataclass
class Message:
    response: str  # key of actions.messages.MESSAGES
    kwargs: Dict[str, Any] = field(default_factory=dict)


@dataclass
class TurnResult:
    updates: Dict[str, Any] = field(default_factory=dict)
    messages: List[Message] = field(default_factory=list)

    @property
    def understood(self) -> bool:
        return bool(self.updates) or bool(self.messages)


class IntakeTurn:
    """One customer message applied to the intake's slots."""

    def __init__(self, deps: Deps, slots: Dict[str, Any], conversation_id: str, canal: str):
        self.deps = deps
        self.slots = dict(slots)
        self.conversation_id = conversation_id
        self.canal = canal
        self.result = TurnResult()

    # -- slot helpers ---------------------------------------------------------------
    def get(self, name: str) -> Any:
        return self.slots.get(name)

    def set(self, name: str, value: Any) -> None:
        self.slots[name] = value
        self.result.updates[name] = value

    def say(self, response: str, **kwargs: Any) -> None:
        self.result.messages.append(Message(response, kwargs))

    def _failed(self, slot: str) -> int:
        intentos = dict(self.get("intentos") or {})
        intentos[slot] = intentos.get(slot, 0) + 1
        self.set("intentos", intentos)
        return intentos[slot]

    def hint(self, slot: str, response: str, **kwargs: Any) -> None:
        self.say(response, **kwargs)
        if self._failed(slot) >= 2:
            self.say("hint_otra_vez")

    # -- entry point ----------------------------------------------------------------
    def start(self) -> None:
        if not self.get("intake_id"):
            self.set("intake_id", uuid.uuid4().hex)
        if not self.get("politica_url"):
            self.set("politica_url", self.deps.settings.privacy_policy_url)

    def apply(self, text: str, intent: Optional[str], confidence: float, persons: List[str],
              requested: Optional[str]) -> TurnResult:
        text = (text or "").strip()
        if P.asks_for_number(text) and not self._has_data(P.parse_message(text)):
            return self.result  # "¿cuál era el número?": the rules answer it, the form resumes
        if asks_procedure_question(text) and not self._has_data(P.parse_message(text)):
            return self.result  # "¿en cuánto me responden?", "¿qué datos tienen de mí?": same
        if self.get("consentimiento") != "si":
            self._apply_consent(text, intent, confidence, persons, requested)
            return self.result
        parsed = P.parse_message(text, persons)
        if not self._has_data(parsed) and confidence >= 0.6 and (
                (intent == "cancelar" and P.says_cancel(text)) or (intent == "pedir_asesor" and P.asks_for_agent(text))):
            return self.result  # the rules cancel or answer the agent request
        self._apply_data(text, parsed, intent, confidence, requested)
        return self.result

    @staticmethod
    def _has_data(p: P.Parsed) -> bool:
        return any([p.nombre, p.documento, p.contrato, p.direccion, p.email, p.celular])

    # -- consent ------------------------------------------------------------------------
    def _apply_consent(self, text: str, intent: Optional[str], confidence: float,
                       persons: List[str], requested: Optional[str]) -> None:
        if requested != "consentimiento":
            # First turn of the intake: keep what the customer already said for later.
            if text:
                self.set("pendientes", list(self.get("pendientes") or []) + [text])
            return
        answer = P.yes_no(text)
        if answer is None and intent in ("afirmar", "negar") and confidence >= 0.85 and len(P.words(text)) <= 4:
            answer = intent == "afirmar"
        if answer is False and not _explicit_refusal(text):
            # "no tengo correo", "no, el celular es ...": a no to something else, not to consent.
            parsed = P.parse_message(text, persons)
            if self._has_data(parsed) or parsed.sin_correo or parsed.sin_celular or len(P.words(text)) > 4:
                answer = None
        if answer is None and (_explicit_refusal(text) or P.says_cancel(text)
                               or (intent == "cancelar" and confidence >= 0.6)):
            answer = False  # "mejor no", "no quiero dar mis datos", "cancelar": a refusal, recorded as such
        if answer is None:
            is_question = "?" in text or re.search(r"\b(para que|por que|porque|que es|que hacen|quien)\b", P.norm(text))
            if intent in _CONTROL_INTENTS | _CHITCHAT_INTENTS and confidence >= 0.6 \
                    and not (is_question and intent == "fuera_de_alcance"):
                return  # the rules answer it; the form asks again
            parsed = P.parse_message(text, persons)
            bare_name = P.name_as_answer(text)
            if self._has_data(parsed) or parsed.motivo or (bare_name and len(bare_name.split()) >= 2):
                self.set("pendientes", list(self.get("pendientes") or []) + [text])
                self.say("datos_en_espera")
            else:
                self._failed("consentimiento")
                self.say("consentimiento_explicar")
            return
        self.deps.store.record_consentimiento(
            Consentimiento(
                conversation_id=self.conversation_id,
                canal=self.canal,
                aceptado=answer,
                respuesta=text[:500],
                policy_version=self.deps.settings.privacy_policy_version,
                creado_en=datetime.now(timezone.utc),
            )
        )
        if not answer:
            self.set("consentimiento", NO)
            self.set("pendientes", None)
            self.set("orientacion", REGLA_SIN_CONSENTIMIENTO)
            self.set("orientacion_razon", "el cliente no autorizó el tratamiento de datos personales")
            return
        self.set("consentimiento", "si")
        pending = list(self.get("pendientes") or [])
        self.set("pendientes", None)
        for earlier in pending:
            parsed = P.parse_message(earlier)
            if not parsed.nombre and not self._has_data(parsed) and not parsed.motivo:
                # A message that is only a full name ("Pedro Pablo Gil") answered nothing asked yet.
                candidate = P.name_as_answer(earlier)
                if candidate and len(candidate.split()) >= 2:
                    parsed.nombre = candidate
            elif not parsed.nombre and self._has_data(parsed):
                parsed.nombre = P.leftover_name(earlier)  # "..., cc 123, lina marcela arango, contrato 45"
            self._apply_data(earlier, parsed, None, 0.0, None, quiet=True)
        rest = re.sub(r"^\W*(s[ií]+|claro|dale|ok|listo|acepto|autorizo|de acuerdo)\b[\s,.!]*", "", text, flags=re.I)
        if rest and rest != text:
            self._apply_data(rest, P.parse_message(rest, persons), None, 0.0, None)

    # -- data ---------------------------------------------------------------------------
    def _apply_data(self, text: str, p: P.Parsed, intent: Optional[str], confidence: float,
                    requested: Optional[str], quiet: bool = False) -> None:
        before = len(self.result.updates), len(self.result.messages)
        bare = list(p.bare_numbers)

        # motivo and kind of reclamo
        if p.alcantarillado_no_prestado or (intent == "reclamo_alcantarillado" and confidence >= 0.8
                                            and re.search(r"alcantarill", P.norm(text))):
            self.set("tipo_reclamo", ALCANTARILLADO)
        motivo = p.motivo
        if requested == "motivo" and not motivo:
            motivo = P.motivo_as_answer(text)
        more_detail = False
        if motivo and (requested == "motivo" or not self.get("motivo") or
                       re.search(r"\b(el motivo|mi reclamo|la queja) es\b", P.norm(text))):
            clean = clean_motivo(motivo)
            if clean:
                self.set("motivo", clean)
                if not self.get("tipo_reclamo"):
                    self.set("tipo_reclamo", ALCANTARILLADO if P.is_alcantarillado_no_prestado(clean) else FACTURA)
        elif motivo and self.get("motivo"):
            more_detail = not quiet and requested != "motivo" and P.has_complaint(text)
        if p.monto and (requested == "motivo" or not self.get("monto")):
            self.set("monto", float(p.monto))
        if requested == "motivo" and not self.get("motivo") and not quiet and not self._has_data(p):
            self.hint("motivo", "hint_motivo")

        # name
        nombre = p.nombre
        if requested == "nombre":
            # The customer's own words beat spaCy's PER entity, which often drops a first name.
            nombre = P.find_name(text) or P.name_as_answer(text) or p.nombre
        elif self.get("nombre"):
            nombre = P.find_name(text, strong_only=True)  # "mi nombre es ..." corrects; "soy ..." does not
        if nombre:
            self.set("nombre", nombre)
        elif requested == "nombre" and not self._has_data(p) and not quiet:
            if not (intent in _CHITCHAT_INTENTS and confidence >= 0.7):
                self.hint("nombre", "hint_nombre")

        # identification document
        doc = p.documento
        tipo = doc.tipo if doc else None
        numero = doc.numero if doc else None
        if not doc and requested == "numero_documento":
            digits = re.search(r"[A-Za-z]{0,2}\d[\d.\s]*\d(?:\s*-\s*\d\b)?|[A-Za-z]{0,2}\d", text)
            numero = digits.group(0).strip() if digits else None
            if numero and bare and re.sub(r"\D", "", bare[0]) in re.sub(r"\D", "", numero):
                bare.pop(0)
            tipo = p.tipo_documento_solo or self.get("tipo_documento")
            if not numero and not quiet and not self._has_data(p) and not p.tipo_documento_solo \
                    and not (intent in _CHITCHAT_INTENTS | _CONTROL_INTENTS and confidence >= 0.6):
                self.hint("numero_documento", "hint_documento",
                          razon="Escríbeme el tipo y el número de tu documento, por ejemplo: CC 1036123456.")
        if numero:
            if not tipo:
                tipo = "NIT" if re.fullmatch(r"[89]\d{2}\.?\d{3}\.?\d{3}\s*-\s*\d", numero.strip()) else "CC"
            check = validate_documento(tipo, numero)
            if check.ok:
                self.set("tipo_documento", tipo)
                self.set("numero_documento", check.value)
            elif not quiet:
                if tipo != (self.get("tipo_documento") or "CC"):
                    self.set("tipo_documento", tipo)  # remembered for the corrected number
                self.hint("numero_documento", "hint_documento", razon=check.reason)
        elif p.tipo_documento_solo and requested == "numero_documento" and not quiet:
            self.set("tipo_documento", p.tipo_documento_solo)

        # contract or address of the premises
        contrato = p.contrato
        if not contrato and requested == "contrato" and bare:
            contrato = re.sub(r"\D", "", bare.pop(0))
        if contrato:
            found = self.deps.store.get_contrato(contrato)
            if found:
                self._set_contrato(found)
            elif not quiet:
                self.hint("contrato", "hint_contrato", contrato=contrato)
        elif bare and (not self.get("contrato") or requested == "confirmacion"):
            # An unlabelled number that billing knows as a contract is one.
            for number in list(bare):
                found = self.deps.store.get_contrato(re.sub(r"\D", "", number))
                if found and found.contrato != self.get("contrato"):
                    self._set_contrato(found)
                    bare.remove(number)
                    break
        direccion = p.direccion
        if not direccion and requested == "contrato" and not contrato and P.looks_like_free_address(text) \
                and not self._has_data(p):
            direccion = text.strip()
        if direccion and requested != "notif_direccion" and not (self.result.updates.get("contrato") or
                                                                  (self.get("contrato") and requested != "contrato")):
            self.set("direccion", direccion)
            if not contrato and not self.get("contrato"):
                matches = self.deps.store.find_contratos_by_direccion(direccion) \
                    or self.deps.store.find_contratos_in_text(direccion)
                if len(matches) == 1:
                    self._set_contrato(matches[0])
                elif len(matches) > 1 and not quiet:
                    self.say("direccion_varios_contratos")
        if requested == "contrato" and self.get("tipo_reclamo") == ALCANTARILLADO \
                and not self.get("contrato") and re.search(r"\bno (lo |la )?(tengo|se|encuentro|tengo a mano)\b|\bno\b$", P.norm(text)):
            self.set("orientacion", REGLA_ALCANTARILLADO)
            self.set("orientacion_razon", "contrato no identificado: no se pueden verificar pagos del alcantarillado")

        # relationship with the premises
        if requested == "relacion_inmueble":
            relacion = p.relacion or _free_relacion(text)
            if relacion:
                self.set("relacion_inmueble", relacion)
            elif not quiet:
                self.hint("relacion_inmueble", "hint_relacion")
        elif p.relacion and re.search(r"\b(soy|somos|es de mi)\b", P.norm(text)) and self._commercial():
            self.set("relacion_inmueble", p.relacion)

        # notification medium
        if p.email:
            check = validate_email(p.email)
            if check.ok:
                self.set("notif_correo", check.value)
            elif not quiet:
                self.hint("notif_correo", "hint_correo", razon=check.reason)
        elif p.sin_correo and p.sin_celular and requested in ("notif_correo", "notif_celular"):
            self.set("notif_correo", self.get("notif_correo") or NO)
            if self.get("notif_correo") == NO:
                self.set("notif_celular", NO)
        elif p.sin_correo and requested != "notif_correo" and not self.get("notif_correo"):
            self.set("notif_correo", NO)
        elif requested == "notif_correo":
            if p.sin_correo or P.yes_no(text) is False:
                self.set("notif_correo", NO)
            elif "@" in text and not quiet:
                self.hint("notif_correo", "hint_correo", razon=validate_email(text).reason)
            elif not p.celular and not quiet and not self._has_data(p):
                self.hint("notif_correo", "hint_correo", razon="No reconocí un correo ahí.")
        celular = p.celular
        if not celular and requested in ("notif_celular", "notif_correo", "confirmacion"):
            found = P.find_celular(text, labelled_only=False)
            celular = found[0] if found else None
        if not celular and requested in ("notif_celular", "notif_correo") and P.means_this_number(text):
            celular = whatsapp_number(self.conversation_id)
        if celular:
            check = validate_celular(celular)
            if check.ok:
                if requested == "notif_correo" and not p.email:
                    self.set("notif_correo", NO)
                self.set("notif_celular", check.value)
        elif requested == "notif_celular":
            if p.sin_celular or P.yes_no(text) is False:
                self.set("notif_celular", NO)
            elif P.looks_like_landline(text) and not quiet:
                self.hint("notif_celular", "hint_celular",
                          razon="Para el SMS necesito un celular (10 dígitos que empiezan por 3), no un fijo.")
            elif (p.direccion or P.looks_like_free_address(text)) and not self._has_data(p) or p.direccion:
                # No mobile, but an address for the citation: that is the next medium anyway.
                self.set("notif_celular", NO)
                self.set("notif_direccion", p.direccion or text.strip())
            elif not quiet and not self._has_data(p):
                self.hint("notif_celular", "hint_celular", razon=validate_celular(text).reason)
        if requested == "notif_direccion":
            if re.search(r"\b(la misma|el mismo|misma direccion|la del inmueble|la de arriba|ahi mismo|alli mismo)\b", P.norm(text)) \
                    and self.get("direccion"):
                self.set("notif_direccion", self.get("direccion"))
            elif p.direccion or P.looks_like_free_address(text):
                self.set("notif_direccion", p.direccion or text.strip())
            elif not quiet:
                self.hint("notif_direccion", "hint_direccion")

        # More detail about the same complaint ("y también me cobraron ..."), in a message that
        # answered nothing else: keep it with the motivo.
        if more_detail and len(self.result.updates) == before[0] and not self._has_data(p) \
                and "?" not in text and not re.match(r"\W*(que|como|cuanto|cuando|donde|me van|van a|puedo)\b", P.norm(text)):
            clean = clean_motivo(text)
            if clean and P.norm(clean) not in P.norm(self.get("motivo")) and len(self.get("motivo")) < 600:
                self.set("motivo", f"{self.get('motivo').rstrip('.')}. {clean}")

        # confirmation of the read-back
        changed = len(self.result.updates) > before[0]
        if requested == "confirmacion":
            answer = P.yes_no(text)
            if answer is None and intent in ("afirmar", "negar") and confidence >= 0.85 and len(P.words(text)) <= 4:
                answer = intent == "afirmar"
            if changed:
                self.set("confirmacion", None)  # corrected: read back again
            elif answer is True:
                self.set("confirmacion", "si")
            elif answer is False:
                self.set("confirmacion", None)
                self.say("que_corregir")
        elif changed and self.get("confirmacion"):
            self.set("confirmacion", None)

    def _commercial(self) -> bool:
        contrato = self.deps.store.get_contrato(self.get("contrato")) if self.get("contrato") else None
        return contrato is not None and contrato.uso != "residencial"

    def _set_contrato(self, contrato: Contrato) -> None:
        """The contract billing knows; its address is the one of record."""
        self.set("contrato", contrato.contrato)
        self.set("direccion", f"{contrato.direccion}, {contrato.municipio}")

    # -- what to ask next -----------------------------------------------------------------
    def next_slot(self) -> Optional[str]:
        """The next datum to ask, or None when the intake is complete or redirected."""
        if self.get("orientacion"):
            return None
        if self.get("consentimiento") != "si":
            return "consentimiento"
        for slot in ("motivo", "nombre", "numero_documento"):
            if not self.get(slot):
                return slot
        if not self.get("contrato") and not self.get("direccion"):
            return "contrato"
        contrato = self.deps.store.get_contrato(self.get("contrato")) if self.get("contrato") else None
        if self.get("tipo_reclamo") == ALCANTARILLADO:
            if contrato is None:
                return "contrato"
            decision = regla_alcantarillado_no_prestado(contrato)
            if not decision.permitido:
                self.set("orientacion", decision.regla)
                self.set("orientacion_razon", decision.razon)
                return None
        if contrato is not None:
            decision = regla_persona_juridica(contrato)
            if not decision.permitido:
                self.set("orientacion", decision.regla)
                self.set("orientacion_razon", decision.razon)
                return None
            if decision.requiere_relacion and not self.get("relacion_inmueble"):
                return "relacion_inmueble"
        if not self.get("notif_correo"):
            return "notif_correo"
        if self.get("notif_correo") == NO:
            if not self.get("notif_celular"):
                return "notif_celular"
            if self.get("notif_celular") == NO and not self.get("notif_direccion"):
                return "notif_direccion"
        if self.get("confirmacion") != "si":
            return "confirmacion"
        return None


def clean_motivo(text: str) -> str:
    """The customer's words without the personal data typed in the same message."""
    out = text
    doc = P.find_document(out)
    if doc:
        out = out[: doc.span[0]] + out[doc.span[1]:]
    con = P.find_contract(out)
    if con:
        out = out[: con[1][0]] + out[con[1][1]:]
    email = P.find_email(out)
    if email:
        out = out.replace(email, "")
    addr = P.find_address(out)
    if addr:
        out = out[: addr[1][0]] + out[addr[1][1]:]
    name = P.leftover_name(text)
    if name:
        out = re.sub(re.escape(name), "", out, flags=re.I) if name.lower() in out.lower() else out
    out = re.sub(r"(?i)\b(?:mi\s+)?(?:correo|email|e-mail|cel(?:ular)?|numero|whatsapp)(?:\s+es)?\s*(?=[,.;]|$)", "", out)
    # Keep the sentences that tell the complaint; drop the ones that only carried data.
    pieces = [x for x in re.split(r"(?<=[.;!\n])\s+", out) if x.strip()]
    kept = [x for x in pieces if P.looks_like_motivo(x) or P.has_complaint(x) or len(P.words(x)) >= 6]
    if kept and len(kept) < len(pieces):
        out = " ".join(kept)
    # Clauses that only said where the premises are, or data labels left without their data.
    clauses = re.split(r"(?<=,)\s*", out)
    located = re.compile(r"\b(casa es en|queda en|vivo en|barrio|vereda|direccion|ubicad[oa]|tengo el|mi contrato|el contrato)\b")
    kept = [c for c in clauses if not (located.search(P.norm(c)) and not (P.looks_like_motivo(c) or P.has_complaint(c)))]
    if kept and len(kept) < len(clauses):
        out = " ".join(kept)
    cel = P.find_celular(out)
    if cel:
        out = out[: cel[1][0]] + out[cel[1][1]:]
    out = re.sub(r"(?i)\b(?:me\s+llamo|mi\s+nombre\s+es|soy)\s+[A-Za-zÁÉÍÓÚÑáéíóúñ]+(?:\s+[A-Za-zÁÉÍÓÚÑáéíóúñ]+){0,3}?(?=\s*[^\w\s]|\s+(?:y|con|mi|me|el|la|de|del|y)\b|\s*$)", "", out)
    # Words left dangling where data were taken out ("... de casa., mi y el").
    out = re.sub(r"(?:[\s,.;]+(?:mi|y|el|la|los|las|de|del|con|es|mis|su|a|al|e|o))+[\s,.;]*$", "", out, flags=re.I)
    out = re.sub(r"\.\s*,", ".", out)
    out = re.sub(r"^[^\w¿¡$]+", "", out)
    out = re.sub(r"^(?:y|e|pero|entonces)\s+", "", out, flags=re.I)
    out = re.sub(r"(?i)^\W*(?:(?:hola|ola|buenas|buenos|d[ií]as|tardes|noches|q\s+mas|que\s+tal)\b[\s,.!:;-]*)+", "", out)
    out = re.sub(r"^(?:y|e|pero|entonces)\s+", "", out, flags=re.I)
    out = re.sub(r"\s+([,.;])", r"\1", out)
    out = re.sub(r"([,.;])\1+", r"\1", out)
    out = re.sub(r"\s+", " ", out).strip(" ,.;-")
    return out[:1].upper() + out[1:] if out else out


def whatsapp_number(conversation_id: str) -> Optional[str]:
    """The customer's own mobile when the conversation is on WhatsApp ("a este mismo número")."""
    m = re.fullmatch(r"whatsapp:(\+?57)?(3\d{9})", conversation_id or "")
    return m.group(2) if m else None


def _explicit_refusal(text: str) -> bool:
    t = re.sub(r"\s+", " ", re.sub(r"[^a-z0-9 ]", " ", P.norm(text))).strip()
    return bool(re.fullmatch(r"\W*(no+|nop|nel|negativo|para nada|no gracias|no senor|no senora)\W*", t)
                or re.search(r"\bno\s+(acepto|autorizo|doy|quiero|lo autorizo|estoy de acuerdo|gracias)\b", t)
                or re.search(r"\b(prefiero no|mejor no|no me gusta dar|no voy a dar|no les doy|no te doy|prefiero ir|voy a la oficina)\b", t))


def _free_relacion(text: str) -> Optional[str]:
    t = text.strip()
    if not t or P.yes_no(t) is not None or len(P.words(t)) < 1 or len(t) > 200:
        return None
    return f"otro: {t}"


class ValidatePqrForm(UsesDeps, FormValidationAction):
    """Runs ``IntakeTurn`` for each customer message while the reclamo form is active."""

    def name(self) -> str:
        return f"validate_{FORM}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        deps = self.deps
        ref = conversation_ref(tracker)
        slots = {name: tracker.get_slot(name) for name in INTAKE_SLOTS}
        requested = tracker.get_slot("requested_slot")
        fresh = is_fresh_turn(tracker, FORM)
        events: List[EventType] = []
        if fresh and deps.hooks.is_closed_for_lack_of_info(tracker.sender_id):
            # The request was closed by the next-day message: this message starts afresh.
            deps.hooks.reopen(tracker.sender_id)
            events = [SlotSet(name, None) for name in INTAKE_SLOTS]
            slots = {name: None for name in INTAKE_SLOTS}
            requested = None
        turn = IntakeTurn(deps, slots, tracker.sender_id, ref.canal)
        turn.start()
        if fresh:
            deps.hooks.customer_replied(ref)
            message = tracker.latest_message or {}
            intent = (message.get("intent") or {}).get("name")
            confidence = float((message.get("intent") or {}).get("confidence") or 0.0)
            persons = [e.get("value") for e in message.get("entities", []) if e.get("entity") == "PER"]
            turn.apply(message.get("text") or "", intent, confidence, persons, requested)
        for m in turn.result.messages:
            dispatcher.utter_message(text=render(m.response, **m.kwargs))
        nxt = turn.next_slot()
        events += [SlotSet(k, v) for k, v in turn.result.updates.items()]
        if not fresh or not turn.result.understood and requested is None:
            # Resuming after an interruption, or activation: nothing new to validate, but the
            # form must not be rejected for it.
            events.append(SlotSet("intentos", turn.get("intentos") or {}))
        if nxt:
            deps.hooks.data_requested(ref, nxt)
        events.append(SlotSet("requested_slot", nxt))
        return events
