"""The one thing every parser returns: the value it found and where it was in the text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Optional, Tuple, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Mention(Generic[T]):
    """A datum found in a customer's message.

    ``value`` is the datum as the caller needs it (a contract's digits, a name in title case, an
    amount in pesos); ``span`` is (start, end) of the words that stated it, so callers can take
    them out of the text; ``kind`` qualifies the value when one type has several (the document
    type "CC", "CE", "NIT", "PPT", "PA" of a document number).
    """

    value: T
    span: Tuple[int, int]
    kind: Optional[str] = None

    def cut_from(self, text: str, filler: str = " ") -> str:
        """``text`` with this mention's words replaced by ``filler`` (spaces keep other spans valid)."""
        start, end = self.span
        gap = filler * (end - start) if filler == " " else filler
        return text[:start] + gap + text[end:]
