"""Process indicators of the digital channels for the office managers (seed 000: tiempo de
atención y espera, nivel de servicio, índice de quejas y reclamos), per day (America/Bogota)
and channel, computed from the events, hand-over and CRM tables."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional

from bot.canal import canal_for
from bot.events import schema as ev
from bot.handoff.hours import BOGOTA
from core.clock import utcnow

ABANDON_AFTER = timedelta(hours=1)
_CLOSING_ACTIONS = {"action_cerrar_solicitud", "action_cancelar"}


def _day(at: datetime) -> str:
    return at.astimezone(BOGOTA).date().isoformat()


def percentile(values: List[float], p: float) -> Optional[float]:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return round(ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo), 1)


def compute(console, days: int = 14, now: Optional[datetime] = None) -> Dict[str, Any]:
    now = now or utcnow()
    local_today = now.astimezone(BOGOTA).date()
    first_day = local_today - timedelta(days=days - 1)
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=BOGOTA).astimezone(timezone.utc)
    day_list = [(first_day + timedelta(days=i)).isoformat() for i in range(days)]

    events = console.events.between(start, now + timedelta(seconds=1))
    canal_of: Dict[str, str] = {}
    convs = defaultdict(set)  # (day, canal) -> conversation ids
    started_intake: Dict[str, datetime] = {}
    closed_intake = set()
    last_at: Dict[str, datetime] = {}
    for e in events:
        if e.kind == ev.USER and e.conversation_id not in canal_of:
            canal_of[e.conversation_id] = canal_for(e.input_channel, e.metadata)
        last_at[e.conversation_id] = e.at
        if e.kind == ev.ACTION and e.name == "pqr_form":
            started_intake.setdefault(e.conversation_id, e.at)
        if e.kind == ev.ACTION and e.name in _CLOSING_ACTIONS:
            closed_intake.add(e.conversation_id)
    for e in events:
        if e.kind == ev.USER:
            convs[(_day(e.at), canal_of[e.conversation_id])].add(e.conversation_id)

    transitions = console.handoffs.transitions(since=start)
    handed = defaultdict(set)
    waits: List[float] = []
    waiting_started: Dict[str, datetime] = {}
    taken_at: Dict[str, datetime] = {}
    for t in transitions:
        cid = t["conversation_id"]
        canal = canal_of.get(cid) or "Chat EPM"
        if t["to_state"] == "waiting":
            waiting_started[cid] = t["at"]
            handed[(_day(t["at"]), canal)].add(cid)
        elif t["to_state"] == "agent" and t["from_state"] != "agent":
            handed[(_day(t["at"]), canal)].add(cid)
            taken_at[cid] = t["at"]
            if cid in waiting_started:
                waits.append((t["at"] - waiting_started.pop(cid)).total_seconds())
    first_replies: List[float] = []
    for cid, at in taken_at.items():
        reply = next(
            (m for m in console.handoffs.messages(cid, include_notes=False) if m.author != "sistema" and m.at >= at),
            None,
        )
        if reply is not None:
            first_replies.append((reply.at - at).total_seconds())

    pqrs: Dict[tuple, List[int]] = defaultdict(lambda: [0, 0])
    for p in console.store.list_pqrs(since=start):
        pqrs[(_day(p.creado_en), p.canal)][1 if p.radicado_por else 0] += 1
    filed_convs = {p.conversation_id for p in console.store.list_pqrs(since=start)}
    orient: Dict[tuple, int] = defaultdict(int)
    for o in console.store.list_orientaciones(since=start):
        orient[(_day(o.creado_en), o.canal)] += 1
        closed_intake.add(o.conversation_id)
    abandoned: Dict[tuple, int] = defaultdict(int)
    for cid, at in started_intake.items():
        if cid in closed_intake or cid in filed_convs or now - last_at.get(cid, at) < ABANDON_AFTER:
            continue
        abandoned[(_day(at), canal_of.get(cid, "Chat EPM"))] += 1

    keys = set(convs) | set(pqrs) | set(orient) | set(handed) | set(abandoned)
    rows = []
    for day, canal in sorted(keys):
        n = len(convs.get((day, canal), ()))
        h = len(handed.get((day, canal), set()) & convs.get((day, canal), set()))
        rows.append(
            {
                "day": day,
                "channel": canal,
                "conversations": n,
                "pqrs_assistant": pqrs[(day, canal)][0],
                "pqrs_agents": pqrs[(day, canal)][1],
                "handed_over": len(handed.get((day, canal), ())),
                "containment_rate": round((n - h) / n, 3) if n else None,
                "orientaciones": orient.get((day, canal), 0),
                "abandoned_intakes": abandoned.get((day, canal), 0),
            }
        )
    per_day = []
    for day in day_list:
        day_rows = [r for r in rows if r["day"] == day]
        n = sum(r["conversations"] for r in day_rows)
        per_day.append(
            {
                "day": day,
                "conversations": n,
                "pqrs_assistant": sum(r["pqrs_assistant"] for r in day_rows),
                "pqrs_agents": sum(r["pqrs_agents"] for r in day_rows),
                "handed_over": sum(r["handed_over"] for r in day_rows),
                "orientaciones": sum(r["orientaciones"] for r in day_rows),
                "abandoned_intakes": sum(r["abandoned_intakes"] for r in day_rows),
            }
        )
    total_convs = sum(d["conversations"] for d in per_day)
    total_handed = len({c for s in handed.values() for c in s})
    return {
        "from": day_list[0],
        "to": day_list[-1],
        "days": per_day,
        "rows": rows,
        "channels": sorted({r["channel"] for r in rows}),
        "totals": {
            "conversations": total_convs,
            "pqrs_assistant": sum(d["pqrs_assistant"] for d in per_day),
            "pqrs_agents": sum(d["pqrs_agents"] for d in per_day),
            "handed_over": total_handed,
            "containment_rate": round(max(0, total_convs - total_handed) / total_convs, 3) if total_convs else None,
            "orientaciones": sum(d["orientaciones"] for d in per_day),
            "abandoned_intakes": sum(d["abandoned_intakes"] for d in per_day),
            "waiting_p50_seconds": percentile(waits, 0.5),
            "waiting_p90_seconds": percentile(waits, 0.9),
            "first_reply_p50_seconds": percentile(first_replies, 0.5),
            "first_reply_p90_seconds": percentile(first_replies, 0.9),
        },
    }
