"""What the customer reads when people step in or out; the wording is in the catalogue
(actions/messages.py)."""

from __future__ import annotations

from typing import Optional

from actions.messages import MESSAGES, render


def _minutes(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return "1 minuto" if minutes == 1 else f"{minutes} minutos"


def waiting(expected_wait_seconds: float) -> str:
    return render("persona_en_espera", espera=_minutes(expected_wait_seconds))


def outside_hours(opening: Optional[str]) -> str:
    return render("persona_fuera_de_horario", vuelven=render("persona_vuelven", cuando=opening) if opening else "")


def nobody_yet() -> str:
    return MESSAGES["persona_aun_nadie"]


def agent_joined(name: str) -> str:
    first = (name or "").split(" ")[0] or MESSAGES["persona_del_equipo"]
    return render("persona_se_une", nombre=first)


def back_to_assistant(intake_open: bool = True) -> str:
    return MESSAGES["vuelve_asistente" if intake_open else "vuelve_asistente_sin_reclamo"]


def closed() -> str:
    return MESSAGES["conversacion_cerrada"]
