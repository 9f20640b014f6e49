"""Evaluation of a trained model on the held-out test set, with plots and an HTML report.

``predict`` loads the model (Rasa, TensorFlow: only in the CLI and the background jobs) and
parses each test message without training; ``metrics.compute`` does the arithmetic; ``write_report``
draws ``confusion_matrix.png`` and ``confidence_histogram.png`` (matplotlib, Agg) and writes
``report.html`` and ``evaluation.json`` into the output folder.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import logging
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bot.workbench import dataset, metrics

TEST_SET = Path("tests/nlu/test_set.yml")


def file_sha(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_test_set(root: Path) -> List[Tuple[str, str]]:
    path = root / TEST_SET
    if not path.exists():
        raise FileNotFoundError(f"no test set at {path}")
    return dataset.read_examples(path)


def predict(model_path: Path, texts: Sequence[str]) -> List[Tuple[str, float]]:
    """(intent, confidence) of each text by the model, as the running assistant would parse it."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.getLogger("rasa").setLevel(logging.ERROR)
    from rasa.core.agent import Agent

    try:  # Rasa logs every parsed message at debug level through structlog
        import structlog

        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    except Exception:  # pragma: no cover - an older structlog: only noisier
        pass

    async def run() -> List[Tuple[str, float]]:
        agent = Agent.load(str(model_path))
        out = []
        for text in texts:
            parsed = await agent.parse_message(text)
            intent = parsed.get("intent") or {}
            out.append((intent.get("name") or "nlu_fallback", float(intent.get("confidence") or 0.0)))
        return out

    return asyncio.run(run())


def evaluate(model_path: Path, root: Path) -> Dict[str, Any]:
    """Metrics of the model on the test set, with each message's prediction."""
    examples = load_test_set(root)
    predictions = predict(model_path, [text for _, text in examples])
    return build_result(examples, predictions, model_path, root)


def build_result(
    examples: Sequence[Tuple[str, str]],
    predictions: Sequence[Tuple[str, float]],
    model_path: Optional[Path] = None,
    root: Optional[Path] = None,
) -> Dict[str, Any]:
    truth = [intent for intent, _ in examples]
    predicted = [p for p, _ in predictions]
    confidences = [c for _, c in predictions]
    result = metrics.compute(truth, predicted, confidences)
    result["predictions"] = [
        {"text": text, "intent": intent, "predicted": p, "confidence": round(c, 4)}
        for (intent, text), (p, c) in zip(examples, predictions, strict=False)
    ]
    if model_path is not None:
        result["model"] = str(model_path)
    if root is not None and (root / TEST_SET).exists():
        result["test_set"] = str(TEST_SET)
        result["test_set_sha"] = file_sha(root / TEST_SET)
    return result


def summary(result: Dict[str, Any]) -> Dict[str, Any]:
    """The public JSON shape: {"intents", "accuracy", "macro_f1"} (and a few extra keys)."""
    keys = ("intents", "accuracy", "macro_f1", "total", "confusions", "other_predictions", "model")
    return {k: result[k] for k in keys if k in result}


def format_table(result: Dict[str, Any]) -> str:
    lines = [f"{'intent':<24} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>7}"]
    for name, row in result["intents"].items():
        lines.append(f"{name:<24} {row['precision']:>9.3f} {row['recall']:>7.3f} {row['f1']:>6.3f} {row['support']:>7}")
    lines.append(f"{'accuracy':<24} {result['accuracy']:>32.3f} {result['total']:>7}")
    lines.append(f"{'macro F1':<24} {result['macro_f1']:>32.3f}")
    for name, count in (result.get("other_predictions") or {}).items():
        lines.append(f"(predicted {name} for {count} message(s))")
    return "\n".join(lines)


def _plots(result: Dict[str, Any], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    preds = result["predictions"]
    truth = [p["intent"] for p in preds]
    predicted = [p["predicted"] for p in preds]
    rows, cols, counts = metrics.confusion_matrix(truth, predicted)
    fig, ax = plt.subplots(figsize=(1.2 + 0.55 * len(cols), 1.2 + 0.5 * len(rows)))
    ax.imshow(counts, cmap="Blues", aspect="auto")
    ax.set_xticks(range(len(cols)))
    ax.set_xticklabels(cols, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(rows, fontsize=8)
    ax.set_xlabel("predicted intent")
    ax.set_ylabel("true intent")
    peak = max((max(r) for r in counts), default=0)
    for i, row in enumerate(counts):
        for j, value in enumerate(row):
            if value:
                ax.text(
                    j,
                    i,
                    str(value),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if value > peak / 2 else "black",
                )
    ax.set_title(f"Confusion matrix (accuracy {result['accuracy']:.3f}, macro F1 {result['macro_f1']:.3f})", fontsize=9)
    fig.tight_layout()
    fig.savefig(out / "confusion_matrix.png", dpi=110)
    plt.close(fig)

    ok = [p["confidence"] for p in preds if p["intent"] == p["predicted"]]
    bad = [p["confidence"] for p in preds if p["intent"] != p["predicted"]]
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    bins = [i / 20 for i in range(21)]
    ax.hist(
        [ok, bad],
        bins=bins,
        stacked=True,
        color=["#2e7d32", "#c62828"],
        label=[f"correct ({len(ok)})", f"wrong ({len(bad)})"],
    )
    ax.set_xlabel("confidence of the predicted intent")
    ax.set_ylabel("messages")
    ax.set_xlim(0, 1)
    ax.legend(loc="upper left")
    ax.set_title("Confidence histogram", fontsize=9)
    fig.tight_layout()
    fig.savefig(out / "confidence_histogram.png", dpi=110)
    plt.close(fig)


def _html(result: Dict[str, Any]) -> str:
    esc = html.escape
    rows = "".join(
        f"<tr><td>{esc(n)}</td><td>{r['precision']:.3f}</td><td>{r['recall']:.3f}</td><td>{r['f1']:.3f}</td>"
        f"<td>{r['support']}</td></tr>"
        for n, r in result["intents"].items()
    )
    errors = (
        "".join(
            f"<tr><td>{esc(p['text'])}</td><td>{esc(p['intent'])}</td><td>{esc(p['predicted'])}</td>"
            f"<td>{p['confidence']:.2f}</td></tr>"
            for p in result["predictions"]
            if p["intent"] != p["predicted"]
        )
        or "<tr><td colspan=4>none</td></tr>"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pqrbot NLU evaluation</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:70em}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:.25em .6em;text-align:left}}img{{max-width:100%}}</style></head>
<body><h1>NLU evaluation</h1>
<p>Model: <code>{esc(str(result.get("model", "")))}</code><br>
Test set: <code>{esc(str(result.get("test_set", "")))}</code>
({result["total"]} messages)</p>
<p><strong>Accuracy {result["accuracy"]:.3f}</strong> &middot; <strong>macro F1 {result["macro_f1"]:.3f}</strong></p>
<table><thead><tr><th>intent</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr></thead>
<tbody>{rows}</tbody></table>
<h2>Confusion matrix</h2><img src="confusion_matrix.png" alt="confusion matrix">
<h2>Confidence</h2><img src="confidence_histogram.png" alt="confidence histogram">
<h2>Misclassified messages</h2>
<table><thead><tr><th>message</th><th>true</th><th>predicted</th><th>confidence</th></tr></thead>
<tbody>{errors}</tbody></table></body></html>
"""


def write_report(result: Dict[str, Any], out: Path) -> List[Path]:
    out.mkdir(parents=True, exist_ok=True)
    _plots(result, out)
    (out / "report.html").write_text(_html(result), encoding="utf-8")
    (out / "evaluation.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return [out / n for n in ("confusion_matrix.png", "confidence_histogram.png", "report.html", "evaluation.json")]
