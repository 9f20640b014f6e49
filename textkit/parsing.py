"""Reading petition data out of informal Colombian Spanish.

Customers write several data in one message, out of order, with typos and no accents:
"soy juan perez cc 1.036.654.321, contrato 12345678, me llego carisima la factura". These
pure functions find each datum by its label ("cc", "contrato", "mi correo es") or its shape
(an e-mail, a Colombian address). Every ``find_*`` / ``*_as_answer`` parser returns a
``Mention`` (value and span) or None; predicates (``yes_no``, ``says_has_no``, ``looks_like_*``)
return plain answers. A bare, unlabelled answer is only read by the caller as the datum it just
asked for.

Every pattern here runs in time linear in the message (a customer may paste 10,000 characters):
no pattern lets two quantifiers compete for the same characters, unbounded scans start only at
the beginning of a run, and look-arounds over free text are bounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import islice
from typing import Iterable, List, Optional, Tuple

from textkit.mention import Mention
from textkit.normalize import norm, strip_accents, words
from textkit.validators import EMAIL_RE

__all__ = ["Mention", "norm", "words"]  # re-exported for callers of the parsers


# ----------------------------------------------------------------------------- yes / no
_YES = {
    "si",
    "sii",
    "siii",
    "sip",
    "claro",
    "dale",
    "ok",
    "okay",
    "oki",
    "okey",
    "listo",
    "acepto",
    "autorizo",
    "correcto",
    "bueno",
    "perfecto",
    "exacto",
    "vale",
    "hagale",
    "afirmativo",
    "obvio",
    "yes",
    "s",
    "bien",
    "porsupuesto",
    "deacuerdo",
    "confirmo",
    "sisas",
    "sy",
    "xi",
}
_YES_PHRASES = (
    "de acuerdo",
    "esta bien",
    "todo bien",
    "asi es",
    "por supuesto",
    "de una",
    "eso es",
    "todo correcto",
    "todo esta bien",
    "claro que si",
    "si senor",
    "si senora",
    "adelante",
    "esta correcto",
    "estan bien",
    "todo ok",
    "si claro",
    "si todo bien",
    "radicalo",
    "radiquelo",
)
_NO = {"no", "nop", "nope", "nel", "negativo", "noo", "nooo", "n", "tampoco", "nunca"}
_NO_PHRASES = (
    "no acepto",
    "no autorizo",
    "para nada",
    "no gracias",
    "no senor",
    "no senora",
    "no quiero",
    "no estoy de acuerdo",
    "no doy",
    "no lo autorizo",
    "prefiero no",
    "mejor no",
)


_AGREE = re.compile(
    r"\b(?:correct[oa]s?|perfect[oa]|exact[oa]|confirm[oa]|confirmado|radicalo|radiquelo|radica|adelante|"
    r"de acuerdo|todo bien|esta bien|estan bien|asi esta bien|todo ok|ok)\b"
)
_DISAGREE = re.compile(r"\b(?:no|nada|mal|error|equivoc\w*|corrig\w*|cambi\w*|falta|pero)\b")


def means_this_number(text: str) -> bool:
    """'a este mismo número', 'por aquí', 'a este whatsapp'."""
    return bool(
        re.search(
            r"\b(?:este|mismo|ese)\s+(?:mismo\s+)?(?:numero|whatsapp|wasap|cel|celular)\b|"
            r"\bpor\s+(?:aqui|aca|este\s+medio|whatsapp)\b",
            norm(text),
        )
    )


def yes_no(text: str) -> Optional[bool]:
    """True for a clear yes, False for a clear no, None when it is neither or both."""
    if re.fullmatch(r"[\s✅✔☑👍👌🙆🆗💯👏🙌]+", text or "") and (text or "").strip():
        return True
    t = re.sub(r"[^a-z0-9 ]", " ", norm(text))
    t = re.sub(r"\s+", " ", t).strip()
    t = re.sub(r"^(?:(?:ay|uy|ah|eh|oh|ups|uf+|ush|ojo|mmm*|hmm*|pues|bueno)\s+)+(?=(?:no|si)\b)", "", t)
    if not t:
        return None
    toks = t.split()
    if any(p == t or t.startswith(p + " ") for p in _NO_PHRASES) or toks[0] in _NO:
        # "no se" / "no entiendo" are doubts, not answers
        if re.match(r"no (se|entiendo|entendi|comprendo|estoy seguro|estoy segura)\b", t):
            return None
        return False
    if toks[0] in _YES or any(t == p or t.startswith(p + " ") for p in _YES_PHRASES):
        if (" no " in f" {t} " and not t.startswith("si no")) or re.search(
            r"\b(pero|aunque|excepto|menos|mal|corrij|cambi)", t
        ):
            return None  # "sí pero la cédula está mal": a correction, not a confirmation
        return True
    if _AGREE.search(t) and not _DISAGREE.search(t) and len(toks) <= 8:
        return True  # "está perfecto", "todo correcto gracias"
    return None


# ------------------------------------------------------------------------- documents
_DOC_LABELS: Tuple[Tuple[str, str], ...] = (
    (r"c[eé]dula\s+de\s+extranjer[ií]a|c\.?\s?e\.?(?=[\s:#.\d])|extranjer[ií]a", "CE"),
    (r"permiso\s+(?:por\s+)?(?:de\s+)?protecci[oó]n\s+temporal|p\.?p\.?t\.?", "PPT"),
    (r"pasaporte|passport", "PA"),
    (r"n\.?\s?i\.?\s?t\.?", "NIT"),
    (r"[csz][eé]dula(?:\s+de\s+ciudadan[ií]a)?|c[eé]d\.?|cedul|ceula|cedla|cedual|cdula|c\.\s?c\.?|cc|c\.c", "CC"),
    (r"documento(?:\s+de\s+identidad)?|identificaci[oó]n|doc\.?|n[uú]mero\s+de\s+identificaci[oó]n", ""),
)
# Words between a label and its number ("cc es el numero: ..."). Separators only go between
# words and the words carry no punctuation, so there is one way to read any filler (linear).
_SEP = r"[\s,:#.=-]*"
_FILLER = (
    rf"(?:{_SEP}(?:es|numero|n[uú]mero|no|nro|n°|de|mi|la|el|a|al|correcto|correcta|nuevo|"
    rf"est[aá]\s+mal|mal|seria|queda)(?![a-z]))*{_SEP}"
)
_DOC_NUMBER = r"([A-Za-z]{0,3}\d[\d.\s,']{1,16}\d(?:\s*-\s*\d\b)?|\d{3,})"


_DOC_RES = [
    (re.compile(rf"(?<![a-z])(?:{label})(?![a-z]){_FILLER}{_DOC_NUMBER}", re.I), tipo) for label, tipo in _DOC_LABELS
]
_DOC_TYPE_RES = [(re.compile(rf"(?<![a-z])(?:{label})(?![a-z])"), tipo) for label, tipo in _DOC_LABELS[:-1]]


def find_document(text: str) -> Optional[Mention[str]]:
    """A labelled identification number: "cc 1036...", "mi cedula es ...", "NIT 900.123.456-7".
    The value is the number as typed (dots, spaces, "-7" for a NIT check digit); ``kind`` is the
    type ("CC", "CE", "NIT", "PPT", "PA"), None when only "documento" was said."""
    for pattern, tipo in _DOC_RES:
        for m in islice(pattern.finditer(text or ""), 5):
            numero = m.group(1).strip().rstrip(".,")
            if re.search(r"[a-z]", numero, re.I) and tipo not in ("PA", "CE"):
                continue
            return Mention(numero, m.span(), tipo or None)
    return None


def document_type_only(text: str) -> Optional[Mention[str]]:
    """A document type named without a number ("es cedula de extranjeria"); the value is the type."""
    t = norm(text)
    for pattern, tipo in _DOC_TYPE_RES:
        m = pattern.search(t)
        if m:
            return Mention(tipo, m.span())
    return None


# ------------------------------------------------------------------------- contracts
_CONTRACT_LABEL = (
    r"(?:n[uú]mero\s+de\s+)?(?:contrato|contarto|cotrato|contrat|ctto|cto|cuenta\s+contrato|"
    r"poliza|p[oó]liza|matr[ií]cula|c[oó]digo\s+de\s+(?:la\s+)?factura|referencia\s+de\s+pago)"
)


_CONTRACT_RE = re.compile(rf"(?<![a-z]){_CONTRACT_LABEL}(?![a-z]){_FILLER}(\d[\d.\s-]{{1,14}}\d|\d{{3,}})", re.I)


def find_contract(text: str) -> Optional[Mention[str]]:
    """A labelled contract number ("contrato 12345678", "cto # 55.501"); the value is its digits."""
    m = _CONTRACT_RE.search(text or "")
    if not m:
        return None
    return Mention(re.sub(r"\D", "", m.group(1)), m.span())


# ------------------------------------------------------------------- e-mail and phone
_SPOKEN_EMAIL = re.compile(
    r"(?<![\w.])([a-z0-9][a-z0-9._\-]{0,63})\s+arroba\s+([a-z0-9\-]{1,63})((?:\s+punto\s+[a-z]{2,6}){1,2})\b", re.I
)


def find_email(text: str) -> Optional[Mention[str]]:
    """Something shaped like an e-mail (its validity is ``validate_email``'s call), also as
    dictated by voice: "paula95 arroba gmail punto com"."""
    m = EMAIL_RE.search(text or "")
    if m:
        return Mention(m.group(0), m.span())
    m = _SPOKEN_EMAIL.search(text or "")
    if m:
        domain = m.group(2) + "".join("." + part for part in re.findall(r"punto\s+([a-z]{2,6})", m.group(3), re.I))
        return Mention(f"{m.group(1)}@{domain}".lower(), m.span())
    return None


_PHONE_LABEL = r"(?:cel(?:ular)?|m[oó]vil|whats?app|wasap|wpp|tel[eé]fono|tel|n[uú]mero\s+de\s+(?:celular|contacto))"
_MOBILE = r"((?:\+?\s?57[\s-]?)?3\d{2}(?:[\s.-]?\d){7})(?!\d)"


_LABELLED_MOBILE_RE = re.compile(rf"(?<![a-z]){_PHONE_LABEL}{_FILLER}{_MOBILE}", re.I)
_BARE_MOBILE_RE = re.compile(rf"(?<!\d){_MOBILE}")


def find_celular(text: str, labelled_only: bool = True) -> Optional[Mention[str]]:
    """A Colombian mobile number after a label ("cel 300 123 4567"), or anywhere when
    ``labelled_only`` is False; the value is the number as typed."""
    m = _LABELLED_MOBILE_RE.search(text or "")
    if not m and not labelled_only:
        m = _BARE_MOBILE_RE.search(text or "")
    return Mention(m.group(1), m.span()) if m else None


def says_has_no(text: str, what: str) -> bool:
    """'no tengo correo', 'no uso email', 'sin celular'..."""
    t = norm(text)
    nouns = {
        "correo": r"(?:correo|email|e-mail|mail|gmail|hotmail|emai)",
        "celular": r"(?:celular|cel|movil|telefono|whatsapp|numero)",
    }[what]
    return bool(  # windows of 80 characters: a sentence, and linear time on any input
        re.search(
            rf"\b(?:no\s+(?:tengo|uso|manejo|cuento\s+con|poseo|hay)|sin|tampoco\s+tengo|nunca\s+he\s+tenido)\b[^.]{{0,80}}?\b{nouns}",
            t,
        )
        or re.search(rf"\bno\s+(?:tengo|uso|manejo)\b[^.]{{0,80}}?\bni\s+(?:un\s+|una\s+)?{nouns}", t)
        or re.search(rf"\b{nouns}\b[^.]{{0,80}}?\bno\s+(?:tengo|uso|manejo)\b", t)
    )


# -------------------------------------------------------------------------- addresses
_STREET = (
    r"(?:calle|cal{1,2}e?|cll|cl|clle|carrera|carerra|karrera|cra|cr|crr|kra|kr|carr|avenida|av|avda|"
    r"diagonal|diag|dg|transversal|transv|trans|tv|tr|circular|circ|cq|autopista|ak|ac)"
)
_ws_count = 0


def _ws() -> str:
    """Spaces matched atomically (a look-ahead captures them, a back-reference consumes them):
    consecutive optional parts can never share out a run of spaces between them."""
    global _ws_count
    _ws_count += 1
    return rf"(?=(?P<ws{_ws_count}>\s*))(?P=ws{_ws_count})"


_SIDE = r"(?:sur|este|norte|oeste)"


def _suffixes() -> str:
    """What may follow a number of an address: a letter ("10a", "10 b"), "bis", a side ("sur").
    Each optional part carries its own leading spaces, so a part that is absent consumes none."""
    letter = r"[a-z](?![a-z])"
    return rf"(?:{_ws()}{letter})?(?:{_ws()}bis)?(?:{_ws()}{letter})?(?:{_ws()}{_SIDE}(?![a-z]))?"


ADDRESS_RE = re.compile(
    rf"(?<![a-z]){_STREET}\.?{_ws()}\d{{1,3}}{_suffixes()}"
    rf"(?:{_ws()}(?:#|n[°º]|no\.?|nro\.?|num\.?|numero|n)(?![a-z]))?{_ws()}\d{{1,3}}{_suffixes()}"
    rf"(?:{_ws()}[-–]{_ws()}|(?=\s){_ws()})\d{{1,3}}{_suffixes()}"
    rf"(?:[\s,]+(?:apto|apartamento|ap|int|interior|casa|local|bodega|bloque|bl|torre|piso|of|oficina)\.?{_ws()}\d+[a-z]?)*",
    re.I,
)
_RURAL = re.compile(r"(?<![a-z])(?:vereda|finca|corregimiento|sector|barrio|urbanizaci[oó]n|km|kil[oó]metro)\b", re.I)


def find_address(text: str) -> Optional[Mention[str]]:
    """A Colombian street address ("calle 10 # 43-25 apto 301"); the value has single spaces."""
    m = ADDRESS_RE.search(text or "")
    if not m:
        return None
    return Mention(re.sub(r"\s+", " ", m.group(0)).strip(" ,."), m.span())


def looks_like_landline(text: str) -> bool:
    t = norm(text)
    return bool(re.search(r"\bfijo\b", t) or re.search(r"(?<!\d)60\d[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)", t))


def looks_like_free_address(text: str) -> bool:
    """A rural or descriptive address given when asked for it: words and at least one number,
    or a vereda/finca/barrio reference (never a phone number)."""
    t = norm(text)
    if looks_like_landline(t) or re.search(r"(?<!\d)3\d{2}[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)", t) or "@" in t:
        return False
    return bool(_RURAL.search(t)) or (bool(re.search(r"\d", t)) and len(words(t)) >= 2)


# ------------------------------------------------------------------------------ names
_NAME_INTRO = re.compile(
    r"(?:me\s+llamo|(?:mi|el)\s+nombre\s+(?:completo\s+|correcto\s+)?es|mi\s+nombre:?|nombre\s*(?:completo\s*)?:|soy|habla|le\s+escribe|"
    r"les\s+escribe|te\s+escribe|con\s+usted\s+habla)\s+(.+)",
    re.I,
)
_NAME_STOP_EXTRA = {
    "sedula",
    "zedula",
    "cedual",
    "cdula",
    "ceula",
    "cedla",
    "nit",
    "ce",
    "ppt",
    "pasaporte",
    "passport",
    "cto",
    "contarto",
    "cotrato",
    "identificacion",
    "numero",
    "nro",
    "documento",
    "doc",
    "tarjeta",
}
_NAME_STOP = {
    "y",
    "con",
    "mi",
    "cc",
    "cedula",
    "c",
    "identificado",
    "identificada",
    "contrato",
    "del",
    "el",
    "la",
    "los",
    "las",
    "un",
    "una",
    "que",
    "porque",
    "pq",
    "xq",
    "por",
    "para",
    "tengo",
    "vivo",
    "necesito",
    "quiero",
    "me",
    "mis",
    "su",
    "nit",
    "documento",
    "correo",
    "celular",
    "cel",
    "en",
    "desde",
    "aqui",
    "aca",
    "tel",
    "telefono",
    "numero",
    "no",
    "si",
    "pero",
    "como",
    "e",
    "o",
    "de",
}
_NOT_A_NAME = {
    "factura",
    "reclamo",
    "queja",
    "cobro",
    "hola",
    "buenas",
    "buenos",
    "gracias",
    "asesor",
    "ayuda",
    "alcantarillado",
    "energia",
    "agua",
    "gas",
    "acueducto",
    "epm",
    "propietario",
    "arrendatario",
    "inquilino",
    "dueno",
    "duena",
    "administrador",
    "cliente",
    "usuario",
    "persona",
    "cancelar",
    "ok",
    "listo",
    "claro",
    "dale",
    "bien",
    "mal",
    "robot",
    "bot",
    "humano",
    "nadie",
    "quien",
    "que",
    "como",
    "cuando",
    "donde",
    "cuanto",
    "porque",
    "pago",
    "plata",
    "recibo",
    "consumo",
    "contrato",
    "cedula",
    "correo",
    "celular",
    "direccion",
    "calle",
    "carrera",
    "senor",
    "senora",
    "tarde",
    "dias",
    "noches",
    "favor",
    "porfa",
    "jaja",
    "jajaja",
    "xd",
    "abogado",
    "empleado",
    "empleada",
    "familiar",
    "hijo",
    "hija",
    "esposo",
    "esposa",
    "mama",
    "papa",
    "propietaria",
    "arrendataria",
    "inquilina",
    "administradora",
    "encargado",
    "encargada",
    "vecino",
    "vecina",
    "estilista",
    "comerciante",
    "independiente",
    "don",
    "dona",
    "sr",
    "sra",
    "extranjero",
    "extranjera",
    "colombiano",
    "colombiana",
    "venezolano",
    "venezolana",
    "pensionado",
    "pensionada",
    "jubilado",
    "jubilada",
    "estudiante",
    "nuevo",
    "nueva",
    "suscriptor",
    "suscriptora",
    "titular",
    "residente",
    "madre",
    "padre",
    "cabeza",
    "viuda",
    "viudo",
    "soltero",
    "soltera",
    "casado",
    "casada",
    "adulto",
    "mayor",
    "el",
    "la",
    "un",
    "una",
    "de",
    "del",
    "los",
    "las",
    "y",
    "no",
    "si",
    "mi",
    "su",
    "te",
    "tu",
    "yo",
    "usted",
}
_NAME_PARTICLES = {"de", "del", "la", "las", "los", "y"}
# Everyday words that are also Colombian surnames ("Jorge Bueno", "Ana Claro"): fine after a first name.
_SURNAME_OK = {
    "bueno",
    "claro",
    "bien",
    "alegre",
    "blanco",
    "cano",
    "luna",
    "sierra",
    "rico",
    "nieto",
    "rojo",
    "salazar",
    "arriba",
    "mejia",
    "guerra",
    "paz",
    "leon",
    "toro",
    "cruz",
    "santos",
    "reyes",
}
_NOT_A_NAME |= {
    # frequent Spanish function words and verbs that are never part of a name
    "al",
    "lo",
    "le",
    "les",
    "nos",
    "se",
    "me",
    "te",
    "es",
    "son",
    "era",
    "fue",
    "soy",
    "eres",
    "esta",
    "estoy",
    "estan",
    "este",
    "ese",
    "esa",
    "eso",
    "esto",
    "aqui",
    "alli",
    "ahi",
    "aca",
    "alla",
    "hay",
    "ha",
    "he",
    "han",
    "hemos",
    "tengo",
    "tiene",
    "tienen",
    "puedo",
    "puede",
    "quiero",
    "quiere",
    "necesito",
    "sirve",
    "voy",
    "va",
    "van",
    "ver",
    "hacer",
    "hago",
    "hace",
    "tambien",
    "tampoco",
    "muy",
    "mas",
    "menos",
    "mucho",
    "poco",
    "todo",
    "todos",
    "toda",
    "algo",
    "alguien",
    "nunca",
    "siempre",
    "otra",
    "otro",
    "otros",
    "sus",
    "tus",
    "mis",
    "nuestro",
    "por",
    "para",
    "con",
    "sin",
    "sobre",
    "entre",
    "hasta",
    "desde",
    "pero",
    "porque",
    "pues",
    "cual",
    "cuales",
    "quienes",
    "cuanto",
    "cuanta",
    "donde",
    "adonde",
    "como",
    "cuando",
    "porq",
    "ud",
    "uds",
    "ustedes",
    "vos",
    "ella",
    "ellos",
    "ellas",
    "nosotros",
    "hola",
    "chao",
    "adios",
    "bueno",
    "buena",
    "malo",
    "mala",
    "gracias",
    "perdon",
    "disculpe",
    "disculpa",
    "ok",
    "okay",
    "pregunta",
    "respuesta",
    "servicio",
    "servicios",
    "cobran",
    "cobraron",
    "llego",
    "vino",
}
_NOT_A_NAME |= {
    "dije",
    "dijo",
    "sabe",
    "se",
    "ya",
    "nada",
    "eso",
    "esto",
    "aja",
    "ajá",
    "hmm",
    "mmm",
    "ahi",
    "pues",
    "entonces",
    "oiga",
    "oye",
    "mire",
    "vea",
    "listo",
    "igual",
    "mismo",
    "datos",
    "dato",
    "espera",
    "momento",
    "ahorita",
    "luego",
    "despues",
    "antes",
    "numero",
    "nombre",
    "apellido",
    "apellidos",
    "completo",
    "mio",
    "mia",
    "tuyo",
    "suyo",
    "sera",
    "seria",
    "tal",
    "vez",
}


def _clean_name_tokens(raw: str, max_tokens: int = 6) -> Optional[str]:
    out: List[str] = []
    for token in re.findall(r"[A-Za-zÁÉÍÓÚÑÜáéíóúñü']+|\d+|[,.;:!?]", raw[:200]):
        t = norm(token)
        if not re.fullmatch(r"[a-zñü']+", t):
            break
        if (t in _NAME_STOP or t in _NAME_STOP_EXTRA) and not (t in _NAME_PARTICLES and out):
            break
        out.append(token)
        if len(out) >= max_tokens:
            break
    while out and norm(out[-1]) in _NAME_PARTICLES:
        out.pop()
    if not out:
        return None
    for i, t in enumerate(out):
        w = norm(t)
        if w in _NAME_PARTICLES:
            continue
        if w in _NOT_A_NAME and not (i > 0 and w in _SURNAME_OK):
            if i < 2:
                return None
            out = out[:i]  # "guillermo leon arango y le cuento ...": the name ends where the sentence goes on
            while out and norm(out[-1]) in _NAME_PARTICLES:
                out.pop()
            break
    if any(len(norm(t)) < 2 for t in out):
        return None
    return " ".join(w if w.lower() in _NAME_PARTICLES else w[:1].upper() + w[1:].lower() for w in out)


_STRONG_INTRO = re.compile(
    r"(?:me\s+llamo|(?:mi|el)\s+nombre\s+(?:completo\s+|correcto\s+)?es|mi\s+nombre:?|nombre\s*(?:completo\s*)?:)\s+(.+)",
    re.I,
)


def find_name(text: str, strong_only: bool = False) -> Optional[Mention[str]]:
    """A name introduced as such: "me llamo ...", "mi nombre es ..." (strong) or "soy ..." (weak).
    The value is the name in title case; the span covers the introduction and the name."""
    m = _STRONG_INTRO.search(text or "") or (None if strong_only else _NAME_INTRO.search(text or ""))
    if not m:
        return None
    name = _clean_name_tokens(m.group(1))
    if not name:
        return None
    return Mention(name, (m.start(), min(m.end(), m.start(1) + _name_extent(m.group(1), name))))


def _name_extent(raw: str, name: str) -> int:
    """How far into ``raw`` the cleaned ``name`` reaches (its last word's end)."""
    last = name.split()[-1]
    found = raw.lower().find(last.lower())
    return found + len(last) if found >= 0 else len(name)


_GREETING_PREFIX = re.compile(
    r"^\s*(?:(?:hola|ola|buenas|buenos\s+d[ií]as|buenas\s+tardes|buenas\s+noches|bn|q\s+mas|que\s+tal|"
    r"claro|ok|listo|bueno|dale|si|sí|perd[oó]n|disculpa|ah|ah\s+ok|es|seria)(?![a-záéíóúñ])[\s,.!:;-]*)+",
    re.I,
)


def name_as_answer(text: str) -> Optional[Mention[str]]:
    """The whole message read as a name, when the assistant has just asked for it."""
    intro = find_name(text)
    if intro:
        return intro
    text = text or ""
    stripped = _GREETING_PREFIX.sub("", text).strip()
    if not stripped or "?" in stripped or "@" in stripped or looks_like_gibberish(stripped):
        return None
    if len(words(stripped)) > 7:
        return None
    name = _clean_name_tokens(stripped)
    return Mention(name, (0, len(text))) if name else None


def leftover_name(text: str) -> Optional[Mention[str]]:
    """A full name typed among other data without an introduction ("mi correo es x@y.co, cc 123,
    lina marcela arango, contrato 45"): a comma-separated piece made only of name words."""
    rest = text or ""
    for finder in (find_document, find_contract, find_celular, find_address, find_email):
        found = finder(rest)
        if found:
            rest = found.cut_from(rest, ",")
    for piece in re.split(r"[,.;:\n]+", rest):
        piece = re.sub(r"^\s*(?:y|e|mi\s+correo\s+es|correo|email)\s+", "", piece.strip(), flags=re.I)
        candidate = _clean_name_tokens(piece) if piece else None
        if candidate and 2 <= len(candidate.split()) <= 5 and len(candidate.split()) == len(piece.split()):
            start = (text or "").lower().find(piece.lower())
            return Mention(candidate, (start, start + len(piece)) if start >= 0 else (0, 0))
    return None


# ---------------------------------------------------------------------------- amounts


_AMOUNT_PATTERNS = (  # (pattern, value of a match); numbers start where a digit run starts
    (
        re.compile(
            r"(?<![\d.,])(\d+(?:[.,]\d+)?)\s*(?:millones|millon|mill|palos?)\b(?:\s*(?:y\s*)?(\d{1,3})(?:\s*mil)?\b)?"
        ),
        lambda m: int(
            round(float(m.group(1).replace(",", ".")) * 1_000_000 + (int(m.group(2)) * 1_000 if m.group(2) else 0))
        ),
    ),
    (
        re.compile(r"\bun\s+(?:millon|palo)\b(?:\s*(?:y\s*)?(\d{1,3})(?:\s*mil)?\b)?"),
        lambda m: 1_000_000 + (int(m.group(1)) * 1_000 if m.group(1) else 0),
    ),
)
_THOUSANDS = re.compile(r"(?<![\d.,])(\d+(?:[.,]\d+)?)\s*(?:mil|k|lucas|barras)\b")
_DOLLAR_SIGN = re.compile(r"\$\s*(\d{1,3}(?:[.,']\d{3})+|\d+)")
_DOTTED = re.compile(r"(?<![\d$.,'])(\d{1,3}(?:[.']\d{3})+)(?![\d])")
_PESOS = re.compile(r"(?<![\d.,])(\d{4,9})\s*pesos")
_USUAL = re.compile(
    r"(normalmente|siempre|usualmente|antes|promedio|suele|suelo|normal|otros\s+meses|mes\s+pasado)"
    r"\W*(?:\w+\W+){0,8}$"
)
_MAX_AMOUNTS = 20  # per pattern: a message never states more, and it keeps the scan linear


def find_amount(text: str) -> Optional[Mention[int]]:
    """The first amount in pesos the customer disputes: "$1.250.000", "350 mil", "1'250.000",
    "un millon", "2 millones", "1 millon 400" (= $1.400.000); amounts said to be the usual
    ones ("normalmente es de 500 mil") only when no other is given. Spans refer to ``norm(text)``."""
    t = norm(text)
    found: List[Tuple[int, int, int]] = []  # (start, value, end)

    def near(start: int, width: int) -> bool:
        return any(s <= start < s + width for s, _, _ in found)

    for pattern, amount_of in _AMOUNT_PATTERNS:
        found += [(m.start(), amount_of(m), m.end()) for m in islice(pattern.finditer(t), _MAX_AMOUNTS)]
    for m in islice(_THOUSANDS.finditer(t), _MAX_AMOUNTS):
        if not near(m.start(), 25):
            found.append((m.start(), int(round(float(m.group(1).replace(",", ".")) * 1_000)), m.end()))
    found += [
        (m.start(), int(re.sub(r"\D", "", m.group(1))), m.end()) for m in islice(_DOLLAR_SIGN.finditer(t), _MAX_AMOUNTS)
    ]
    if re.search(r"pesos|cobr|factur|valor|pag|lleg|vino", t):
        for m in islice(_DOTTED.finditer(t), _MAX_AMOUNTS):
            if not any(s <= m.start() <= s + 2 for s, _, _ in found):
                found.append((m.start(), int(re.sub(r"\D", "", m.group(1))), m.end()))
    found += [(m.start(), int(m.group(1)), m.end()) for m in islice(_PESOS.finditer(t), _MAX_AMOUNTS)]
    if not found:
        return None
    disputed = [f for f in found if not _USUAL.search(t[max(0, f[0] - 45) : f[0]])]
    start, value, end = min(disputed or found)
    return Mention(value, (start, end))


def format_pesos(value: int) -> str:
    return "$" + f"{value:,}".replace(",", ".")


# ----------------------------------------------------------------------------- motivo
# Words that describe a complaint by themselves ("me cobraron doble", "llegó altísima")...
_COMPLAINT = re.compile(
    r"cobr|car[oa]\b|carisim|alt[oa]\b|altisim|elevad|excesiv|exagerad|subi|doble|no\s+corresponde|"
    r"mal\s+leid|mal\s+tomad|estimad|promedio|no\s+estoy\s+de\s+acuerdo|inconform|error|equivoc|injust|"
    r"no\s+he\s+consumido|no\s+consum|no\s+vivo|desocupad|\$|\d\s*mil\b|millon|\d\s*palos?\b|\d\s*lucas|no\s+(tengo|hay)\s+alcantarill"
)
# ...and words that make it a complaint only when it is not a how-to question.
_MOTIVO_WORDS = re.compile(
    r"factur|recibo|resibo|consum|valor|precio|lectur|medidor|contador|alcantarillad|acueduct|energ|"
    r"\bluz\b|\bagua\b|\bgas\b|\bpag|kwh|m3|metros|\bllego\b|\bvino\b"
)
_HOW_TO = re.compile(
    r"^(?:hola\W+|buenas\W+)?(?:como|donde|cuando|cual|que\s+dia|hasta\s+cuando|puedo|se\s+puede|me\s+pueden|"
    r"pueden|quiero\s+pagar|necesito\s+pagar|para\s+pagar|necesito\s+(?:el\s+)?(?:duplicado|copia)|"
    r"quiero\s+(?:el\s+)?(?:duplicado|copia))\b"
)
_GENERIC = re.compile(
    r"\b(?:hola|ola|buenas|buenos|dias|tardes|noches|quiero|quisiera|necesito|deseo|voy\s+a|"
    r"poner|hacer|presentar|radicar|interponer|montar|un|una|el|la|reclamo|reclamacion|queja|pqr|"
    r"peticion|por|favor|porfa|x|fa|para|me|ayudan|ayuda|ayudas|puedes|pueden|epm|sobre|mi|de|"
    r"con|la|factura|recibo|y|a|que|tengo|sobre|respecto)\b"
)


def has_complaint(text: str) -> bool:
    """Words that describe a complaint by themselves ("cobraron", "altísima", "$", "no corresponde")."""
    return bool(_COMPLAINT.search(norm(text)))


def looks_like_motivo(text: str) -> bool:
    """The customer describes what happened (not just 'quiero poner un reclamo')."""
    t = norm(text)
    if not _COMPLAINT.search(t):
        if not _MOTIVO_WORDS.search(t) or _HOW_TO.search(t):
            return False
    rest = _GENERIC.sub(" ", t)
    rest = re.sub(r"[^a-z0-9$]+", " ", rest).strip()
    return len(rest.split()) >= 2


_REQUEST = re.compile(r"\b(?:reclam\w*|queja\w*|quejar\w*|pqr|peticion|inconformidad|radicar|denunciar\s+un\s+cobro)\b")


_CANCEL = re.compile(
    r"\b(?:cancel\w*|anul\w*|olvid\w*|ya\s+no|dej(?:a|e|alo|elo|emoslo|emos)\s*(?:asi|eso|quieto)?|no\s+quiero\s+seguir|"
    r"mejor\s+no|no\s+sigamos|no\s+siga|termin\w*|sal(?:ir|gamos)|par(?:ar|e)\b|stop|basta|desisto)\b"
)
_AGENT = re.compile(
    r"\b(?:asesor\w*|persona|humano|agente|operador\w*|funcionari\w*|alguien|ser\s+humano|gente|"
    r"representante|llamar|llamada|telefono|linea)\b"
)


def asks_for_number(text: str) -> bool:
    """'¿cuál era el número?', 'me repite el número del radicado'."""
    t = norm(text)
    return bool(
        re.search(
            r"\b(?:cual|como|que)\s+(?:era|es|fue|quedo)\s+(?:el\s+)?(?:numero|radicado)|"
            r"numero\s+(?:del|de\s+la|de\s+mi|de)\s+(?:radicad\w*|pqr|reclamo|caso|queja)|"
            r"(?:repite|repita|repitame|regala|regalas|das|da|pasa|pase)\s+(?:otra\s+vez\s+)?el\s+numero|"
            r"(?:anotar|copiar|borro)\s+el\s+numero|que\s+numero\s+me\s+dieron|cual\s+fue\s+el\s+radicado",
            t,
        )
    )


def says_cancel(text: str) -> bool:
    return bool(_CANCEL.search(norm(text)))


def asks_for_agent(text: str) -> bool:
    return bool(_AGENT.search(norm(text)))


def words_free(text: str) -> bool:
    """Only emojis or punctuation (👍, 👌, '...'): the classifier may know better."""
    return not re.search(r"[a-z0-9]", norm(text))


def asks_to_file(text: str) -> bool:
    """'quiero poner un reclamo', 'necesito hacer una queja', 'radicar una pqr'."""
    return bool(_REQUEST.search(norm(text)))


_VOWELS = set("aeiouy")


def looks_like_gibberish(text: str) -> bool:
    """Keyboard mashing and laughter: 'asdkjhasd', 'jajaja', 'xd', 'kkkk'."""
    t = norm(text)
    toks = re.findall(r"[a-zñ]+", t)
    if not toks or re.search(r"\d", t) or len(toks) > 3:
        return False
    for tok in toks:
        if re.fullmatch(
            r"(?:j+[aeiou]+){2,}j*|(?:[aeiou]*j){3,}|k{3,}|x+d+|l+o+l+|ha(?:ha)+|he(?:he)+|z{3,}|m{3,}|h+m+", tok
        ):
            continue
        if not (set(tok) & _VOWELS) and len(tok) >= 3:
            continue
        if re.search(r"[^aeiouyñ]{4,}", tok) and len(tok) >= 5:
            continue
        if len(tok) >= 6 and len(set(tok)) <= 2:
            continue
        if re.search(r"(?:asd|sdf|dfg|fgh|ghj|hjk|jkl|qwe|wer|ert|rty|zxc|xcv|cvb|vbn|bnm)", tok) and len(tok) >= 5:
            continue
        return False
    return True


def motivo_as_answer(text: str) -> Optional[Mention[str]]:
    """The message read as the motivo, when the assistant has just asked for it."""
    t = norm(text)
    if yes_no(text) is not None and len(words(t)) <= 3:
        return None
    if len(words(t)) >= 3 or _MOTIVO_WORDS.search(t) or _COMPLAINT.search(t):
        return Mention(re.sub(r"\s+", " ", text).strip(), (0, len(text)))
    return None


_ALC = r"alcantarillad[oa]|alcantarilla|alcantarrillado|alcantarillao|red\s+de\s+aguas\s+negras|aguas\s+residuales"
_NOT_PROVIDED = (
    r"no\s+(?:tengo|tenemos|tiene|hay|existe|existen|me\s+prestan|nos\s+prestan|prestan|presta|cuento|"
    r"contamos|estoy\s+conectad|estamos\s+conectad|esta\s+conectad|llega|pasa)|sin\s+(?:red|servicio|conexion)|"
    r"pozo\s+septico|poso\s+septico|tanque\s+septico|no\s+prestad|no\s+me\s+lo\s+prestan|servicio\s+que\s+no|"
    r"que\s+no\s+(?:tengo|tenemos|existe|me\s+prestan|recibo|uso)|nunca\s+(?:he\s+tenido|hemos\s+tenido)|"
    r"no\s+estoy\s+conectad|no\s+cuento\s+con|inexistente|jam[aá]s|"
    r"nunca\s+(?:nos|me|lo|la)\s+(?:han|ha)\s+(?:conectad|instalad|prestad)|"
    r"no\s+(?:nos|me)\s+(?:han|ha)\s+(?:conectad|instalad)|no\s+pasa\s+por|no\s+llega\s+(?:a|hasta)|sin\s+alcantarillado"
)
# Everyday words for a sewer service that is not there. The topic: the sewer itself or the waste water.
_SEWER_TOPIC = re.compile(
    rf"{_ALC}|aguas?\s+(?:negras|servidas|sucias?|del\s+(?:bano|sanitario|inodoro|cocina|lavadero))|"
    r"desag[uü]e|colector|vertimiento|lo\s+del\s+(?:bano|sanitario|inodoro)"
)
# ...and how customers say it is not provided: no network, never connected, the water goes elsewhere.
_SEPTIC = r"po[sz]o\s+(?:septico|de\s+absorcion|negro)|tanque\s+septico|fosa\s+septica|letrina"
_NEVER_CONNECTED = (
    r"nunca\s+(?:\w+\s+){0,3}?(?:conectad\w*|conectaron|conecto|empatad\w*|empataron|empato|instalaron|instalad\w*|"
    r"pusieron|puesto|puso|hicieron)|no\s+(?:\w+\s+){0,2}?(?:conectad|empatad)\w*|sin\s+(?:conectar|empatar)"
)
_NO_NETWORK = (
    r"no\s+(?:ha\s+llegado|han\s+puesto|han\s+instalado|llega|hay|existe|tiene|pasa|tenemos|tengo)\s+(?:\w+\s+){0,3}?"
    r"(?:la\s+|el\s+)?(?:red|tubo|tuberia|colector)|(?:red|tubo|tuberia|colector)\s+(?:\w+\s+){0,5}?"
    r"(?:no\s+(?:llega|pasa|existe|hay|ha\s+llegado)|nunca\s+(?:\w+\s+){0,2}?(?:pusieron|instalaron|hicieron|llego))|"
    r"sin\s+(?:red|tubo|tuberia)"
)
_GOES_ELSEWHERE = (
    r"\b(?:va|van|cae|caen|sale|salen|bota|botan|botamos|tiramos|tira|descarga|descargan|desemboca|corre|corren|"
    r"termina|terminan|echamos|echan|sacamos|vierte|vierten|sale)\b[^.]{0,30}?\b(?:quebrada|rio|cano|zanja|calle|"
    r"solar|hueco|pozo|poso|potrero|monte|canada|acequia|tanque|patio|lote|manga|cienaga|humedal|fosa|campo|cuneta)\b"
)
_SEWER_NOT_THERE = re.compile(rf"{_NOT_PROVIDED}|{_SEPTIC}|{_NEVER_CONNECTED}|{_NO_NETWORK}|{_GOES_ELSEWHERE}")


def is_alcantarillado_no_prestado(text: str) -> bool:
    """A claim that the sewer service is billed but not provided (not a complaint about its amount),
    in any words: "no tengo alcantarillado", "no hay red en la calle", "la casa nunca la conectaron",
    "las aguas negras van a la quebrada / a un pozo séptico"."""
    t = norm(text)
    if re.search(_SEPTIC, t) and re.search(rf"{_ALC}|cobr|factur|recibo|desag", t):
        return True
    if not _SEWER_TOPIC.search(t):
        return False
    return bool(_SEWER_NOT_THERE.search(t))


# ---------------------------------------------------------- relationship with the premises
_RELACIONES = (
    (
        "arrendatario",
        r"arrendatari[oa]|inquilin[oa]|pago\s+(?:el\s+)?arriendo|(?:en|de)\s+arriendo|le\s+pago\s+(?:el\s+)?arriendo|alquil",
    ),
    (
        "propietario",
        r"propietari[oa]|due[nñ][oa]|duen[oa]|mi\s+casa|mi\s+local|es\s+mio|es\s+mia|titular|mi\s+propiedad|de\s+mi\s+propiedad",
    ),
    (
        "administrador",
        r"administrador[a]?|administr[oa]\b|administrando|admin\b|encargad[oa]|manej[oa]\s+el\s+(?:negocio|local)",
    ),
    (
        "familiar",
        r"familiar|hij[oa]|espos[oa]|mama|papa|madre|padre|herman[oa]|t[ií][oa]\b|abuel[oa]|suegr[oa]|sobrin[oa]|prim[oa]\b|compañer[oa]\s+sentimental",
    ),
    ("empleado", r"emplead[oa]|trabaj|dependiente|cajer[oa]|vendedor[a]?"),
)


def find_relacion(text: str) -> Optional[Mention[str]]:
    """The requester's relationship with the premises (propietario, arrendatario, administrador,
    familiar, empleado). Spans refer to ``norm(text)``."""
    t = norm(text)
    m = re.search(
        r"\b(?:hij[oa]|espos[oa]|herman[oa]|sobrin[oa]|niet[oa]|yerno|nuera|mama|papa|madre|padre)\s+(?:de|del)\b", t
    )
    if m:
        return Mention("familiar", m.span())  # "la hija de la dueña" is family, not the owner
    for value, pattern in _RELACIONES:
        m = re.search(pattern, t)
        if m:
            return Mention(value, m.span())
    return None


# -------------------------------------------------------------- everything in a message
@dataclass
class Parsed:
    """Every datum one message states by label or shape."""

    nombre: Optional[Mention[str]] = None
    documento: Optional[Mention[str]] = None  # kind: the document type
    tipo_documento_solo: Optional[Mention[str]] = None  # a type named without a number
    contrato: Optional[Mention[str]] = None
    direccion: Optional[Mention[str]] = None
    email: Optional[Mention[str]] = None
    celular: Optional[Mention[str]] = None
    sin_correo: bool = False
    sin_celular: bool = False
    motivo: Optional[Mention[str]] = None
    alcantarillado_no_prestado: bool = False
    monto: Optional[Mention[int]] = None
    relacion: Optional[Mention[str]] = None
    yes_no: Optional[bool] = None
    bare_numbers: List[Mention[str]] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        """A datum of the petition itself (not only a motivo or a yes/no)."""
        return any([self.nombre, self.documento, self.contrato, self.direccion, self.email, self.celular])


_BARE_NUMBER = re.compile(r"(?<![\w$.,])(\d[\d.\s]{1,14}\d)(?![\w])")


def parse_message(text: str, person_entities: Iterable[str] = ()) -> Parsed:
    """Every datum the message states by label or shape. Unlabelled numbers are returned in
    ``bare_numbers`` for the caller to interpret against what it asked. Each datum found is
    blanked out of the text before looking for the next, so one number is never read twice."""
    text = text or ""
    p = Parsed()
    rest = text
    for attr, finder in (
        ("email", find_email),
        ("direccion", find_address),
        ("documento", find_document),
        ("contrato", find_contract),
        ("celular", find_celular),
    ):
        found = finder(rest)
        if found:
            setattr(p, attr, found)
            rest = found.cut_from(rest)
    if not p.documento:
        p.tipo_documento_solo = document_type_only(rest)
    p.sin_correo = says_has_no(text, "correo")
    p.sin_celular = says_has_no(text, "celular")
    p.nombre = find_name(text) or _person_entity_name(person_entities)
    p.alcantarillado_no_prestado = is_alcantarillado_no_prestado(text)
    if looks_like_motivo(text) or p.alcantarillado_no_prestado:
        p.motivo = Mention(re.sub(r"\s+", " ", text).strip(), (0, len(text)))
    p.monto = find_amount(rest)
    p.relacion = find_relacion(text)
    p.yes_no = yes_no(text)
    for m in islice(_BARE_NUMBER.finditer(rest), 20):
        candidate = re.sub(r"\D", "", m.group(1))
        if len(candidate) >= 3 and not re.search(r"\bmil\b|pesos|\$", rest[m.end() : m.end() + 8]):
            p.bare_numbers.append(Mention(m.group(1).strip(), m.span(1)))
    return p


def _person_entity_name(person_entities: Iterable[str]) -> Optional[Mention[str]]:
    """A full name among spaCy's PER entities (no span: the entity's text is not located)."""
    for ent in person_entities:
        cleaned = _clean_name_tokens(ent)
        if cleaned and len(cleaned.split()) >= 2:
            return Mention(cleaned, (0, 0))
    return None


# ------------------------------------------------------------------ customers as they write
_CORRECTION_MARKER = re.compile(
    r"(?<![a-záéíóúñ])(?:ay\s+no|uy\s+no|ah\s+no|no\s+perd[oó]n|perd[oó]n|perdona|disculp[ae]|me\s+equivoqu[eé]|"
    r"me\s+confund[ií]|me\s+corrijo|corrijo|correcci[oó]n|mejor\s+dicho|quise\s+decir|error|no\s+esper[ae]|esper[ae])"
    r"(?![a-záéíóúñ])",
    re.I,
)
_BARE_DIGITS = re.compile(r"(?<![\w.])\d[\d.\s]{1,14}\d(?![\w])|(?<![\w.])\d{3,}(?![\w])")


def _bare_number(text: str) -> Optional[Mention[str]]:
    m = _BARE_DIGITS.search(text)
    return Mention(m.group(0).strip(), m.span()) if m else None


def _name_in(text: str) -> Optional[Mention[str]]:
    """A name in the words after a correction: the last piece that reads as one ("..., no perdón,
    escríbalo bien: Jeison Andrés Tabares")."""
    found = find_name(text)
    if found:
        return found
    offset = len(text)
    for piece in reversed(re.split(r"[,:;]", text)[-4:]):
        offset -= len(piece)
        lead = re.match(r"[\s.!-]*(?:(?:es|soy|era|con|se\s+escribe)\s+)?", piece, re.I)
        lead_end = lead.end() if lead else 0
        name = name_as_answer(piece[lead_end:])
        if name:
            start = offset + lead_end
            return Mention(name.value, (start, start + len(piece) - lead_end))
        offset -= 1
    return None


def _merge_surname(earlier: str, corrected: str) -> str:
    """ "Yeison Arley Gomes" corrected by "Gómez": the word it resembles most is replaced."""
    from difflib import SequenceMatcher

    words_before = earlier.split()
    if len(corrected.split()) != 1 or len(words_before) < 2:
        return corrected
    best = max(
        range(len(words_before)), key=lambda i: SequenceMatcher(None, norm(words_before[i]), norm(corrected)).ratio()
    )
    words_before[best] = corrected
    return " ".join(words_before)


_FINDERS = {
    "documento": (find_document, _bare_number),
    "contrato": (find_contract, _bare_number),
    "email": (find_email, None),
    "celular": (lambda s: find_celular(s, labelled_only=False), None),
    "nombre": (find_name, _name_in),
}


def find_self_correction(text: str, kind: str, asked: bool = False) -> Optional[Mention[str]]:
    """The corrected datum when the customer corrects it inside one message: "es el 55501, ay no,
    me equivoqué, es el 55502" -> 55502. ``kind`` is "documento", "contrato", "email", "celular"
    or "nombre". Only a datum of the same kind stated before the correction words counts as
    corrected; unlabelled numbers and bare names count only when that datum was ``asked`` for.
    Spans refer to ``text``; None when there is no such correction."""
    text = text or ""
    markers = list(islice(_CORRECTION_MARKER.finditer(text), 50))
    if not markers:
        return None
    head, cut = text[: markers[0].start()], markers[-1].end()
    tail = text[cut:]
    labelled, loose = _FINDERS[kind]
    before = labelled(head)
    if not before and asked and loose and not _labelled_other_number(head, kind):
        before = loose(head)
    if not before:
        return None
    found = labelled(tail) or (loose(tail) if loose else None)
    if not found or (kind == "nombre" and not asked and not find_name(head)):
        return None
    value = _merge_surname(before.value, found.value) if kind == "nombre" else found.value
    return Mention(value, (cut + found.span[0], cut + found.span[1]), found.kind or before.kind)


def _labelled_other_number(text: str, kind: str) -> bool:
    """A document number labelled as such is not a contract, and the other way round."""
    other = {"documento": find_contract, "contrato": find_document}.get(kind)
    return bool(other and other(text))


_MEDIUMS = (
    (
        "direccion",
        re.compile(
            r"\b(?:(?:a|para|hasta)\s+(?:la|mi)\s+(?:casa|direccion|residencia|apartamento|apto|finca|oficina|local|vivienda)"
            r"|direccion\s+fisica|por\s+(?:correo\s+)?fisico|carta|correspondencia|citacion|a\s+domicilio|en\s+fisico|"
            r"(?:a|en)\s+la\s+(?:misma\s+)?direccion|donde\s+vivo|a\s+la\s+de\s+la\s+casa|a\s+mi\s+hogar)\b"
        ),
    ),
    (
        "celular",
        re.compile(
            r"\b(?:al\s+(?:cel|celular|movil|whatsapp|wasap|wpp|numero)|por\s+(?:mensaje|sms|whatsapp|wasap|texto|el\s+cel)|"
            r"mensaje\s+de\s+texto|mensajito|sms)\b"
        ),
    ),
    (
        "correo",
        re.compile(r"\b(?:al\s+(?:correo|email|mail|gmail|hotmail)|por\s+(?:correo|email|mail)(?!\s+fisico))\b"),
    ),
)


def medium_offered(text: str) -> Optional[str]:
    """The notification medium the customer says they prefer, in their own words ("mándenla a la
    casa" -> "direccion", "mejor por mensaje de texto" -> "celular", "al correo" -> "correo")."""
    t = norm(text)
    for medium, pattern in _MEDIUMS:
        if pattern.search(t):
            return medium
    return None


MUNICIPIOS = (
    "Medellín",
    "Bello",
    "Itagüí",
    "Envigado",
    "Sabaneta",
    "La Estrella",
    "Caldas",
    "Copacabana",
    "Girardota",
    "Barbosa",
    "Rionegro",
    "Marinilla",
    "Guarne",
    "La Ceja",
    "El Retiro",
    "Carmen de Viboral",
    "El Carmen de Viboral",
    "Santa Fe de Antioquia",
    "Apartadó",
    "Turbo",
    "Caucasia",
    "Santa Rosa de Osos",
    "Yarumal",
    "Andes",
    "Jardín",
    "Urrao",
    "Sonsón",
    "Puerto Berrío",
    "Guatapé",
    "El Peñol",
    "San Jerónimo",
    "Sopetrán",
    "Amagá",
    "Fredonia",
    "Ciudad Bolívar",
    "Chigorodó",
    "Carepa",
    "Necoclí",
    "Segovia",
    "Remedios",
    "Zaragoza",
    "Cisneros",
    "San Pedro de los Milagros",
    "Entrerríos",
    "Donmatías",
    "La Unión",
    "Abejorral",
    "Támesis",
    "Jericó",
    "Titiribí",
    "Venecia",
    "Concordia",
    "Betania",
    "Hispania",
    "Salgar",
    "Santa Bárbara",
    "San Vicente",
    "Concepción",
    "Alejandría",
    "San Rafael",
    "San Carlos",
    "Granada",
    "Cocorná",
    "San Luis",
    "Puerto Nare",
    "Puerto Triunfo",
    "Yolombó",
    "Amalfi",
    "Anorí",
    "Ituango",
    "Valdivia",
    "Tarazá",
    "Cáceres",
    "El Bagre",
    "Nechí",
    "Frontino",
    "Dabeiba",
    "Cañasgordas",
    "Uramita",
    "Giraldo",
    "Buriticá",
    "Liborina",
    "Sabanalarga",
    "Olaya",
    "Ebéjico",
    "Heliconia",
    "Angelópolis",
    "Anzá",
    "Caicedo",
    "Betulia",
    "Yalí",
    "Vegachí",
    "Yondó",
    "Maceo",
    "Caracolí",
    "Santo Domingo",
    "Gómez Plata",
    "Guadalupe",
    "Carolina del Príncipe",
    "Angostura",
    "Briceño",
    "Toledo",
    "San Andrés de Cuerquia",
    "Peque",
    "Mutatá",
    "Arboletes",
    "San Juan de Urabá",
    "San Pedro de Urabá",
    "Argelia",
    "Nariño",
    "El Santuario",
    "Montebello",
    "Pueblorrico",
    "Tarso",
    "Valparaíso",
    "Caramanta",
    "La Pintada",
    "San Antonio de Prado",
    "Santa Elena",
    "San Cristóbal",
    "Bogotá",
    "Cali",
    "Barranquilla",
    "Cartagena",
    "Bucaramanga",
    "Pereira",
    "Manizales",
    "Armenia",
    "Cúcuta",
    "Ibagué",
    "Santa Marta",
    "Villavicencio",
    "Pasto",
    "Montería",
    "Neiva",
    "Popayán",
    "Sincelejo",
    "Valledupar",
    "Tunja",
    "Quibdó",
    "Soacha",
    "Chía",
    "Floridablanca",
    "Dosquebradas",
    "Palmira",
)
_MUNICIPIO_BY_KEY = {norm(m): m for m in MUNICIPIOS}
_MUNICIPIO_NAMES = "|".join(sorted((re.escape(k) for k in _MUNICIPIO_BY_KEY), key=len, reverse=True))
_MUNICIPIO_AFTER = re.compile(
    rf"^[\s,.;:-]*(?:(?:en|de|del\s+municipio\s+de|municipio\s+de|mpio\.?\s+de)\s+)?"
    rf"(?:el\s+municipio\s+de\s+)?({_MUNICIPIO_NAMES})\b"
)
_MUNICIPIO_BEFORE = re.compile(rf"\b({_MUNICIPIO_NAMES})[\s,.;:-]*(?:en\s+(?:la|el)\s+|,?\s*(?:en\s+)?)?$")


def find_municipio(text: str, address: Mention[str]) -> Optional[Mention[str]]:
    """The municipality the customer typed next to an address ("cra 45 # 12-30 de Bello", "en
    Itagüí, calle 50 # 40-20", "... del municipio de la estrella"); the value is its official name."""
    text = text or ""
    end = address.span[1]
    after = _MUNICIPIO_AFTER.match(strip_accents(text[end : end + 60].lower()))
    if after:
        return Mention(_MUNICIPIO_BY_KEY[after.group(1)], (end + after.start(1), end + after.end(1)))
    start = max(0, address.span[0] - 40)
    before = _MUNICIPIO_BEFORE.search(strip_accents(text[start : address.span[0]].lower()))
    if before:
        return Mention(_MUNICIPIO_BY_KEY[before.group(1)], (start + before.start(1), start + before.end(1)))
    return None


def address_with_municipio(text: str, address: Mention[str]) -> str:
    """The address with the municipality typed next to it: "cra 45 # 12-30, Bello"."""
    municipio = find_municipio(text, address)
    return f"{address.value}, {municipio.value}" if municipio else address.value
