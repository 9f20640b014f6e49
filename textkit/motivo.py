"""The motivo as recorded in the CRM: the customer's own words about the complaint, without the
personal data, greetings and emojis typed in the same message.

``clean_motivo`` runs ``STEPS`` in order; each step is one small, named change of the text, so a
reader can see (and a test can check) what is taken out and why.
"""

from __future__ import annotations

import re
from typing import Callable, List, Optional, Tuple

from textkit import parsing as P
from textkit.mention import Mention

Step = Callable[[str, str], str]  # (text so far, original message) -> text


def _cut(finder: Callable[[str], Optional[Mention]]) -> Step:
    def step(out: str, original: str) -> str:
        found = finder(out)
        return found.cut_from(out, "") if found else out

    return step


_CORRECTED = re.compile(
    r"(?i)\b(?:ay\s+no|uy\s+no|no\s+perd[oó]n|perd[oó]n|me\s+equivoqu[eé]|no\s+esper[ae]|mejor\s+dicho|corrijo)"
    r"\b[\s,.:;]*(?:(?:es|era|el|la|es\s+el|es\s+la)\s+)?(?:\d[\d.\s-]{2,14}\d|[\w.+-]+@[\w.-]+\.\w+)"
)


def _drop_corrections(out: str, original: str) -> str:
    """A corrected datum typed after the wrong one ("... 43640148 no perdón 43640184")."""
    return _CORRECTED.sub("", out)


_LOCATION_INTRO = re.compile(
    r"(?i)(?:\by\s+)?\b(?:la\s+casa|el\s+local|el\s+apartamento|el\s+apto|la\s+bodega|la\s+finca|la\s+direcci[oó]n"
    r"(?:\s+del\s+inmueble)?|mi\s+casa|vivo|queda)\s*(?:queda|es|esta|está)?\s*(?:ubicad[oa]\s+)?(?:en\s+)?(?:la\s+|el\s+)?$"
)


def _cut_address(out: str, original: str) -> str:
    """The street address, with the words that introduced it ("y la casa queda en la") and the
    municipality next to it."""
    found = P.find_address(out)
    if not found:
        return out
    start, end = found.span
    municipio = P.find_municipio(out, found)
    if municipio and municipio.span[0] >= end:
        end = municipio.span[1]
    window_start = max(0, start - 40)
    intro = _LOCATION_INTRO.search(out[window_start:start])
    if intro:
        start = window_start + intro.start()
    return out[:start] + out[end:]


def _drop_leftover_name(out: str, original: str) -> str:
    name = P.leftover_name(original)
    if name and name.value.lower() in out.lower():
        return re.sub(re.escape(name.value), "", out, flags=re.I)
    return out


_EMPTY_LABEL = re.compile(
    r"(?i)\b(?:mi\s+)?(?:correo|email|e-mail|cel(?:ular)?|numero|whatsapp)(?:\s+es)?\s*(?=[,.;]|$)"
)


def _drop_empty_labels(out: str, original: str) -> str:
    """Labels left without their data ("mi correo es ,")."""
    return _EMPTY_LABEL.sub("", out)


def _complaint_like(piece: str) -> bool:
    return P.looks_like_motivo(piece) or P.has_complaint(piece)


def _keep_complaint_sentences(out: str, original: str) -> str:
    """Keep the sentences that tell the complaint; drop the ones that only carried data."""
    pieces = [x for x in re.split(r"(?<=[.;!\n])\s+", out) if x.strip()]
    kept = [x for x in pieces if _complaint_like(x) or len(P.words(x)) >= 6]
    return " ".join(kept) if kept and len(kept) < len(pieces) else out


_LOCATED = re.compile(
    r"\b(casa es en|queda en|vivo en|barrio|vereda|direccion|ubicad[oa]|tengo el|mi contrato|el contrato)\b"
)


def _drop_location_clauses(out: str, original: str) -> str:
    """Clauses that only said where the premises are ("la casa es en ...", "tengo el contrato")."""
    clauses = re.split(r"(?<=,)\s*", out)
    kept = [c for c in clauses if not (_LOCATED.search(P.norm(c)) and not _complaint_like(c))]
    return " ".join(kept) if kept and len(kept) < len(clauses) else out


_INTRODUCTION = re.compile(
    r"(?i)\b(?:me\s+llamo|mi\s+nombre\s+es|soy)\s+[A-Za-zÁÉÍÓÚÑáéíóúñ]+(?:\s+[A-Za-zÁÉÍÓÚÑáéíóúñ]+){0,3}?"
    r"(?=\s*[^\w\s]|\s+(?:y|con|mi|me|el|la|de|del|y)\b|\s*$)"
)
_DANGLING = {"mi", "y", "el", "la", "los", "las", "de", "del", "con", "es", "mis", "su", "a", "al", "e", "o"}
_DANGLING_TAIL = re.compile(r"[\s,.;]+([a-z]+)$", re.I)


def _drop_dangling_words(out: str, original: str) -> str:
    """Words left hanging where data were taken out ("... de casa., mi y el")."""
    while True:
        tail = out.rstrip(" \t\n,.;")
        m = _DANGLING_TAIL.search(tail[-12:])  # a bounded window (dangling words are short): linear
        if not m or m.group(1).lower() not in _DANGLING:
            return out
        out = tail[: len(tail) - len(m.group(0))]


_GREETING = re.compile(
    r"(?i)^\W*(?:(?:hol+a+|ol+a+|buen[oa]s+|d[ií]as|tardes|noches|saludos|un\s+saludo|cordial\s+saludo|q\s+mas|"
    r"que\s+tal|qu[eé]\s+m[aá]s|feliz\s+(?:d[ií]a|tarde|noche)|buen\s+d[ií]a|y\s+bendiciones|bendiciones|"
    r"dios\s+(?:le|te|los)\s+bendiga|se[nñ]orita|mij[oa])\b[\s,.!:;-]*)+"
)
# Courtesy at the end ("gracias 🙏", "mil gracias por la atención", "Dios le pague").
_CLOSING = re.compile(
    r"(?i)[\s,.;!-]*\b(?:(?:y\s+)?(?:muchas\s+|mil\s+)?gracias(?:\s+(?:por\s+(?:la|su|tu)\s+(?:atenci[oó]n|ayuda|"
    r"colaboraci[oó]n)|de\s+antemano|mij[oa]|se[nñ]orita|a\s+(?:usted|ti|ustedes)))*|dios\s+(?:le|te|los)\s+"
    r"(?:bendiga|pague)|bendiciones|feliz\s+(?:d[ií]a|tarde|noche)|quedo\s+atent[oa])[\s.!]*$"
)


def _drop_closing_courtesy(out: str, original: str) -> str:
    """Thanks and blessings at the end of the complaint (searched in a bounded tail: linear)."""
    for _ in range(3):
        tail_start = max(0, len(out) - 80)
        m = _CLOSING.search(out[tail_start:])
        if not m or tail_start + m.start() == 0:
            return out
        out = out[: tail_start + m.start()]
    return out


_CONNECTIVE = re.compile(r"^(?:y|e|pero|entonces)\s+", re.I)
# Pictographs, dingbats, flags, skin tones, joiners and variation selectors: emojis are not words.
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\U0001f3fb-\U0001f3ff]+")


def _sub(pattern: str, replacement: str, flags: int = 0) -> Step:
    compiled = re.compile(pattern, flags)
    return lambda out, original: compiled.sub(replacement, out)


STEPS: List[Tuple[str, Step]] = [
    ("corrected data", _drop_corrections),
    ("identification number", _cut(P.find_document)),
    ("contract number", _cut(P.find_contract)),
    ("e-mail", _cut(P.find_email)),
    ("street address", _cut_address),
    ("name typed among the data", _drop_leftover_name),
    ("labels left without data", _drop_empty_labels),
    ("sentences that only carried data", _keep_complaint_sentences),
    ("clauses that only located the premises", _drop_location_clauses),
    ("mobile number", _cut(P.find_celular)),
    ("self-introduction", lambda out, original: _INTRODUCTION.sub("", out)),
    ("emojis", lambda out, original: _EMOJI.sub(" ", out)),
    ("closing courtesy", _drop_closing_courtesy),
    ("dangling words", _drop_dangling_words),
    ("comma after a full stop", _sub(r"\.\s*,", ".")),
    ("leading punctuation", _sub(r"^[^\w¿¡$]+", "")),
    ("leading connective", lambda out, original: _CONNECTIVE.sub("", out)),
    ("greeting", lambda out, original: _GREETING.sub("", out)),
    ("connective after the greeting", lambda out, original: _CONNECTIVE.sub("", out)),
    ("space before punctuation", _sub(r"(?<!\s)\s+(?=[,.;])", "")),
    ("repeated punctuation", _sub(r"([,.;])\1+", r"\1")),
    ("spacing", lambda out, original: re.sub(r"\s+", " ", out).strip(" ,.;-")),
]


def clean_motivo(text: str) -> str:
    """The customer's words without the personal data typed in the same message, capitalised."""
    out = text or ""
    for _name, step in STEPS:
        out = step(out, text or "")
    return out[:1].upper() + out[1:] if out else out
