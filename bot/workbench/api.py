"""JSON API of the workbench, mounted by the console at ``/api/nlu``.

Roles (Starlette's ``AuthenticationMiddleware`` scopes set by the console): every route needs an
authenticated user (401) with the scope ``entrenador`` (admins have it; others get 403), except
``POST /flags`` which agents may call too. CSRF is the console's middleware's job.

    GET  /inbox            {"items": [{"id", "text", "predicted_intent", "confidence", "count",
                                       "channel", "conversation_id", "at", ...}]}
    POST /inbox/{id}       {"intent": NAME[, "text": corrected][, "create_intent": true]} | {"discard": true}
    POST /flags            {"conversation_id", "text"[, "predicted_intent", "confidence", "channel", "note"]}
    GET  /conversations/{id}  the conversation's messages, masked (the inbox's link)
    GET  /intents          examples per intent, confusions of the last evaluation, validation
    GET  /evaluation       live model's evaluation, latest candidate and comparison
    POST /evaluation       evaluate the live model in the background
    GET  /train            latest jobs; POST /train starts a candidate training (202)
    POST /activate         {"job": N, "force": bool}; 409 with "regressions" when worse
    POST /rollback         back to the model live before the last activation

The workbench used is ``request.app.state.workbench`` when set (tests), else ``running.default()``.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Dict, Optional

from starlette.authentication import has_required_scope, requires
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.workbench import capture, context, running, service, training
from bot.workbench.dataset import LabelError


def _workbench(request: Request) -> context.Workbench:
    return getattr(request.app.state, "workbench", None) or running.default()


def _actor(request: Request) -> Optional[str]:
    return getattr(request.user, "email", None) or getattr(request.user, "display_name", None)


def _error(message: str, status: int, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


async def _body(request: Request) -> Dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise HTTPException(400, "the body must be JSON") from None
    if not isinstance(body, dict):
        raise HTTPException(400, "the body must be a JSON object")
    return body


def trainer(func: Callable) -> Callable:
    """401 without a session, 403 without the entrenador scope (admin has it)."""
    return requires("authenticated", status_code=401)(requires("entrenador", status_code=403)(func))


def staff(func: Callable) -> Callable:
    """401 without a session, 403 unless agente or entrenador (admin has both)."""

    @functools.wraps(func)
    async def wrapper(request: Request) -> Any:
        if not (has_required_scope(request, ["agente"]) or has_required_scope(request, ["entrenador"])):
            raise HTTPException(403)
        return await func(request)

    return requires("authenticated", status_code=401)(wrapper)


def _guarded(call: Callable) -> Callable:
    """Maps the workbench's errors to JSON answers with their status."""

    @functools.wraps(call)
    async def wrapper(request: Request) -> Any:
        try:
            return await call(request)
        except LabelError as exc:
            return _error(exc.message, exc.status)
        except training.WorkbenchError as exc:
            return _error(exc.message, exc.status, **exc.detail)

    return wrapper


@trainer
@_guarded
async def get_inbox(request: Request) -> JSONResponse:
    wb = _workbench(request)
    return JSONResponse({"items": await run_in_threadpool(service.inbox, wb)})


@trainer
@_guarded
async def post_inbox_item(request: Request) -> JSONResponse:
    wb = _workbench(request)
    item_id = request.path_params["item_id"]
    body = await _body(request)
    if body.get("discard") is True:
        return JSONResponse(await run_in_threadpool(service.discard, wb, item_id, _actor(request)))
    intent = body.get("intent")
    if not isinstance(intent, str) or not intent.strip():
        return _error('send {"intent": NAME} (optionally "text" to correct it) or {"discard": true}', 400)
    text = body.get("text")
    if text is not None and not isinstance(text, str):
        return _error('"text" must be a string', 400)
    result = await run_in_threadpool(
        service.label, wb, item_id, intent.strip(), text, bool(body.get("create_intent")), _actor(request)
    )
    return JSONResponse(result)


@staff
@_guarded
async def post_flag(request: Request) -> JSONResponse:
    wb = _workbench(request)
    body = await _body(request)
    conversation_id, text = body.get("conversation_id"), body.get("text")
    if not isinstance(conversation_id, str) or not conversation_id or not isinstance(text, str) or not text.strip():
        return _error('send {"conversation_id": ..., "text": the customer message}', 400)
    confidence = body.get("confidence")
    if confidence is not None and not isinstance(confidence, (int, float)):
        return _error('"confidence" must be a number', 400)
    item_id = await run_in_threadpool(
        functools.partial(
            capture.flag,
            conversation_id,
            text,
            flagged_by=_actor(request),
            channel=body.get("channel"),
            predicted_intent=body.get("predicted_intent"),
            confidence=confidence,
            note=body.get("note"),
            workbench=wb,
        )
    )
    wb.audit(_actor(request) or "", "nlu.flag", f"nlu_inbox:{item_id}", {"conversation_id": conversation_id})
    return JSONResponse({"id": item_id}, status_code=201)


@trainer
@_guarded
async def get_conversation(request: Request) -> JSONResponse:
    wb = _workbench(request)
    return JSONResponse(await run_in_threadpool(service.conversation, wb, request.path_params["cid"]))


@trainer
@_guarded
async def get_intents(request: Request) -> JSONResponse:
    return JSONResponse(await run_in_threadpool(service.intents_overview, _workbench(request)))


def _evaluation_view(wb: context.Workbench) -> Dict[str, Any]:
    candidate = training.latest_candidate(wb)
    live = service.live_evaluation(wb)
    view: Dict[str, Any] = {"live": None if live is None else {k: v for k, v in live.items() if k != "predictions"}}
    if candidate:
        compared = training.comparison(wb, candidate)
        view["candidate"] = {
            "job": candidate["id"],
            "status": candidate["status"],
            "error": candidate["error"],
            "evaluation": compared["candidate"],
            "stories": compared["stories"],
            "regressions": compared["regressions"],
        }
    else:
        view["candidate"] = None
    return view


@trainer
@_guarded
async def get_evaluation(request: Request) -> JSONResponse:
    return JSONResponse(await run_in_threadpool(_evaluation_view, _workbench(request)))


@trainer
@_guarded
async def post_evaluation(request: Request) -> JSONResponse:
    job = await run_in_threadpool(training.start_job, _workbench(request), "evaluate", _actor(request))
    return JSONResponse({"job": job}, status_code=202)


@trainer
@_guarded
async def get_train(request: Request) -> JSONResponse:
    wb = _workbench(request)
    jobs = await run_in_threadpool(wb.store.jobs, None, 10)
    running = await run_in_threadpool(training.running_job, wb)
    return JSONResponse({"running": running, "jobs": jobs})


@trainer
@_guarded
async def post_train(request: Request) -> JSONResponse:
    job = await run_in_threadpool(training.start_job, _workbench(request), "train", _actor(request))
    return JSONResponse({"job": job}, status_code=202)


@trainer
@_guarded
async def post_activate(request: Request) -> JSONResponse:
    wb = _workbench(request)
    body = await _body(request)
    job_id = body.get("job")
    if job_id is not None and not isinstance(job_id, int):
        return _error('"job" must be the number of a training job', 400)
    loader = getattr(request.app.state, "model_loader", None) or training.load_into_server
    result = await run_in_threadpool(
        functools.partial(
            training.activate, wb, job_id, force=body.get("force") is True, actor=_actor(request), loader=loader
        )
    )
    return JSONResponse(result)


@trainer
@_guarded
async def post_rollback(request: Request) -> JSONResponse:
    loader = getattr(request.app.state, "model_loader", None) or training.load_into_server
    result = await run_in_threadpool(
        functools.partial(training.rollback, _workbench(request), actor=_actor(request), loader=loader)
    )
    return JSONResponse(result)


ROUTES = [
    Route("/inbox", get_inbox, methods=["GET"]),
    Route("/inbox/{item_id:int}", post_inbox_item, methods=["POST"]),
    Route("/flags", post_flag, methods=["POST"]),
    Route("/conversations/{cid:path}", get_conversation, methods=["GET"]),
    Route("/intents", get_intents, methods=["GET"]),
    Route("/evaluation", get_evaluation, methods=["GET"]),
    Route("/evaluation", post_evaluation, methods=["POST"]),
    Route("/train", get_train, methods=["GET"]),
    Route("/train", post_train, methods=["POST"]),
    Route("/activate", post_activate, methods=["POST"]),
    Route("/rollback", post_rollback, methods=["POST"]),
]
