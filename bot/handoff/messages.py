"""What the customer reads when people step in or out (Spanish, tú, brief)."""

from __future__ import annotations

from typing import Optional


def _minutes(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return "1 minuto" if minutes == 1 else f"{minutes} minutos"


def waiting(expected_wait_seconds: float) -> str:
    return (
        f"Listo, le pedí a una persona del equipo que te escriba por aquí 🙋. Suele tardar unos "
        f"{_minutes(expected_wait_seconds)}. Mientras tanto, si quieres, sigo yo con tu reclamo: "
        "solo escríbeme. Si prefieres llamar: Línea de Atención 44 44 115 (Medellín y Valle de Aburrá) "
        "o 01 8000 415 115."
    )


def outside_hours(opening: Optional[str]) -> str:
    when = f" Vuelven {opening}." if opening else ""
    return (
        "Ahora no hay personas del equipo en línea 🌙." + when + " Dejé tu solicitud en la fila para "
        "que te escriban apenas puedan. Si prefieres no esperar, sigo yo con tu reclamo: solo escríbeme. "
        "También puedes llamar a la Línea de Atención 44 44 115 (Medellín y Valle de Aburrá) o al "
        "01 8000 415 115."
    )


def nobody_yet() -> str:
    return (
        "Perdona la espera 🙏: todavía nadie del equipo ha podido tomar tu conversación. Sigues en la "
        "fila y no se pierde nada. Si quieres, sigo yo con tu reclamo mientras tanto: solo escríbeme."
    )


def agent_joined(name: str) -> str:
    first = (name or "").split(" ")[0] or "una persona del equipo"
    return f"Hola, soy {first}, del equipo de EPM 👋. Desde ahora te atiendo yo por aquí."


def back_to_assistant(intake_open: bool = True) -> str:
    if not intake_open:
        return "Te dejo de nuevo con el asistente virtual 🤖. Si necesitas algo más, escríbele cuando quieras."
    return (
        "Te dejo de nuevo con el asistente virtual 🤖 para seguir con tu reclamo donde íbamos. "
        "Escríbele cuando quieras."
    )


def closed() -> str:
    return "Gracias por escribirnos 😊. Cerramos esta conversación; si necesitas algo más, aquí estamos."
