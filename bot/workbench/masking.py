"""Personal data out of a customer message before it is stored for review.

Reuses the project's readers: ``bot.logmask.mask`` (long numbers, e-mails, tokens) and
the labelled readers of ``textkit.parsing`` (documents, contracts, mobiles, addresses, names),
plus the names the assistant itself recognised (``PER`` entities it accepts as a name, by the rule of
``parse_message``: spaCy also tags "Zzzzzz" or "Jajaja" as persons). Numbers keep their shape and
their last two digits, as in the logs ("cc *********21"); a name keeps its initials ("J*** P***").
"""

from __future__ import annotations

import re
from typing import Iterable, List, Tuple

from bot.logmask import mask as mask_log
from textkit import parsing as P

Span = Tuple[int, int]


def _mask_digits(text: str, keep: int = 2) -> str:
    digits = sum(ch.isdigit() for ch in text)
    keep = keep if digits > 4 else 0
    seen = 0
    out = []
    for ch in text:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > digits - keep else "*")
        else:
            out.append(ch)
    return "".join(out)


def _mask_name(name: str) -> str:
    return " ".join(w if w.lower() in ("de", "del", "la", "las", "los", "y") else w[:1] + "***" for w in name.split())


def _digit_spans(text: str) -> List[Span]:
    """Spans of labelled data whose digits must go whatever their length (short contracts too)."""
    spans: List[Span] = []
    doc = P.find_document(text)
    if doc:
        spans.append(doc.span)
    con = P.find_contract(text)
    if con:
        spans.append(con.span)
    cel = P.find_celular(text, labelled_only=False)
    if cel:
        spans.append(cel.span)
    addr = P.find_address(text)
    if addr:
        spans.append(addr.span)
    return spans


_INTRO = re.compile(r"(?<![a-z])(me\s+llamo|mi\s+nombre\s+(?:completo\s+)?es|soy|habla\s+con|le\s+habla)\s+", re.I)
_LABEL = re.compile(r"(?i)^(?:nit|contrato|cel|celular|correo|whatsapp|tel|telefono|direccion)$")
_WORD = re.compile(r"[A-Za-zÁÉÍÓÚÑÜáéíóúñü']+")


def _introduced_names(text: str) -> List[str]:
    """Names after "me llamo" / "soy" even when the message goes on ("me llamo Ana Mejia y la
    factura..."): the longest run of words right after the introduction that find_name accepts."""
    found = []
    for m in _INTRO.finditer(text):
        rest = text[m.end() :]
        words: List[str] = []
        end = 0
        for w in _WORD.finditer(rest):
            if (
                rest[end : w.start()].strip()
                or len(words) == 5
                or _LABEL.match(w.group(0))
                or P.document_type_only(w.group(0))
            ):
                break  # punctuation, a digit or the label of another datum ends the name
            words.append(w.group(0))
            end = w.end()
        for n in range(len(words), 0, -1):
            name = P.find_name(f"{m.group(1)} {' '.join(words[:n])}")
            if name:  # find_name stops at words that are not names ("y mi ..."): keep its length
                found.append(" ".join(words[: len(name.value.split())]))
                break
    return found


def _recognised(entity: str) -> str:
    """The PER entity as the assistant takes it for a name (parse_message's own rule), or ''."""
    nombre = P.parse_message("", [entity]).nombre
    return nombre.value if nombre else ""


def _name_variants(text: str, names: Iterable[str], with_data: bool) -> List[str]:
    found = [_recognised(n) for n in names if n] + _introduced_names(text)
    # leftover_name reads any run of plain words as a name: only trusted among other data
    for finder in (P.find_name, P.leftover_name) if with_data else (P.find_name,):
        try:
            mention = finder(text)
        except Exception:  # a reader tripping on odd input must not lose the message
            mention = None
        if mention:
            found.append(mention.value)
    return sorted({n.strip() for n in found if n and len(n.strip()) >= 2}, key=len, reverse=True)


def mask_text(text: str, names: Iterable[str] = ()) -> str:
    """The message with identification numbers, phones, e-mails, contracts, addresses' numbers
    and names masked. ``names``: person names the assistant recognised in it (PER entities)."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if not text:
        return ""
    spans = _digit_spans(text)
    with_data = bool(spans or P.find_email(text))
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + _mask_digits(text[start:end]) + text[end:]
    for name in _name_variants(text, names, with_data):
        tokens = [re.escape(t) for t in name.split()]
        pattern = re.compile(r"(?<![\w*])" + r"\s+".join(tokens) + r"(?![\w*])", re.I)
        text = pattern.sub(lambda m: _mask_name(m.group(0)), text)
    return mask_log(text)
