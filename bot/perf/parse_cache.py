"""The NLU result of the short answers customers keep repeating, worked out once per model.

Every customer of a reclamo answers "si" to the authorisation and to the confirmation, and many
"no", "ok", "gracias", "no tengo correo": the NLU pipeline (spaCy, the featurizers, DIET, about
half of a turn's time) gave the same result for the same text every time. The result depends on
the text and the model only (the pipeline's components read nothing else of the message), so
for a short text without digits (at most ``MAX_CHARS`` characters: a cédula, a contract, a phone
number or an amount is never kept) the Rasa worker keeps it, per model, in a bounded
least-recently-used table and hands out copies.

What it gives depends on the traffic: in the benchmark every simulated customer types the same
"si" (twice) and "no tengo correo", 3 messages of 8; real customers repeat the yes/no answers
and write the rest their own way. ``PQRBOT_PARSE_CACHE=0`` turns it off.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, Optional, Tuple

from core.lru import LruTable

MAX_CHARS = 20
MAX_ENTRIES = 1000

_applied = False
_original = None


class ParseCache:
    def __init__(self, size: int = MAX_ENTRIES) -> None:
        self._table = LruTable(size)
        self.hits = 0
        self.misses = 0

    @staticmethod
    def keeps(text: Optional[str]) -> bool:
        """Short, no digit, not an intent typed by hand (``/intent``)."""
        return (
            isinstance(text, str)
            and 0 < len(text) <= MAX_CHARS
            and not text.startswith("/")
            and not any(ch.isdigit() for ch in text)
        )

    def get(self, key: Tuple[str, str]) -> Optional[Dict[str, Any]]:
        found = self._table.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        return copy.deepcopy(found)

    def put(self, key: Tuple[str, str], parse_data: Dict[str, Any]) -> None:
        self._table.put(key, copy.deepcopy(parse_data))

    def clear(self) -> None:
        self._table.clear()


cache = ParseCache()


def _parse_message_with_graph(self: Any, message: Any, tracker: Any, only_output_properties: bool = True) -> Dict:
    """``MessageProcessor._parse_message_with_graph`` with the table in front."""
    text = getattr(message, "text", None)
    if not only_output_properties or not ParseCache.keeps(text):
        return _original(self, message, tracker, only_output_properties)  # type: ignore[misc]
    key = (str(getattr(self.model_metadata, "model_id", "")) + ":" + str(id(self.graph_runner)), text)
    found = cache.get(key)
    if found is not None:
        return found
    parse_data = _original(self, message, tracker, only_output_properties)  # type: ignore[misc]
    cache.put(key, parse_data)
    return parse_data


def apply() -> None:
    """Install it (idempotent)."""
    global _applied, _original
    if _applied:
        return
    from rasa.core.processor import MessageProcessor

    _original = MessageProcessor._parse_message_with_graph
    MessageProcessor._parse_message_with_graph = _parse_message_with_graph  # type: ignore[method-assign]
    _applied = True
