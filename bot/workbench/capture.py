"""Capture of misunderstood customer messages into the review inbox.

``record_event`` is a sink of the conversation event broker (``bot.events.broker``): it is called
with every Rasa event dict and keeps the user messages the assistant did not understand, i.e.
whose intent is ``nlu_fallback`` or whose confidence is below the FallbackClassifier threshold of
``config.yml``. ``flag`` adds a message an agent marked from a conversation. The text is masked
(``masking.mask_text``) before anything is stored; identical masked texts share one item.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

from bot.config import PROJECT_ROOT
from bot.workbench import context, running, schema
from bot.workbench.masking import mask_text

log = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"
DEFAULT_THRESHOLD = 0.3  # Rasa's own default for FallbackClassifier


_thresholds: Dict[Tuple[str, float], float] = {}


def fallback_threshold(config_path: Path = PROJECT_ROOT / "config.yml") -> float:
    """The ``threshold`` of the FallbackClassifier in ``config.yml`` (re-read when the file changes)."""
    try:
        key = (str(config_path), Path(config_path).stat().st_mtime)
    except OSError:
        return DEFAULT_THRESHOLD
    if key not in _thresholds:
        _thresholds[key] = _read_threshold(Path(config_path))
    return _thresholds[key]


def _read_threshold(config_path: Path) -> float:
    try:
        config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return DEFAULT_THRESHOLD
    for component in config.get("pipeline") or []:
        if isinstance(component, dict) and component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", DEFAULT_THRESHOLD))
    return DEFAULT_THRESHOLD


def _when(timestamp: Any) -> datetime:
    try:
        return datetime.fromtimestamp(float(timestamp), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(timezone.utc)


def _ranking(parse_data: Dict[str, Any], limit: int = 3) -> List[Dict[str, Any]]:
    out = []
    for entry in parse_data.get("intent_ranking") or []:
        name = entry.get("name")
        if name and name != FALLBACK_INTENT:
            out.append({"name": name, "confidence": round(float(entry.get("confidence") or 0.0), 4)})
        if len(out) == limit:
            break
    return out


def _person_names(parse_data: Dict[str, Any]) -> List[str]:
    return [
        str(e.get("value")) for e in parse_data.get("entities") or [] if e.get("entity") == "PER" and e.get("value")
    ]


def review_reason(parse_data: Dict[str, Any], threshold: float) -> Optional[str]:
    """Why a parsed user message needs review, or None when the assistant understood it."""
    intent = parse_data.get("intent") or {}
    name = intent.get("name")
    if name == FALLBACK_INTENT:
        return schema.FALLBACK
    confidence = intent.get("confidence")
    if name and confidence is not None and float(confidence) < threshold:
        return schema.LOW_CONFIDENCE
    return None


def record_event(event: Dict[str, Any], workbench: Optional[context.Workbench] = None) -> Optional[int]:
    """Inbox id when this event is a misunderstood user message, else None. Never raises."""
    try:
        if not isinstance(event, dict) or event.get("event") != "user":
            return None
        text = (event.get("text") or "").strip()
        if not text or text.startswith("/"):  # buttons and injected intents are not customer words
            return None
        parse_data = event.get("parse_data") or {}
        wb = workbench or running.default()
        reason = review_reason(parse_data, fallback_threshold(wb.root / "config.yml"))
        if reason is None:
            return None
        intent = parse_data.get("intent") or {}
        confidence = intent.get("confidence")
        return wb.store.add_occurrence(
            mask_text(text, _person_names(parse_data)),
            reason,
            predicted_intent=intent.get("name"),
            confidence=None if confidence is None else float(confidence),
            ranking=_ranking(parse_data),
            channel=event.get("input_channel"),
            conversation_id=event.get("sender_id"),
            at=_when(event.get("timestamp")),
        )
    except Exception:  # a sink must never break the conversation
        log.exception("workbench: could not record an event for review")
        return None


def flag(
    conversation_id: str,
    text: str,
    *,
    flagged_by: Optional[str] = None,
    channel: Optional[str] = None,
    predicted_intent: Optional[str] = None,
    confidence: Optional[float] = None,
    note: Optional[str] = None,
    at: Optional[datetime] = None,
    workbench: Optional[context.Workbench] = None,
) -> int:
    """An agent marks a customer message as misunderstood; returns its inbox id."""
    masked = mask_text(text)
    if not masked:
        raise ValueError("the message to flag is empty")
    wb = workbench or running.default()
    return wb.store.add_occurrence(
        masked,
        schema.FLAGGED,
        predicted_intent=predicted_intent,
        confidence=confidence,
        channel=channel,
        conversation_id=conversation_id,
        at=at,
        flagged_by=flagged_by,
        note=mask_text(note) if note else None,
    )
