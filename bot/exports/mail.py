"""E-mailing the daily export (smtplib).

``PQRBOT_SMTP_URL`` chooses the transport by its scheme: ``smtp://host:port`` (plain SMTP, port
25 by default), ``smtps://host:port`` (TLS from the start, 465), ``smtp+starttls://host:port``
(STARTTLS, 587). A user and password in the URL (``smtp://user:p%40ss@host:587``) are URL-decoded
and used to log in.
"""

from __future__ import annotations

import smtplib
import ssl
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from crm_adapter.deadline import fecha_en_texto
from crm_adapter.models import PQR

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCHEMES = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}


class ExportConfigError(ValueError):
    """The export cannot be e-mailed with this configuration (said in the message)."""


@dataclass(frozen=True)
class SmtpTarget:
    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str | None) -> SmtpTarget:
        if not url:
            raise ExportConfigError("PQRBOT_SMTP_URL is not set (e.g. smtp+starttls://user:pass@host:587)")
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in SCHEMES:
            raise ExportConfigError(
                f"PQRBOT_SMTP_URL: unknown scheme {parts.scheme!r}; use smtp://, smtps:// or smtp+starttls://"
            )
        if not parts.hostname:
            raise ExportConfigError("PQRBOT_SMTP_URL has no host")
        return cls(
            scheme,
            parts.hostname,
            parts.port or SCHEMES[scheme],
            unquote(parts.username) if parts.username else None,
            unquote(parts.password) if parts.password else None,
        )


def parse_recipients(text: str | None) -> list[str]:
    return [r.strip() for r in (text or "").split(",") if r.strip()]


def summary(fecha: date, pqrs: Sequence[PQR]) -> str:
    """The body: how many PQRs, per canal (Spanish)."""
    dia = fecha_en_texto(fecha, with_weekday=True)
    if not pqrs:
        return (
            f"Buenos días.\n\nEl {dia} no se registraron PQR por los canales digitales "
            "(WhatsApp, Facebook, Instagram, Twitter/X, Telegram, Chat EPM). "
            "Se adjunta el archivo sin filas para constancia.\n\n— pqrbot"
        )
    por_canal = Counter(p.canal for p in pqrs)
    lines = [f"  - {canal}: {n}" for canal, n in sorted(por_canal.items())]
    return (
        f"Buenos días.\n\nSe adjunta el exporte de las {len(pqrs)} PQR registradas el {dia} "
        "por los canales digitales, para su reasignación:\n"
        + "\n".join(lines)
        + "\n\nCada fila trae la fecha límite de respuesta (15 días hábiles).\n\n— pqrbot"
    )


def build_message(
    fecha: date, pqrs: Sequence[PQR], xlsx: bytes, sender: str, recipients: Sequence[str]
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"Exporte diario de PQR digitales — {fecha.isoformat()} ({len(pqrs)} PQR)"
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message.set_content(summary(fecha, pqrs))
    message.add_attachment(
        xlsx, maintype="application", subtype=XLSX.split("/", 1)[1], filename=f"pqr-digitales-{fecha.isoformat()}.xlsx"
    )
    return message


def send(
    message: EmailMessage, target: SmtpTarget, timeout: float = 30.0, ssl_context: ssl.SSLContext | None = None
) -> None:
    """Send through the target; raises on any SMTP or network error."""
    context = ssl_context or ssl.create_default_context()
    if target.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(target.host, target.port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(target.host, target.port, timeout=timeout)
    with client:
        client.ehlo()
        if target.scheme == "smtp+starttls":
            client.starttls(context=context)
            client.ehlo()
        if target.username:
            client.login(target.username, target.password or "")
        client.send_message(message)


def send_export(
    settings, fecha: date, pqrs: Sequence[PQR], xlsx: bytes, ssl_context: ssl.SSLContext | None = None
) -> list[str]:
    """E-mail the export with the configured SMTP server; returns the recipients."""
    recipients = parse_recipients(settings.export_recipients)
    if not recipients:
        raise ExportConfigError("PQRBOT_EXPORT_RECIPIENTS is not set (comma-separated e-mail addresses)")
    if not settings.export_from:
        raise ExportConfigError("PQRBOT_EXPORT_FROM is not set (the sender address)")
    target = SmtpTarget.parse(settings.smtp_url)
    send(build_message(fecha, pqrs, xlsx, settings.export_from, recipients), target, ssl_context=ssl_context)
    return recipients
