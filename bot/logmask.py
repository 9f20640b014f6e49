"""Masking of customer data in logs: identification numbers, phones, e-mails, names and
addresses (and secrets). Only the CRM and the agents see a customer's name or address.

Logs of pqrbot never carry these in clear. ``mask`` is applied to every value the channels
and the outbound service log; ``MaskingFilter`` rewrites whole records (attached to our own
loggers and to the HTTP client loggers, whose request lines carry addresses and tokens).
"""

from __future__ import annotations

import logging
import re
from typing import Any

# 123456:AAH...  (Telegram bot token) -> never in logs
_BOT_TOKEN = re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{20,}")
# Bearer/OAuth tokens and access_token=... query parameters
_BEARER = re.compile(r"(?i)\b(bearer|oauth)\s+[A-Za-z0-9._~+/=-]{8,}")
_TOKEN_PARAM = re.compile(r"(?i)([A-Za-z_.]*(?:token|secret|signature))=([^&\s\"']+)")
_EMAIL = re.compile(r"\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+\.)+([A-Za-z]{2,})\b")
# Runs of digits (optionally separated by one space, dot or hyphen, optionally with a
# leading +) holding at least 6 digits: cédulas, NIT, phones, contracts, PSIDs.
_NUMBER = re.compile(r"\+?\d(?:[ .-]?\d){5,}")
# SQL errors quote their bound parameters (names, documents, addresses): never logged.
_SQL_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\s*(?:\(Background|$|\n))", re.S)
# Colombian addresses: "Calle 10 # 43-25", "Cra. 45 No 12-30", "Vereda La Palma Km 3".
_ADDRESS = re.compile(
    r"(?i)\b(?:calle|cll?|carrera|cra|kra?|cr|avenida|av|diagonal|dg|transversal|tv|circular|autopista|"
    r"manzana|mz)\.?\s*\d+\s*[a-z]?(?:\s*bis)?(?:\s*(?:#|n[o°º]\.?)\s*\d+\s*[a-z]?(?:\s*-\s*\d+)?)?"
    r"|\bvereda\s+(?:[A-ZÁÉÍÓÚÑ][\wáéíóúñ]*\s*){1,3}(?:km\.?\s*\d+)?"
)
# Values of name/address fields ("nombre': 'Ana María'", "direccion=Calle...", JSON, slots).
_FIELD = re.compile(
    r"(?i)([\"']?\b(?:nombre|name|titular|contacto|direcci[oó]n|address|relacion_inmueble)[\"']?\s*[:=]\s*)"
    r"(?:\"[^\"]*\"|'[^']*'|[^,;}\n]+)"
)
# "me llamo Ana María Restrepo", "mi nombre es ...", "soy Ana Restrepo"
_SELF_NAME = re.compile(
    r"(?i)(\b(?:me llamo|mi nombre es|soy)\s+)"
    r"((?:[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+)(?:\s+(?:de\s+)?[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+){0,4})"
)


def _mask_number(match: "re.Match[str]") -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    keep = 2
    out = []
    seen = 0
    for ch in text:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > digits - keep else "*")
        else:
            out.append(ch)
    return "".join(out)


def mask(value: Any) -> str:
    """The text with identification numbers, phones and e-mails masked.

    "CC 1.036.123.456" -> "CC *.***.***.*56"; "whatsapp:+573001234567" ->
    "whatsapp:+**********67"; "ana.perez@gmail.com" -> "a***@***.com".
    """
    if value is None:
        return "None"
    text = str(value)
    text = _BOT_TOKEN.sub("***:***", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} ***", text)
    text = _TOKEN_PARAM.sub(lambda m: f"{m.group(1)}=***", text)
    text = _SQL_PARAMETERS.sub("[parameters: ***]", text)
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@***.{m.group(3)}", text)
    text = _FIELD.sub(lambda m: f"{m.group(1)}***", text)
    text = _SELF_NAME.sub(lambda m: f"{m.group(1)}***" if m.group(2)[0].isupper() else m.group(0), text)
    text = _ADDRESS.sub("[dirección]", text)
    text = _NUMBER.sub(_mask_number, text)
    return text


class MaskingFilter(logging.Filter):
    """Rewrites a log record so that its rendered message is masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # pragma: no cover - a broken format string: leave it alone
            return True
        record.msg = mask(message)
        record.args = ()
        request = getattr(record, "request", None)  # Sanic's access log: "GET /path?query"
        if isinstance(request, str):
            record.request = mask(request)
        if record.exc_info and not record.exc_text:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = mask(record.exc_text)
        return True


_FILTER = MaskingFilter()


def masked_logger(name: str) -> logging.Logger:
    """A logger whose records are masked before any handler sees them."""
    logger = logging.getLogger(name)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    return logger


def install_record_masking() -> None:
    """Mask every log record of this process, whichever library creates it (Rasa, Sanic,
    SQLAlchemy...): records are rewritten when they are made."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_pqrbot_masking", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _FILTER.filter(record)
        return record

    factory._pqrbot_masking = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def protect_library_loggers() -> None:
    """Mask the request lines of the HTTP clients we use (they log URLs with ids and tokens)."""
    for name in ("httpx", "httpcore", "telegram", "telegram.Bot", "telegram.request", "twilio", "sanic.access"):
        masked_logger(name)
