"""No text tool may take super-linear time on what a customer pastes: the action server reads
every message on one event loop, and a 10,000-character run of digits must not stall it.

Each parser, predicate and validator reads inputs of 1,250 and 10,000 characters built from
runs that made regexes backtrack (digits, spaces, letters, '@', separators, repeated labels).
Linear code takes ~8x longer on the 8x input; quadratic code ~64x (before the fix, a run of
8,000 digits took seconds). The bound allows 24x plus 50 ms for a busy machine, and 0.5 s in
absolute terms for the long input.
"""

from __future__ import annotations

import time
from typing import Callable, Dict

import pytest

from textkit import parsing as P
from textkit import validators as V
from textkit.motivo import clean_motivo
from textkit.normalize import normalize_direccion

TOOLS: Dict[str, Callable[[str], object]] = {
    name: getattr(P, name)
    for name in (
        "norm",
        "words",
        "yes_no",
        "find_document",
        "document_type_only",
        "find_contract",
        "find_email",
        "find_address",
        "looks_like_free_address",
        "looks_like_landline",
        "find_name",
        "name_as_answer",
        "leftover_name",
        "find_amount",
        "has_complaint",
        "looks_like_motivo",
        "asks_for_number",
        "says_cancel",
        "asks_for_agent",
        "asks_to_file",
        "looks_like_gibberish",
        "motivo_as_answer",
        "is_alcantarillado_no_prestado",
        "find_relacion",
        "parse_message",
        "means_this_number",
        "words_free",
        "medium_offered",
    )
}
TOOLS.update(
    {
        "find_celular(any)": lambda s: P.find_celular(s, labelled_only=False),
        "says_has_no(correo)": lambda s: P.says_has_no(s, "correo"),
        "says_has_no(celular)": lambda s: P.says_has_no(s, "celular"),
        "validate_email": V.validate_email,
        "validate_celular": V.validate_celular,
        "validate_documento(CC)": lambda s: V.validate_documento("CC", s),
        "validate_documento(NIT)": lambda s: V.validate_documento("NIT", s),
        "validate_documento(CE)": lambda s: V.validate_documento("CE", s),
        "normalize_direccion": normalize_direccion,
        "find_self_correction(contrato)": lambda s: P.find_self_correction("contrato 1 perdon " + s, "contrato", True),
        "find_self_correction(nombre)": lambda s: P.find_self_correction("me llamo Ana, ay no, " + s, "nombre", True),
        "find_self_correction(email)": lambda s: P.find_self_correction(s + " a@b.co perdon " + s, "email"),
        "address_with_municipio": lambda s: P.address_with_municipio(s, P.Mention("calle 1 # 2-3", (len(s) // 2,) * 2)),
        "clean_motivo": clean_motivo,
    }
)

UNITS = [
    "perdon ",
    "1 ",
    "12 ",
    "1.",
    "1-",
    "1,",
    "1'",
    "$1",
    "a",
    "a ",
    "Ana ",
    "a1",
    "a.",
    "@",
    "a@",
    "a@b.",
    " ",
    "\n",
    "👍",
    "de ",
    "no ",
    "no tengo ",
    "correo ",
    "cc ",
    "cc de ",
    "calle 1 ",
    "# 1 ",
    "1 mil ",
    "y ",
    "mi ",
    "soy ",
    "hola ",
    "1",
]
# A label in front of a long run makes the patterns that start at that label scan the run.
LABELS = ["cc ", "contrato ", "cel ", "me llamo ", "calle 1", "nit "]
INPUTS = [("", unit) for unit in UNITS] + [(label, unit) for label in LABELS for unit in ("1", " ", "1 ", "de ", "@")]


def _input(unit: str, size: int, prefix: str) -> str:
    return prefix + (unit * (size // len(unit) + 1))[:size]


def _best_time(tool: Callable[[str], object], text: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        tool(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_text_tools_are_linear_on_long_inputs(name):
    tool = TOOLS[name]
    slow = []
    for prefix, unit in INPUTS:
        big = _best_time(tool, _input(unit, 10_000, prefix), repeat=1)
        if big < 0.02:
            continue  # far too fast to be super-linear on this input
        small = _best_time(tool, _input(unit, 1_250, prefix), repeat=3)
        big = _best_time(tool, _input(unit, 10_000, prefix), repeat=2)
        if big > 0.5:
            slow.append(f"{prefix!r}+{unit!r}: 10,000 chars took {big:.3f}s")
        elif big > 24 * small + 0.05:
            # Small inputs are noisy on a busy machine: confirm on 4x the long input (linear ~4x,
            # quadratic ~16x) before calling it super-linear.
            bigger = _best_time(tool, _input(unit, 40_000, prefix), repeat=2)
            if bigger > 9 * big:
                slow.append(
                    f"{prefix!r}+{unit!r}: 1,250 chars {small:.4f}s, 10,000 chars {big:.3f}s, "
                    f"40,000 chars {bigger:.3f}s"
                )
    assert not slow, f"{name} is super-linear on:\n" + "\n".join(slow)
