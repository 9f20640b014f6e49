"""Plain-words signals for the two procedure questions customers ask in any wording: the answer
deadline ("¿en cuánto me responden?") and their personal data (Ley 1581: "¿qué datos tienen de
mí?", "borren mis datos"). Used by the NLU component (nlu/components/data_signals.py) so that a
question that mentions "reclamo" is not taken for a new reclamo."""

from __future__ import annotations

import re

from textkit.normalize import norm
from textkit.parsing import has_complaint, yes_no

_WHEN = re.compile(
    r"\b(?:cuanto|cuantos|cuando|que\s+tanto|que\s+tiempo|hasta\s+cuando|plazo|fecha\s+limite|"
    r"dias\s+habiles|demora\w*|tarda\w*|se\s+demora\w*|tiempo\s+de\s+respuesta)\b"
)
_ANSWER = re.compile(
    r"(?:respond\w*|respuesta\w*|contest\w*|resuelv\w*|resolver\w*|solucion\w*|demor\w*|tard\w*|"
    r"plazo|fecha\s+limite|me\s+(?:avisan|llaman|escriben|notifican)|dias\s+habiles)"
)
_MONEY = re.compile(r"\b(?:cobr\w*|pag\w*|vale|valor|cuesta|plata|pesos|mil|consumo|factur\w*\s+(?:de|por))\b")


def asks_for_deadline(text: str) -> bool:
    """'¿en cuánto me responden?', '¿cuánto se demoran?', 'cuando me contestan', 'qué plazo tienen'."""
    t = norm(text)
    if not (_WHEN.search(t) and _ANSWER.search(t)):
        return False
    return not (has_complaint(text) or _MONEY.search(t))


_DATA = re.compile(
    r"\b(?:mis\s+datos|datos\s+personales|datos\s+(?:que\s+)?(?:tienen|guardan|tiene)\s+(?:de\s+mi|mios)|"
    r"mi\s+informacion(?:\s+personal)?|informacion\s+personal|habeas\s+data|ley\s+1581|"
    r"(?:que|cuales)\s+datos)\b"
)
_RIGHTS = re.compile(
    r"\b(?:borr\w*|elimin\w*|supri\w*|actualiz\w*|rectific\w*|consult\w*|conocer|saber|tienen|"
    r"guardan|almacen\w*|revoc\w*|habeas|1581)\b"
)
_DELETE = re.compile(r"\b(?:borr\w*|elimin\w*|supri\w*|revoc\w*|olvid\w*)\b")
_UPDATE = re.compile(r"\b(?:actualiz\w*|rectific\w*|modific\w*)\b")

CONSULTA = "consulta"
ACTUALIZACION = "actualizacion"
SUPRESION = "supresion"


def asks_about_personal_data(text: str) -> bool:
    """'¿qué datos tienen de mí?', 'quiero que borren mis datos', 'actualizar mis datos personales'.
    An answer to the authorisation ('sí, autorizo el tratamiento de mis datos') is not, nor a
    question about what the data are for ('¿para qué usan mis datos?'), which the consent step
    explains."""
    t = norm(text)
    if "autoriz" in t or yes_no(text) is not None:
        return False
    return bool(_DATA.search(t) and _RIGHTS.search(t))


def data_request_kind(text: str) -> str:
    t = norm(text)
    if _DELETE.search(t):
        return SUPRESION
    if _UPDATE.search(t):
        return ACTUALIZACION
    return CONSULTA


def kind_or_none(text: str | None) -> str:
    return data_request_kind(text or "")


def asks_procedure_question(text: str) -> bool:
    """A question the rules answer in the middle of an intake (the form then resumes)."""
    return asks_for_deadline(text) or asks_about_personal_data(text)
