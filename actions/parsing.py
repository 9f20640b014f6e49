"""Reading petition data out of informal Colombian Spanish.

Customers write several data in one message, out of order, with typos and no accents:
"soy juan perez cc 1.036.654.321, contrato 12345678, me llego carisima la factura". These
pure functions find each datum by its label ("cc", "contrato", "mi correo es") or its shape
(an e-mail, a Colombian address). A bare, unlabelled answer is only read as the datum the
assistant just asked for (see ``parse_message``'s ``requested``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Tuple

from crm_adapter.normalize import strip_accents

from actions.validators import EMAIL_RE


def norm(text: str) -> str:
    """Lower case, no accents, single spaces (keeps digits and basic punctuation)."""
    return re.sub(r"\s+", " ", strip_accents((text or "").lower())).strip()


def words(text: str) -> List[str]:
    return re.findall(r"[a-zñ]+", norm(text))


# ----------------------------------------------------------------------------- yes / no
_YES = {
    "si", "sii", "siii", "sip", "claro", "dale", "ok", "okay", "oki", "okey", "listo", "acepto",
    "autorizo", "correcto", "bueno", "perfecto", "exacto", "vale", "hagale", "afirmativo",
    "obvio", "yes", "s", "bien", "porsupuesto", "deacuerdo", "confirmo", "sisas", "sy", "xi",
}
_YES_PHRASES = (
    "de acuerdo", "esta bien", "todo bien", "asi es", "por supuesto", "de una", "eso es",
    "todo correcto", "todo esta bien", "claro que si", "si senor", "si senora", "adelante",
    "esta correcto", "estan bien", "todo ok", "si claro", "si todo bien", "radicalo", "radiquelo",
)
_NO = {"no", "nop", "nope", "nel", "negativo", "noo", "nooo", "n", "tampoco", "nunca"}
_NO_PHRASES = (
    "no acepto", "no autorizo", "para nada", "no gracias", "no senor", "no senora", "no quiero",
    "no estoy de acuerdo", "no doy", "no lo autorizo", "prefiero no", "mejor no",
)


_AGREE = re.compile(
    r"\b(?:correct[oa]s?|perfect[oa]|exact[oa]|confirm[oa]|confirmado|radicalo|radiquelo|radica|adelante|"
    r"de acuerdo|todo bien|esta bien|estan bien|asi esta bien|todo ok|ok)\b"
)
_DISAGREE = re.compile(r"\b(?:no|nada|mal|error|equivoc\w*|corrig\w*|cambi\w*|falta|pero)\b")


def means_this_number(text: str) -> bool:
    """'a este mismo número', 'por aquí', 'a este whatsapp'."""
    return bool(re.search(r"\b(?:este|mismo|ese)\s+(?:mismo\s+)?(?:numero|whatsapp|wasap|cel|celular)\b|"
                          r"\bpor\s+(?:aqui|aca|este\s+medio|whatsapp)\b", norm(text)))


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
        if (" no " in f" {t} " and not t.startswith("si no")) or re.search(r"\b(pero|aunque|excepto|menos|mal|corrij|cambi)", t):
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
_FILLER = r"(?:\s*(?:es|numero|n[uú]mero|no\.?|nro\.?|n°|#|:|=|-|de|mi|la|el|a|al|correcto|correcta|nuevo|est[aá]\s+mal|mal|seria|queda)(?![a-z])[\s,]*)*[\s:#.=,-]*"
_DOC_NUMBER = r"([A-Za-z]{0,3}\d[\d.\s,']{1,16}\d(?:\s*-\s*\d\b)?|\d{3,})"


@dataclass(frozen=True)
class DocumentMention:
    tipo: Optional[str]  # "CC", "CE", "NIT", "PPT", "PA" or None when only "documento"
    numero: str  # as typed (dots, spaces, "-7" for a NIT check digit)
    span: Tuple[int, int]


def find_document(text: str) -> Optional[DocumentMention]:
    """A labelled identification number: "cc 1036...", "mi cedula es ...", "NIT 900.123.456-7"."""
    for label, tipo in _DOC_LABELS:
        m = re.search(rf"(?<![a-z])(?:{label})(?![a-z]){_FILLER}{_DOC_NUMBER}", text, re.I)
        if m:
            numero = m.group(1).strip().rstrip(".,")
            if re.search(r"[a-z]", numero, re.I) and tipo not in ("PA", "CE"):
                continue
            return DocumentMention(tipo or None, numero, m.span())
    return None


def document_type_only(text: str) -> Optional[str]:
    """A document type named without a number ("es cedula de extranjeria")."""
    t = norm(text)
    for label, tipo in _DOC_LABELS[:-1]:
        if re.search(rf"(?<![a-z])(?:{label})(?![a-z])", t):
            return tipo
    return None


# ------------------------------------------------------------------------- contracts
_CONTRACT_LABEL = (
    r"(?:n[uú]mero\s+de\s+)?(?:contrato|contarto|cotrato|contrat|ctto|cto|cuenta\s+contrato|"
    r"poliza|p[oó]liza|matr[ií]cula|c[oó]digo\s+de\s+(?:la\s+)?factura|referencia\s+de\s+pago)"
)


def find_contract(text: str) -> Optional[Tuple[str, Tuple[int, int]]]:
    m = re.search(rf"(?<![a-z]){_CONTRACT_LABEL}(?![a-z]){_FILLER}(\d[\d.\s-]{{1,14}}\d|\d{{3,}})", text, re.I)
    if not m:
        return None
    return re.sub(r"\D", "", m.group(1)), m.span()


# ------------------------------------------------------------------- e-mail and phone
def find_email(text: str) -> Optional[str]:
    m = EMAIL_RE.search(text or "")
    return m.group(0) if m else None


_PHONE_LABEL = r"(?:cel(?:ular)?|m[oó]vil|whats?app|wasap|wpp|tel[eé]fono|tel|n[uú]mero\s+de\s+(?:celular|contacto))"
_MOBILE = r"((?:\+?\s?57[\s-]?)?3\d{2}(?:[\s.-]?\d){7})(?!\d)"


def find_celular(text: str, labelled_only: bool = True) -> Optional[Tuple[str, Tuple[int, int]]]:
    m = re.search(rf"{_PHONE_LABEL}{_FILLER}{_MOBILE}", text, re.I)
    if m:
        return m.group(1), m.span()
    if not labelled_only:
        m = re.search(rf"(?<!\d){_MOBILE}", text)
        if m:
            return m.group(1), m.span()
    return None


def says_has_no(text: str, what: str) -> bool:
    """'no tengo correo', 'no uso email', 'sin celular'..."""
    t = norm(text)
    nouns = {
        "correo": r"(?:correo|email|e-mail|mail|gmail|hotmail|emai)",
        "celular": r"(?:celular|cel|movil|telefono|whatsapp|numero)",
    }[what]
    return bool(
        re.search(rf"\b(?:no\s+(?:tengo|uso|manejo|cuento\s+con|poseo|hay)|sin|tampoco\s+tengo|nunca\s+he\s+tenido)\b[^.]*?\b{nouns}", t)
        or re.search(rf"\bno\s+(?:tengo|uso|manejo)\b[^.]*\bni\s+(?:un\s+|una\s+)?{nouns}", t)
        or re.search(rf"\b{nouns}\b[^.]*\bno\s+(?:tengo|uso|manejo)\b", t)
    )


# -------------------------------------------------------------------------- addresses
_STREET = (
    r"(?:calle|cal{1,2}e?|cll|cl|clle|carrera|carerra|karrera|cra|cr|crr|kra|kr|carr|avenida|av|avda|"
    r"diagonal|diag|dg|transversal|transv|trans|tv|tr|circular|circ|cq|autopista|ak|ac)"
)
ADDRESS_RE = re.compile(
    rf"(?<![a-z]){_STREET}\.?\s*\d{{1,3}}\s*[a-z]?(?:\s*bis)?(?:\s*[a-z])?(?:\s*(?:sur|este|norte|oeste))?"
    rf"\s*(?:#|n[°º]|no\.?|nro\.?|num\.?|numero|n)?\s*\d{{1,3}}\s*[a-z]?(?:\s*bis)?\s*(?:[-–]|\s)\s*\d{{1,3}}"
    rf"(?:\s*[a-z](?![a-z]))?(?:\s*(?:sur|este|norte|oeste))?"
    rf"(?:[\s,]+(?:apto|apartamento|ap|int|interior|casa|local|bloque|bl|torre|piso|of|oficina)\.?\s*\d+[a-z]?)*",
    re.I,
)
_RURAL = re.compile(r"(?<![a-z])(?:vereda|finca|corregimiento|sector|barrio|urbanizaci[oó]n|km|kil[oó]metro)\b", re.I)
_MUNICIPIO_TAIL = re.compile(r"^[\s,]+(?:en\s+)?([a-záéíóúñ]+(?:\s+[a-záéíóúñ]+)?)", re.I)


def find_address(text: str) -> Optional[Tuple[str, Tuple[int, int]]]:
    m = ADDRESS_RE.search(text or "")
    if not m:
        return None
    value = re.sub(r"\s+", " ", m.group(0)).strip(" ,.")
    return value, m.span()


_LANDLINE = re.compile(r"(?<!\d)(?:\+?57\s?)?(?:60\d[\s.-]?)?\d{3}[\s.-]?\d{2}[\s.-]?\d{2}(?!\d)|\b(?:fijo|telefono|tel)\b")


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
    "sedula", "zedula", "cedual", "cdula", "ceula", "cedla", "nit", "ce", "ppt", "pasaporte", "passport", "cto",
    "contarto", "cotrato", "identificacion", "numero", "nro", "documento", "doc", "tarjeta",
}
_NAME_STOP = {
    "y", "con", "mi", "cc", "cedula", "c", "identificado", "identificada", "contrato", "del", "el",
    "la", "los", "las", "un", "una", "que", "porque", "pq", "xq", "por", "para", "tengo", "vivo",
    "necesito", "quiero", "me", "mis", "su", "nit", "documento", "correo", "celular", "cel", "en",
    "desde", "aqui", "aca", "tel", "telefono", "numero", "no", "si", "pero", "como", "e", "o",
    "de", "del",
}
_NOT_A_NAME = {
    "factura", "reclamo", "queja", "cobro", "hola", "buenas", "buenos", "gracias", "asesor", "ayuda",
    "alcantarillado", "energia", "agua", "gas", "acueducto", "epm", "propietario",
    "arrendatario", "inquilino", "dueno", "duena", "administrador", "cliente", "usuario", "persona",
    "cancelar", "ok", "listo", "claro", "dale", "bien", "mal", "robot", "bot", "humano", "nadie",
    "quien", "que", "como", "cuando", "donde", "cuanto", "porque", "pago", "plata", "recibo",
    "consumo", "contrato", "cedula", "correo", "celular", "direccion", "calle", "carrera", "senor",
    "senora", "tarde", "dias", "noches", "gracias", "favor", "porfa", "jaja", "jajaja", "xd", "abogado",
    "empleado", "empleada", "familiar", "hijo", "hija", "esposo", "esposa", "mama", "papa",
    "propietaria", "arrendataria", "inquilino", "inquilina", "administradora", "encargado", "encargada",
    "vecino", "vecina", "dueno", "duena", "estilista", "comerciante", "independiente", "don", "dona", "sr", "sra",
    "extranjero", "extranjera", "colombiano", "colombiana", "venezolano", "venezolana", "pensionado", "pensionada",
    "jubilado", "jubilada", "estudiante", "nuevo", "nueva", "suscriptor", "suscriptora", "titular", "residente",
    "madre", "padre", "cabeza", "viuda", "viudo", "soltero", "soltera", "casado", "casada", "adulto", "mayor", "el", "la", "un",
    "una", "de", "del", "los", "las", "y", "no", "si", "mi", "su", "te", "tu", "yo", "usted",
}
_NAME_PARTICLES = {"de", "del", "la", "las", "los", "y"}
# Everyday words that are also Colombian surnames ("Jorge Bueno", "Ana Claro"): fine after a first name.
_SURNAME_OK = {"bueno", "claro", "bien", "alegre", "blanco", "cano", "luna", "sierra", "rico", "nieto", "rojo",
               "salazar", "arriba", "mejia", "guerra", "paz", "leon", "toro", "cruz", "santos", "reyes"}
_NOT_A_NAME |= {
    # frequent Spanish function words and verbs that are never part of a name
    "al", "lo", "le", "les", "nos", "se", "me", "te", "es", "son", "era", "fue", "soy", "eres",
    "esta", "estoy", "estan", "este", "ese", "esa", "eso", "esto", "aqui", "alli", "ahi", "aca",
    "alla", "hay", "ha", "he", "han", "hemos", "tengo", "tiene", "tienen", "puedo", "puede",
    "quiero", "quiere", "necesito", "sirve", "voy", "va", "van", "ver", "hacer", "hago", "hace",
    "tambien", "tampoco", "muy", "mas", "menos", "mucho", "poco", "todo", "todos", "toda",
    "algo", "alguien", "nunca", "siempre", "otra", "otro", "otros", "sus", "tus", "mis", "nuestro",
    "por", "para", "con", "sin", "sobre", "entre", "hasta", "desde", "pero", "porque", "pues",
    "cual", "cuales", "quienes", "cuanto", "cuanta", "donde", "adonde", "como", "cuando", "porq",
    "ud", "uds", "ustedes", "vos", "ella", "ellos", "ellas", "nosotros", "hola", "chao", "adios",
    "bueno", "buena", "malo", "mala", "gracias", "perdon", "disculpe", "disculpa", "ok", "okay",
    "pregunta", "respuesta", "servicio", "servicios", "cobran", "cobraron", "llego", "vino",
}
_NOT_A_NAME |= {
    "dije", "dijo", "sabe", "se", "ya", "nada", "eso", "esto", "aja", "ajá", "hmm", "mmm", "ahi",
    "pues", "entonces", "oiga", "oye", "mire", "vea", "listo", "igual", "mismo", "datos", "dato",
    "espera", "momento", "ahorita", "luego", "despues", "antes", "numero", "nombre", "apellido",
    "apellidos", "completo", "mio", "mia", "tuyo", "suyo", "sera", "seria", "tal", "vez",
}


def _clean_name_tokens(raw: str, max_tokens: int = 6) -> Optional[str]:
    out: List[str] = []
    for token in re.findall(r"[A-Za-zÁÉÍÓÚÑÜáéíóúñü']+|\d+|[,.;:!?]", raw):
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
            return None
    if any(len(norm(t)) < 2 for t in out):
        return None
    return " ".join(w if w.lower() in _NAME_PARTICLES else w[:1].upper() + w[1:].lower() for w in out)


_STRONG_INTRO = re.compile(
    r"(?:me\s+llamo|(?:mi|el)\s+nombre\s+(?:completo\s+|correcto\s+)?es|mi\s+nombre:?|nombre\s*(?:completo\s*)?:)\s+(.+)",
    re.I,
)


def find_name(text: str, strong_only: bool = False) -> Optional[str]:
    """A name introduced as such: "me llamo ...", "mi nombre es ..." (strong) or "soy ..." (weak)."""
    m = _STRONG_INTRO.search(text or "") or (None if strong_only else _NAME_INTRO.search(text or ""))
    if not m:
        return None
    return _clean_name_tokens(m.group(1))


_GREETING_PREFIX = re.compile(
    r"^\s*(?:(?:hola|ola|buenas|buenos\s+d[ií]as|buenas\s+tardes|buenas\s+noches|bn|q\s+mas|que\s+tal|"
    r"claro|ok|listo|bueno|dale|si|sí|perd[oó]n|disculpa|ah|ah\s+ok|es|seria)(?![a-záéíóúñ])[\s,.!:;-]*)+",
    re.I,
)


def name_as_answer(text: str) -> Optional[str]:
    """The whole message read as a name, when the assistant has just asked for it."""
    intro = find_name(text)
    if intro:
        return intro
    stripped = _GREETING_PREFIX.sub("", text or "").strip()
    if not stripped or "?" in stripped or looks_like_gibberish(stripped):
        return None
    if len(words(stripped)) > 7:
        return None
    return _clean_name_tokens(stripped)


# ---------------------------------------------------------------------------- amounts
def leftover_name(text: str) -> Optional[str]:
    """A full name typed among other data without an introduction ("mi correo es x@y.co, cc 123,
    lina marcela arango, contrato 45"): a comma-separated piece made only of name words."""
    rest = text or ""
    for finder in (find_document, ):
        m = finder(rest)
        if m:
            rest = rest[: m.span[0]] + "," + rest[m.span[1]:]
    for found in (find_contract(rest), find_celular(rest), find_address(rest)):
        if found:
            rest = rest[: found[1][0]] + "," + rest[found[1][1]:]
    email = find_email(rest)
    if email:
        rest = rest.replace(email, ",")
    for piece in re.split(r"[,.;:\n]+", rest):
        piece = re.sub(r"^\s*(?:y|e|mi\s+correo\s+es|correo|email)\s+", "", piece.strip(), flags=re.I)
        candidate = _clean_name_tokens(piece) if piece else None
        if candidate and 2 <= len(candidate.split()) <= 5 and len(candidate.split()) == len(piece.split()):
            return candidate
    return None


def find_amount(text: str) -> Optional[int]:
    """The first amount in pesos the customer mentions: "$1.250.000", "350 mil", "1'250.000",
    "un millon", "2 millones", "1 millon 400" (= $1.400.000)."""
    t = norm(text)
    found = []  # (position, value)
    for m in re.finditer(r"(\d+(?:[.,]\d+)?)\s*(?:millones|millon|mill|palos?)\b(?:\s*(?:y\s*)?(\d{1,3})(?:\s*mil)?\b)?", t):
        value = float(m.group(1).replace(",", ".")) * 1_000_000 + (int(m.group(2)) * 1_000 if m.group(2) else 0)
        found.append((m.start(), int(round(value))))
    for m in re.finditer(r"\bun\s+(?:millon|palo)\b(?:\s*(?:y\s*)?(\d{1,3})(?:\s*mil)?\b)?", t):
        found.append((m.start(), 1_000_000 + (int(m.group(1)) * 1_000 if m.group(1) else 0)))
    for m in re.finditer(r"(\d+(?:[.,]\d+)?)\s*(?:mil|k|lucas|barras)\b", t):
        if not any(start <= m.start() < start + 25 for start, _ in found):
            found.append((m.start(), int(round(float(m.group(1).replace(",", ".")) * 1_000))))
    for m in re.finditer(r"\$\s*(\d{1,3}(?:[.,']\d{3})+|\d+)", t):
        found.append((m.start(), int(re.sub(r"\D", "", m.group(1)))))
    if re.search(r"pesos|cobr|factur|valor|pag|lleg|vino", t):
        for m in re.finditer(r"(?<![\d$.,'])(\d{1,3}(?:[.']\d{3})+)(?![\d])", t):
            if not any(start <= m.start() <= start + 2 for start, _ in found):
                found.append((m.start(), int(re.sub(r"\D", "", m.group(1)))))
    for m in re.finditer(r"(?<![\d.,])(\d{4,9})\s*pesos", t):
        found.append((m.start(), int(m.group(1))))
    if not found:
        return None
    usual = re.compile(r"(normalmente|siempre|usualmente|antes|promedio|suele|suelo|normal|otros\s+meses|mes\s+pasado)\W*(?:\w+\W+){0,8}$")
    disputed = [f for f in found if not usual.search(t[max(0, f[0] - 45): f[0]])]
    return min(disputed or found)[1]


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


_REQUEST = re.compile(
    r"\b(?:reclam\w*|queja\w*|quejar\w*|pqr|peticion|inconformidad|radicar|denunciar\s+un\s+cobro)\b"
)


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
    return bool(re.search(r"\b(?:cual|como|que)\s+(?:era|es|fue|quedo)\s+(?:el\s+)?(?:numero|radicado)|"
                          r"numero\s+(?:del|de\s+la|de\s+mi|de)\s+(?:radicad\w*|pqr|reclamo|caso|queja)|"
                          r"(?:repite|repita|repitame|regala|regalas|das|da|pasa|pase)\s+(?:otra\s+vez\s+)?el\s+numero|"
                          r"(?:anotar|copiar|borro)\s+el\s+numero|que\s+numero\s+me\s+dieron|cual\s+fue\s+el\s+radicado", t))


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
        if re.fullmatch(r"(?:j+[aeiou]+){2,}j*|(?:[aeiou]*j){3,}|k{3,}|x+d+|l+o+l+|ha(?:ha)+|he(?:he)+|z{3,}|m{3,}|h+m+", tok):
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


def motivo_as_answer(text: str) -> Optional[str]:
    """The message read as the motivo, when the assistant has just asked for it."""
    t = norm(text)
    if yes_no(text) is not None and len(words(t)) <= 3:
        return None
    if len(words(t)) >= 3 or _MOTIVO_WORDS.search(t) or _COMPLAINT.search(t):
        return re.sub(r"\s+", " ", text).strip()
    return None


_ALC = r"alcantarillad[oa]|alcantarilla|alcantarrillado|alcantarillao|red\s+de\s+aguas\s+negras|aguas\s+residuales"
_NOT_PROVIDED = (
    r"no\s+(?:tengo|tenemos|tiene|hay|existe|existen|me\s+prestan|nos\s+prestan|prestan|presta|cuento|"
    r"contamos|estoy\s+conectad|estamos\s+conectad|esta\s+conectad|llega|pasa)|sin\s+(?:red|servicio|conexion)|"
    r"pozo\s+septico|poso\s+septico|tanque\s+septico|no\s+prestad|no\s+me\s+lo\s+prestan|servicio\s+que\s+no|"
    r"que\s+no\s+(?:tengo|tenemos|existe|me\s+prestan|recibo|uso)|nunca\s+(?:he\s+tenido|hemos\s+tenido)|"
    r"no\s+estoy\s+conectad|no\s+cuento\s+con|inexistente|jam[aá]s|nunca\s+(?:nos|me|lo|la)\s+(?:han|ha)\s+(?:conectad|instalad|prestad)|"
    r"no\s+(?:nos|me)\s+(?:han|ha)\s+(?:conectad|instalad)|no\s+pasa\s+por|no\s+llega\s+(?:a|hasta)|sin\s+alcantarillado"
)


def is_alcantarillado_no_prestado(text: str) -> bool:
    """A claim that sewer service is charged but not provided (not a complaint about its amount)."""
    t = norm(text)
    if not re.search(_ALC, t):
        return False
    return bool(re.search(_NOT_PROVIDED, t))


# ---------------------------------------------------------- relationship with the premises
_RELACIONES = (
    ("arrendatario", r"arrendatari[oa]|inquilin[oa]|pago\s+(?:el\s+)?arriendo|(?:en|de)\s+arriendo|le\s+pago\s+(?:el\s+)?arriendo|alquil"),
    ("propietario", r"propietari[oa]|due[nñ][oa]|duen[oa]|mi\s+casa|mi\s+local|es\s+mio|es\s+mia|titular|mi\s+propiedad|de\s+mi\s+propiedad"),
    ("administrador", r"administrador[a]?|administr[oa]\b|administrando|admin\b|encargad[oa]|manej[oa]\s+el\s+(?:negocio|local)"),
    ("familiar", r"familiar|hij[oa]|espos[oa]|mama|papa|madre|padre|herman[oa]|t[ií][oa]\b|abuel[oa]|suegr[oa]|sobrin[oa]|prim[oa]\b|compañer[oa]\s+sentimental"),
    ("empleado", r"emplead[oa]|trabaj|dependiente|cajer[oa]|vendedor[a]?"),
)


def find_relacion(text: str) -> Optional[str]:
    t = norm(text)
    if re.search(r"\b(?:hij[oa]|espos[oa]|herman[oa]|sobrin[oa]|niet[oa]|yerno|nuera|mama|papa|madre|padre)\s+(?:de|del)\b", t):
        return "familiar"  # "la hija de la dueña" is family, not the owner
    for value, pattern in _RELACIONES:
        if re.search(pattern, t):
            return value
    return None


# -------------------------------------------------------------- everything in a message
@dataclass
class Parsed:
    nombre: Optional[str] = None
    documento: Optional[DocumentMention] = None
    tipo_documento_solo: Optional[str] = None
    contrato: Optional[str] = None
    direccion: Optional[str] = None
    email: Optional[str] = None
    celular: Optional[str] = None
    sin_correo: bool = False
    sin_celular: bool = False
    motivo: Optional[str] = None
    alcantarillado_no_prestado: bool = False
    monto: Optional[int] = None
    relacion: Optional[str] = None
    yes_no: Optional[bool] = None
    bare_numbers: List[str] = field(default_factory=list)


def _blank(text: str, span: Tuple[int, int]) -> str:
    return text[: span[0]] + " " * (span[1] - span[0]) + text[span[1]:]


def parse_message(text: str, person_entities: Iterable[str] = ()) -> Parsed:
    """Every datum the message states by label or shape. Unlabelled numbers are returned in
    ``bare_numbers`` for the caller to interpret against what it asked."""
    text = text or ""
    p = Parsed()
    rest = text
    email = find_email(rest)
    if email:
        p.email = email
        rest = rest.replace(email, " " * len(email))
    addr = find_address(rest)
    if addr:
        p.direccion = addr[0]
        rest = _blank(rest, addr[1])
    doc = find_document(rest)
    if doc:
        p.documento = doc
        rest = _blank(rest, doc.span)
    else:
        p.tipo_documento_solo = document_type_only(rest)
    con = find_contract(rest)
    if con:
        p.contrato = con[0]
        rest = _blank(rest, con[1])
    cel = find_celular(rest)
    if cel:
        p.celular = cel[0]
        rest = _blank(rest, cel[1])
    p.sin_correo = says_has_no(text, "correo")
    p.sin_celular = says_has_no(text, "celular")
    p.nombre = find_name(text)
    if not p.nombre:
        for ent in person_entities:
            cleaned = _clean_name_tokens(ent)
            if cleaned and len(cleaned.split()) >= 2:
                p.nombre = cleaned
                break
    p.alcantarillado_no_prestado = is_alcantarillado_no_prestado(text)
    if looks_like_motivo(text) or p.alcantarillado_no_prestado:
        p.motivo = re.sub(r"\s+", " ", text).strip()
    p.monto = find_amount(rest)
    p.relacion = find_relacion(text)
    p.yes_no = yes_no(text)
    for m in re.finditer(r"(?<![\w$.,])(\d[\d.\s]{1,14}\d)(?![\w])", rest):
        candidate = re.sub(r"\D", "", m.group(1))
        if len(candidate) >= 3 and not re.search(r"\bmil\b|pesos|\$", rest[m.end(): m.end() + 8]):
            p.bare_numbers.append(m.group(1).strip())
    return p
