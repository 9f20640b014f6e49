"""Read models of the console: the inbox rows and one conversation in full."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from bot.canal import canal_for
from bot.console.context import Console
from bot.events import schema as ev
from bot.handoff.schema import BOT, CLOSED

INTAKE_FIELDS = (
    "motivo",
    "tipo_reclamo",
    "monto",
    "nombre",
    "tipo_documento",
    "numero_documento",
    "contrato",
    "direccion",
    "relacion_inmueble",
    "notif_correo",
    "notif_celular",
    "notif_direccion",
    "consentimiento",
    "orientacion",
    "orientacion_razon",
)


def _iso(value: Optional[datetime]) -> Optional[str]:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()


def _registry_get(console: Console, conversation_id: str):
    if console.registry is None:
        return None
    try:
        return console.registry.get(conversation_id)
    except Exception:
        return None


def inbox(
    console: Console,
    state: Optional[str] = None,
    channel: Optional[str] = None,
    q: Optional[str] = None,
    limit: int = 300,
) -> List[Dict[str, Any]]:
    seen = {c["conversation_id"]: c for c in console.events.conversations(limit=limit)}
    handoffs = {h.conversation_id: h for h in console.handoffs.list()}
    ids = list(dict.fromkeys(list(handoffs) + list(seen)))
    previews = console.events.last_user_messages(ids)
    matches = _search(console, q) if q else None
    rows: List[Dict[str, Any]] = []
    for cid in ids:
        h = handoffs.get(cid)
        last_user = previews.get(cid)
        row_state = h.state if h else BOT
        if row_state == CLOSED and last_user and h.updated_at and last_user.at > h.updated_at:
            row_state = BOT  # the customer wrote again after it was closed: the assistant has it
        if state and row_state != state:
            continue
        info = seen.get(cid, {})
        conv = _registry_get(console, cid)
        input_channel = (
            (conv.input_channel if conv else None)
            or (h.input_channel if h else None)
            or info.get("input_channel")
            or (last_user.input_channel if last_user else None)
        )
        canal = (
            (conv.canal if conv else None)
            or (h.canal if h else None)
            or canal_for(input_channel, last_user.metadata if last_user else None)
        )
        if channel and channel.lower() not in (canal.lower(), (input_channel or "").lower()):
            continue
        customer = ((h.data or {}).get("nombre") if h else None) or (conv.address if conv else None) or cid
        if matches is not None and cid not in matches and (q or "").lower() not in f"{cid} {customer}".lower():
            continue
        last_at = max(filter(None, [info.get("last_at"), h.updated_at if h else None]), default=None)
        rows.append(
            {
                "id": cid,
                "channel": canal,
                "input_channel": input_channel,
                "state": row_state,
                "customer": customer,
                "preview": last_user.text if last_user else None,
                "last_message_at": _iso(last_at),
                "waiting_since": _iso(h.waiting_since) if h else None,
                "assigned_to": h.assigned_to if h else None,
                "reason": h.reason if h else None,
            }
        )
    order = {"waiting": 0, "agent": 1, "bot": 2, "closed": 3}
    rows.sort(key=lambda r: r["last_message_at"] or "", reverse=True)
    rows.sort(key=lambda r: order.get(r["state"], 9))
    return rows


def _search(console: Console, q: str) -> set:
    """Conversations matching a PQR number, a phone or a document number."""
    q = q.strip().lower()
    digits = "".join(ch for ch in q if ch.isdigit())
    found = set()
    for p in console.store.list_pqrs():
        if q in p.numero.lower() or (digits and digits in (p.contacto.numero or "")):
            found.add(p.conversation_id)
    if digits and len(digits) >= 4:
        found.update(
            console.events.conversations_with_slot_value(("numero_documento", "notif_celular", "contrato"), digits)
        )
        if console.registry is not None:
            for e in console.events.conversations(limit=2000):
                conv = _registry_get(console, e["conversation_id"])
                if conv and digits in "".join(ch for ch in conv.address if ch.isdigit()):
                    found.add(e["conversation_id"])
    return found


def exists(console: Console, conversation_id: str) -> bool:
    return bool(
        console.handoffs.get(conversation_id)
        or console.events.for_conversation(conversation_id, kinds=[ev.USER])
        or _registry_get(console, conversation_id)
    )


def transcript(console: Console, conversation_id: str) -> List[Dict[str, Any]]:
    items: List[Dict[str, Any]] = []
    for e in console.events.for_conversation(conversation_id, kinds=[ev.USER, ev.BOT]):
        item: Dict[str, Any] = {
            "from": "customer" if e.kind == ev.USER else "bot",
            "text": e.text or "",
            "at": _iso(e.at),
            "seq": (e.at.timestamp(), 0, e.id),
        }
        if e.kind == ev.USER and e.intent:
            item["intent"] = {"name": e.intent, "confidence": e.confidence}
        media = [m for m in (e.metadata.get("media") or []) if isinstance(m, dict)] if e.metadata else []
        if media:
            item["media"] = media
        if e.data:
            item["data"] = e.data
        items.append(item)
    for m in console.handoffs.messages(conversation_id):
        items.append(
            {
                "from": "agent" if m.kind == "message" else "note",
                "text": m.text,
                "at": _iso(m.at),
                "author": m.author,
                "author_name": m.author_name,
                "delivery": m.delivery,
                "seq": (m.at.timestamp(), 1, m.id),
            }
        )
    items.sort(key=lambda i: i["seq"])
    for i in items:
        del i["seq"]
    return items


def intake(console: Console, conversation_id: str) -> Dict[str, Any]:
    slots = console.events.slots(conversation_id)
    data = {k: slots.get(k) for k in INTAKE_FIELDS if slots.get(k) not in (None, "", [])}
    h = console.handoffs.get(conversation_id)
    if not data and h and h.data:
        data = {k: v for k, v in h.data.items() if k in INTAKE_FIELDS}
    return data


def detail(console: Console, conversation_id: str) -> Dict[str, Any]:
    h = console.handoffs.get(conversation_id)
    conv = _registry_get(console, conversation_id)
    rows = [r for r in inbox(console) if r["id"] == conversation_id]
    base = rows[0] if rows else {"id": conversation_id, "state": BOT, "channel": conv.canal if conv else "Chat EPM"}
    media = []
    try:
        media = [
            {"nombre": m.nombre, "url": m.url, "content_type": m.content_type}
            for m in console.media_for(conversation_id)
        ]
    except Exception:
        media = []
    window = console.service.window(conversation_id, h)
    return dict(
        base,
        messages=transcript(console, conversation_id),
        intake=intake(console, conversation_id),
        pqrs=[p.to_json() for p in console.store.find_pqrs_by_conversation(conversation_id)],
        consentimientos=[
            {
                "aceptado": c.aceptado,
                "respuesta": c.respuesta,
                "policy_version": c.policy_version,
                "creado_en": _iso(c.creado_en),
            }
            for c in console.store.list_consentimientos(conversation_id)
        ],
        orientaciones=[o.to_json() for o in console.store.list_orientaciones() if o.conversation_id == conversation_id],
        media=media,
        window=window.to_json(),
        handoff={
            "state": h.state,
            "assigned_to": h.assigned_to,
            "reason": h.reason,
            "data": h.data,
            "waiting_since": _iso(h.waiting_since),
            "outside_hours": h.outside_hours,
        }
        if h
        else None,
        address=conv.address if conv else None,
    )
