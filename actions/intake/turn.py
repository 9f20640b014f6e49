"""``IntakeTurn``: one customer message applied to the intake's slots by the readers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional, Sequence

from actions.deps import Deps
from actions.intake.confirmation import read_confirmation
from actions.intake.consent import after_yes, consent_answer, read_unanswered_consent
from actions.intake.identity import read_document, read_name
from actions.intake.motivo import detail_beside_data, is_more_detail, read_more_detail, read_motivo
from actions.intake.notification import read_notification
from actions.intake.premises import read_premises, read_relationship
from actions.intake.reading import NO, Message, Reading, Turn
from actions.intake.required import BEFORE_THE_RULES, filing_decision, required_slots
from crm_adapter.models import Consentimiento
from crm_adapter.rules import REGLA_SIN_CONSENTIMIENTO
from textkit import parsing as P
from textkit.procedure import asks_procedure_question

Reader = Callable[[Turn], Reading]
# The readers of the data, in order; each sees the slots as the previous ones left them.
DATA_READERS: Sequence[Reader] = (read_name, read_document, read_premises, read_relationship, read_notification)


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

    def get(self, name: str) -> Any:
        return self.slots.get(name)

    def set(self, name: str, value: Any) -> None:
        self.slots[name] = value
        self.result.updates[name] = value

    def start(self) -> None:
        if not self.get("intake_id"):
            self.set("intake_id", uuid.uuid4().hex)
        if not self.get("politica_url"):
            self.set("politica_url", self.deps.settings.privacy_policy_url)

    # -- applying readings ------------------------------------------------------------
    def _merge(self, reading: Reading) -> None:
        for slot, value in reading.updates.items():
            self.set(slot, value)
        for message in reading.messages:
            self.result.messages.append(message)
            if message.hint_for:
                intentos = dict(self.get("intentos") or {})
                intentos[message.hint_for] = intentos.get(message.hint_for, 0) + 1
                self.set("intentos", intentos)
                if message.offer_help and intentos[message.hint_for] >= 2:
                    self.result.messages.append(Message("hint_otra_vez"))

    def _turn(
        self,
        text: str,
        parsed: P.Parsed,
        intent: Optional[str] = None,
        confidence: float = 0.0,
        requested: Optional[str] = None,
        quiet: bool = False,
    ) -> Turn:
        return Turn(
            text=text,
            parsed=parsed,
            slots=self.slots,
            store=self.deps.store,
            conversation_id=self.conversation_id,
            intent=intent,
            confidence=confidence,
            requested=requested,
            quiet=quiet,
            bare=list(parsed.bare_numbers),
            updated=self.result.updates,
        )

    # -- entry point ----------------------------------------------------------------
    def apply(
        self, text: str, intent: Optional[str], confidence: float, persons: List[str], requested: Optional[str]
    ) -> TurnResult:
        text = (text or "").strip()
        parsed = P.parse_message(text, persons)
        if (P.asks_for_number(text) or asks_procedure_question(text)) and not parsed.has_data:
            # "¿cuál era el número?", "¿en cuánto me responden?", "¿qué datos tienen de mí?":
            # the rules answer them, the form resumes
            return self.result
        turn = self._turn(text, parsed, intent, confidence, requested)
        if self.get("consentimiento") != "si":
            self._read_consent(turn, persons)
        elif (
            not parsed.has_data
            and confidence >= 0.6
            and (
                (intent == "cancelar" and P.says_cancel(text)) or (intent == "pedir_asesor" and P.asks_for_agent(text))
            )
        ):
            pass  # the rules cancel or answer the agent request
        else:
            self._read_data(turn)
        return self.result

    def _read_data(self, turn: Turn) -> None:
        """Every reader on one message. A message that answered nothing but adds to the complaint
        joins the motivo (the question stays open and is asked again); otherwise the readers'
        hints are given."""
        keys_before = set(self.result.updates)
        motivo = read_motivo(turn)
        self._merge(motivo)
        answered, messages = False, []
        for reader in DATA_READERS:
            reading = reader(turn)
            self._merge(Reading(updates=reading.updates))  # the next reader sees them
            answered = answered or bool(reading.updates)
            messages += reading.messages
        if not answered and "motivo" not in motivo.updates and is_more_detail(turn):
            self._merge(read_more_detail(turn))
        else:
            self._merge(Reading(messages=messages))
            if answered and "motivo" not in motivo.updates and detail_beside_data(turn):
                self._merge(read_more_detail(turn))
        self._merge(read_confirmation(turn, changed=bool(set(self.result.updates) - keys_before)))

    # -- consent --------------------------------------------------------------------
    def _read_consent(self, turn: Turn, persons: List[str]) -> None:
        if turn.requested != "consentimiento":
            # First turn of the intake: keep what the customer already said for later.
            if turn.text:
                self.set("pendientes", list(self.get("pendientes") or []) + [turn.text])
            return
        answer = consent_answer(turn)
        if answer is None:
            self._merge(read_unanswered_consent(turn))
            return
        self.deps.store.record_consentimiento(
            Consentimiento(
                conversation_id=self.conversation_id,
                canal=self.canal,
                aceptado=answer,
                respuesta=turn.text[:500],
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
            self._read_data(self._turn(earlier, _parsed_before_consent(earlier), quiet=True))
        rest = after_yes(turn.text)
        if rest:
            self._read_data(self._turn(rest, P.parse_message(rest, persons)))

    # -- what to ask next -----------------------------------------------------------------
    def next_slot(self) -> Optional[str]:
        """The next datum to ask, or None when the intake is complete or redirected (a filing
        rule stops it: the redirection is recorded in ``orientacion``)."""
        contrato = self.deps.store.get_contrato(self.get("contrato")) if self.get("contrato") else None
        missing = required_slots(self.slots, contrato)
        if missing and missing[0] in BEFORE_THE_RULES:
            return missing[0]
        decision = filing_decision(self.slots, contrato)
        if decision is not None:
            self.set("orientacion", decision.regla)
            self.set("orientacion_razon", decision.razon)
            return None
        return missing[0] if missing else None


def _parsed_before_consent(text: str) -> P.Parsed:
    """A message typed before consent: a bare full name ("Pedro Pablo Gil") or a name among the
    data ("..., cc 123, lina marcela arango, contrato 45") is read as the name."""
    parsed = P.parse_message(text)
    if not parsed.nombre and not parsed.has_data and not parsed.motivo:
        candidate = P.name_as_answer(text)
        if candidate and len(candidate.value.split()) >= 2:
            parsed.nombre = candidate
    elif not parsed.nombre and parsed.has_data:
        parsed.nombre = P.leftover_name(text)
    return parsed
