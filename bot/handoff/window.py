"""The messaging window of a conversation, as the console shows it (reuses the follow-ups' rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from bot.followups.policy import channel_window


@dataclass(frozen=True)
class WindowStatus:
    open: bool  # free text can be sent now
    template: bool  # an approved template is the way outside the window
    proactive: bool  # the channel can deliver a message nobody asked for
    ends_at: Optional[datetime]
    text: str  # Spanish, for the agent

    def to_json(self) -> dict:
        return {
            "open": self.open,
            "template": self.template,
            "proactive": self.proactive,
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
            "text": self.text,
        }


def _hours(seconds: float) -> str:
    if seconds < 3600:
        return f"{max(1, int(seconds // 60))} min"
    return f"{round(seconds / 3600)} h"


def window_status(
    canal: Optional[str], input_channel: Optional[str], last_inbound_at: Optional[datetime], now: datetime
) -> WindowStatus:
    win = channel_window(canal, input_channel)
    if not win.proactive:
        return WindowStatus(
            True, False, False, None, f"{win.name}: sin ventana; tus mensajes aparecen en el chat web del cliente."
        )
    if win.window is None:
        return WindowStatus(True, False, True, None, f"{win.name}: sin ventana de mensajería.")
    if last_inbound_at is None:
        return WindowStatus(
            False,
            win.template,
            True,
            None,
            f"{win.name}: el cliente no ha escrito; "
            + ("solo la plantilla aprobada." if win.template else "no se le puede escribir."),
        )
    hours = int(win.window.total_seconds() // 3600)
    ends = last_inbound_at + win.window
    left = (ends - now).total_seconds()
    after = "después solo la plantilla aprobada" if win.template else f"después {win.name} no deja escribirle"
    if left > 0:
        return WindowStatus(
            True, win.template, True, ends, f"{win.name}: quedan {_hours(left)} de la ventana de {hours} h; {after}."
        )
    closed = f"{win.name}: la ventana de {hours} h se cerró; " + (
        "solo puedes enviar la plantilla aprobada."
        if win.template
        else "no se le puede escribir hasta que el cliente vuelva a escribir."
    )
    return WindowStatus(False, win.template, True, ends, closed)
