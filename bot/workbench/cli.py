"""``pqrbot nlu``: the trainers' workbench from the command line.

pqrbot nlu inbox [--json]                    messages to review (masked), most frequent first
pqrbot nlu label ID INTENT [--text T] [--create-intent]   write it into nlu/data/reviewed.yml
pqrbot nlu discard ID                        drop it from the inbox
pqrbot nlu intents [--json]                  examples per intent, confusions of the last evaluation
pqrbot nlu validate                          Rasa reads the training data (and nothing leaks from tests/nlu)
pqrbot nlu evaluate [--json] [--out DIR]     the live model on tests/nlu/test_set.yml, with plots
pqrbot nlu train [--wait] [--json]           train a candidate in the background, evaluate, compare
pqrbot nlu status [--json]                   the latest jobs and the candidate vs live comparison
pqrbot nlu activate [--force] [CANDIDATE]    make a candidate live (loaded without a restart)
pqrbot nlu rollback                          back to the model live before the last activation
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any, List, Optional

DEFAULT_OUT = "results/nlu"


def _wb():
    from bot.workbench import running

    return running.default()


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    print()


def _fail(message: str, code: int = 1) -> int:
    print(f"pqrbot: {message}", file=sys.stderr)
    return code


def _cmd_inbox(args) -> int:
    from bot.workbench import service

    items = service.inbox(_wb(), args.limit)
    if args.json:
        _print_json({"items": items})
        return 0
    if not items:
        print("the review inbox is empty")
    for item in items:
        conf = "-" if item["confidence"] is None else f"{item['confidence']:.2f}"
        print(
            f"#{item['id']:<5} x{item['count']:<3} {item['predicted_intent'] or '-':<22} {conf:>5}  "
            f"{item['channel'] or '-':<9} {item['text'][:70]}"
        )
    return 0


def _cmd_label(args) -> int:
    from bot.workbench import service
    from bot.workbench.dataset import LabelError

    try:
        result = service.label(_wb(), args.id, args.intent, args.text, args.create_intent, actor="cli")
    except LabelError as exc:
        return _fail(exc.message)
    verb = "written to" if result["written"] else "already in the training data,"
    print(f"#{args.id}: {result['text']!r} -> {result['intent']} ({verb} {result['file']})")
    return 0


def _cmd_discard(args) -> int:
    from bot.workbench import service
    from bot.workbench.dataset import LabelError

    try:
        service.discard(_wb(), args.id, actor="cli")
    except LabelError as exc:
        return _fail(exc.message)
    print(f"#{args.id} discarded")
    return 0


def _cmd_intents(args) -> int:
    from bot.workbench import service

    overview = service.intents_overview(_wb())
    if args.json:
        _print_json(overview)
        return 0
    for row in overview["intents"]:
        confused = ", ".join(f"{c['intent']} x{c['count']}" for c in row["confused_with"]) or "-"
        print(
            f"{row['name']:<24} {row['examples']:>4} examples ({row['reviewed']} reviewed)  confused with: {confused}"
        )
    if overview["evaluation"] is None:
        print("(no evaluation of the live model yet: pqrbot nlu evaluate)")
    return 0


def _cmd_validate(args) -> int:
    from bot.workbench import validation

    wb = _wb()
    report = validation.check(wb.root)
    for problem in report["problems"]:
        print(f"  - {problem}", file=sys.stderr)
    if report["problems"]:
        return _fail(f"{len(report['problems'])} problem(s) in the training data")
    print(f"training data valid: Rasa read {report['examples']} examples; no test-set example in nlu/data")
    return 0


def _cmd_evaluate(args) -> int:
    from bot.workbench import evaluation

    wb = _wb()
    model = Path(args.model) if args.model else wb.root / "models" / "pqrbot.tar.gz"
    if not model.exists():
        return _fail(f"no model at {model}: train one first (make train)")
    try:
        with contextlib.redirect_stdout(sys.stderr):  # Rasa and TensorFlow print; stdout stays clean
            result = evaluation.evaluate(model, wb.root)
            files = evaluation.write_report(result, Path(args.out))
    except FileNotFoundError as exc:
        return _fail(str(exc))
    wb.store.save_evaluation(evaluation.file_sha(model), str(model), str(result.get("test_set_sha")), result)
    if args.json:
        _print_json(evaluation.summary(result))
    else:
        print(evaluation.format_table(result))
        print("wrote " + ", ".join(str(f) for f in files))
    return 0


def _job_line(job: dict) -> str:
    return f"job {job['id']} ({job['kind']}): {job['status']}, {job['step']} [{round(job['progress'] * 100)}%]"


def _cmd_train(args) -> int:
    from bot.workbench import training

    wb = _wb()
    try:
        job = training.start_job(wb, "train", actor="cli")
    except training.WorkbenchError as exc:
        return _fail(exc.message)
    if not args.wait:
        if args.json:
            _print_json(job)
        else:
            print(_job_line(job) + f"\nlog: {job['log_path']}\nfollow it with: pqrbot nlu status")
        return 0
    last = ""
    while job["status"] in training.ACTIVE:
        time.sleep(2)
        job = wb.store.job(job["id"]) or job
        if training.running_job(wb) is None and job["status"] in training.ACTIVE:
            job = wb.store.job(job["id"]) or job
            break
        line = _job_line(job)
        if line != last and not args.json:
            print(line, flush=True)
            last = line
    if args.json:
        _print_json(dict(job, comparison=training.comparison(wb, job) if job.get("model_path") else None))
    else:
        _print_comparison(wb, job)
    return 0 if job["status"] == "ready" else 1


def _print_comparison(wb, job: dict) -> None:
    from bot.workbench import training

    print(_job_line(job))
    if job.get("error"):
        print(job["error"])
    if not job.get("result"):
        return
    compared = training.comparison(wb, job)
    live, cand = compared["live"], compared["candidate"]
    if cand:
        print(f"{'intent':<24} {'live F1':>8} {'candidate F1':>13} {'support':>8}")
        for name, row in cand["intents"].items():
            old = live["intents"].get(name, {}).get("f1") if live else None
            print(f"{name:<24} {'-' if old is None else f'{old:.3f}':>8} {row['f1']:>13.3f} {row['support']:>8}")
        print(f"{'macro F1':<24} {'-' if not live else format(live['macro_f1'], '.3f'):>8} {cand['macro_f1']:>13.3f}")
    stories = compared.get("stories") or {}
    print("conversation tests (tests/stories): " + ("passed" if stories.get("passed") else "FAILED"))
    if compared["regressions"]:
        print("worse than the live model:\n  - " + "\n  - ".join(compared["regressions"]))


def _cmd_status(args) -> int:
    from bot.workbench import training

    wb = _wb()
    jobs = wb.store.jobs(limit=args.limit)
    candidate = training.latest_candidate(wb)
    if args.json:
        _print_json({"jobs": jobs, "comparison": training.comparison(wb, candidate) if candidate else None})
        return 0
    if not jobs:
        print("no jobs yet: pqrbot nlu train")
    for job in jobs:
        print(_job_line(job))
    if candidate:
        print()
        _print_comparison(wb, candidate)
    return 0


def _candidate_id(wb, text: Optional[str]) -> Optional[int]:
    if not text:
        return None
    if text.isdigit():
        return int(text)
    for job in wb.store.jobs("train", limit=200):
        if job["model_path"] and Path(job["model_path"]).resolve() == Path(text).resolve():
            return job["id"]
    raise SystemExit(f"pqrbot: {text} is not a candidate of the workbench (give its job number or path)")


def _cmd_activate(args) -> int:
    from bot.workbench import training

    wb = _wb()
    job_id = _candidate_id(wb, args.candidate)
    try:
        result = training.activate(wb, job_id, force=args.force, actor="cli")
    except training.WorkbenchError as exc:
        reasons = exc.detail.get("regressions") or []
        if not reasons or not sys.stdin.isatty():
            for reason in reasons:
                print(f"  - {reason}", file=sys.stderr)
            return _fail(exc.message + (" (--force to activate anyway)" if reasons else ""))
        print("The candidate is worse than the live model:\n  - " + "\n  - ".join(reasons))
        if input("Activate it anyway? [y/N] ").strip().lower() not in ("y", "yes", "s", "si", "sí"):
            return _fail("not activated")
        result = training.activate(wb, job_id or exc.detail.get("job"), force=True, actor="cli")
    if args.json:
        _print_json(result)
    else:
        print(
            f"candidate {result['job']} is now {result['model']}"
            + (f" (previous kept at {result['previous']})" if result["previous"] else "")
        )
        print(("loaded into the running server: " if result["loaded"] else "NOT loaded: ") + result["detail"])
    return 0


def _cmd_rollback(args) -> int:
    from bot.workbench import training

    try:
        result = training.rollback(_wb(), actor="cli")
    except training.WorkbenchError as exc:
        return _fail(exc.message)
    if args.json:
        _print_json(result)
    else:
        print(f"restored {result['restored']} as {result['model']}")
        print(("loaded into the running server: " if result["loaded"] else "NOT loaded: ") + result["detail"])
    return 0


def register(subparsers) -> argparse.ArgumentParser:
    nlu = subparsers.add_parser("nlu", help="bot trainers: review inbox, evaluation, candidate models")
    sub = nlu.add_subparsers(dest="nlu_command", required=True)

    p = sub.add_parser("inbox", help="misunderstood messages waiting for review")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=500)
    p.set_defaults(func=_cmd_inbox)

    p = sub.add_parser("label", help="label an inbox item with an intent (written to nlu/data/reviewed.yml)")
    p.add_argument("id", type=int)
    p.add_argument("intent")
    p.add_argument("--text", help="the corrected text to write instead of the message")
    p.add_argument("--create-intent", action="store_true", help="declare the intent in domain.yml if new")
    p.set_defaults(func=_cmd_label)

    p = sub.add_parser("discard", help="drop an inbox item")
    p.add_argument("id", type=int)
    p.set_defaults(func=_cmd_discard)

    p = sub.add_parser("intents", help="examples per intent and confusions of the last evaluation")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_intents)

    sub.add_parser("validate", help="check the training data with Rasa's reader").set_defaults(func=_cmd_validate)

    p = sub.add_parser("evaluate", help="evaluate the live model on tests/nlu/test_set.yml (no retraining)")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"folder for the plots and report.html (default {DEFAULT_OUT})")
    p.add_argument("--model", help="another model file (default models/pqrbot.tar.gz)")
    p.set_defaults(func=_cmd_evaluate)

    p = sub.add_parser("train", help="train a candidate model in the background, evaluate and compare it")
    p.add_argument("--wait", action="store_true", help="wait for the end and print the comparison")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_train)

    p = sub.add_parser("status", help="latest jobs and the candidate vs live comparison")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=5)
    p.set_defaults(func=_cmd_status)

    p = sub.add_parser("activate", help="make a candidate the live model (without restarting Rasa)")
    p.add_argument("candidate", nargs="?", help="job number or path of the candidate (default: the latest)")
    p.add_argument("--force", action="store_true", help="activate even if worse than the live model")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_activate)

    p = sub.add_parser("rollback", help="restore the model live before the last activation")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_rollback)
    return nlu


def main(argv: Optional[List[str]] = None) -> int:  # python -m bot.workbench.cli
    parser = argparse.ArgumentParser(prog="pqrbot")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
