"""Accents, case and spacing: how texts are compared, and a comparable key for addresses."""

from __future__ import annotations

import re
import unicodedata
from typing import List

_STREET_TYPES = {
    "calle": "cl",
    "cl": "cl",
    "cll": "cl",
    "clle": "cl",
    "call": "cl",
    "carrera": "cr",
    "cra": "cr",
    "kr": "cr",
    "cr": "cr",
    "kra": "cr",
    "carr": "cr",
    "crr": "cr",
    "cl.": "cl",
    "crra": "cr",
    "karrera": "cr",
    "avenida": "av",
    "av": "av",
    "avda": "av",
    "ak": "ak",
    "ac": "ac",
    "diagonal": "dg",
    "dg": "dg",
    "diag": "dg",
    "transversal": "tv",
    "tv": "tv",
    "tr": "tv",
    "trans": "tv",
    "transv": "tv",
    "circular": "cq",
    "cq": "cq",
    "circ": "cq",
}
_NUMBER_MARKS = {"no", "nro", "numero", "num", "n", "n°", "#", "nº"}
_UNITS = {
    "apartamento": "apto",
    "apto": "apto",
    "apt": "apto",
    "ap": "apto",
    "apart": "apto",
    "interior": "int",
    "int": "int",
    "local": "local",
    "loc": "local",
    "bloque": "bloque",
    "bl": "bloque",
    "torre": "torre",
    "casa": "casa",
    "oficina": "of",
    "of": "of",
    "ofi": "of",
}


def strip_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")


def norm(text: str) -> str:
    """Lower case, no accents, single spaces (keeps digits and basic punctuation)."""
    return re.sub(r"\s+", " ", strip_accents((text or "").lower())).strip()


def words(text: str) -> List[str]:
    return re.findall(r"[a-zñ]+", norm(text))


def digits_only(text: str) -> str:
    return re.sub(r"\D", "", text or "")


def normalize_direccion(direccion: str) -> str:
    """A comparable key for a Colombian address: "Calle 10 # 43-25" == "cll 10 no 43 25"."""
    text = strip_accents(direccion.lower())
    text = text.replace("#", " # ").replace("n°", " # ").replace("nº", " # ")
    text = re.sub(r"(\d)\s*bis\b", r"\1 bis", text)  # "44bis" == "44 bis"
    text = re.sub(r"[^a-z0-9#]+", " ", text)
    text = re.sub(r"\b([a-z]+)(\d)", r"\1 \2", text)  # "cl10" -> "cl 10"
    out = []
    for token in text.split():
        if token in _NUMBER_MARKS:
            continue
        out.append(_UNITS.get(token) or _STREET_TYPES.get(token, token))
    return " ".join(out)
