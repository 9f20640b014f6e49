"""The review page in a real browser (Debian's chromium through Playwright), against the workbench
ROUTES mounted at /api/nlu in a small app with the console's session and CSRF contract."""

import os
import socket
import threading
import time

import pytest
import yaml

from bot.workbench import capture
from bot.workbench.evaluation import TEST_SET, file_sha
from tests.bot.workbench.conftest import build_app, user_event

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="chromium is not installed (make browser)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def site(wb):
    import uvicorn

    class Loader:
        def __call__(self, wb, model):
            return {"loaded": True, "detail": "Rasa answered 204"}

    app = build_app(wb, loader=Loader(), static=True, csrf=True)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the test server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _page(browser, site, role):
    context = browser.new_context()
    context.add_cookies([{"name": "test_role", "value": role, "url": site}])
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(site + "/entrenamiento/")
    return page


def _seed(wb):
    subsidio = capture.record_event(
        user_event(
            "oiga y lo del subsidio cc 1036654321",
            "nlu_fallback",
            0.45,
            ranking=[{"name": "nlu_fallback", "confidence": 0.45}, {"name": "fuera_de_alcance", "confidence": 0.31}],
        ),
        workbench=wb,
    )
    for sender in ("a", "b"):
        jajaja = capture.record_event(user_event("jajaja", "nlu_fallback", 1.0, sender=sender), workbench=wb)
    live = wb.root / "models" / "pqrbot.tar.gz"
    live.write_bytes(b"live")
    evaluation = {
        "macro_f1": 0.9,
        "accuracy": 0.92,
        "total": 175,
        "intents": {
            "saludo": {"precision": 1, "recall": 0.9, "f1": 0.95, "support": 13},
            "fuera_de_alcance": {"precision": 0.9, "recall": 0.64, "f1": 0.75, "support": 14},
        },
        "confusions": [{"intent": "fuera_de_alcance", "predicted": "reclamo_factura", "count": 4}],
    }
    wb.store.save_evaluation(file_sha(live), str(live), file_sha(wb.root / TEST_SET), evaluation)
    return subsidio, jajaja


def test_trainer_labels_and_discards_from_the_page(wb, site, browser, tmp_path):
    subsidio_id, jajaja_id = _seed(wb)
    page = _page(browser, site, "entrenador")
    rows = page.locator("#inbox tbody tr")
    rows.first.wait_for()
    assert rows.count() == 2
    assert "1036654321" not in page.content()
    jajaja = page.locator(f"#inbox tbody tr[data-id='{jajaja_id}']")
    assert jajaja.locator("td").nth(2).inner_text() == "2"  # grouped
    assert jajaja.locator("input[type=text]").input_value() == "jajaja"
    subsidio = page.locator(f"#inbox tbody tr[data-id='{subsidio_id}']")
    assert subsidio.locator("input[type=text]").input_value().startswith("oiga y lo del subsidio cc *")
    assert "fuera_de_alcance 0.31" in subsidio.inner_text()
    page.screenshot(path=str(tmp_path / "inbox.png"), full_page=True)
    subsidio.locator("input[type=text]").fill("oiga y lo del subsidio")
    subsidio.locator("input[list]").fill("fuera_de_alcance")
    subsidio.locator("button.label").click()
    page.wait_for_selector("#notice:has-text('Guardado')")
    assert rows.count() == 1
    reviewed = yaml.safe_load((wb.root / "nlu/data/reviewed.yml").read_text())
    assert reviewed["nlu"] == [{"intent": "fuera_de_alcance", "examples": "- oiga y lo del subsidio\n"}]
    page.locator("#inbox tbody tr button.discard").click()
    page.wait_for_selector("#inbox-empty", state="visible")

    page.click("nav button[data-tab=intents]")
    row = page.locator("#intents tbody tr[data-intent=fuera_de_alcance]")
    row.wait_for()
    assert "reclamo_factura (4)" in row.inner_text()
    page.screenshot(path=str(tmp_path / "intents.png"), full_page=True)


def test_models_tab_shows_live_vs_candidate_and_activates_after_confirmation(wb, site, browser, tmp_path):
    _seed(wb)
    candidate = wb.root / "models" / "candidate.tar.gz"
    candidate.write_bytes(b"candidate")
    job = wb.store.create_job("train", "t@example.com")
    worse = {
        "macro_f1": 0.85,
        "accuracy": 0.9,
        "total": 175,
        "intents": {
            "saludo": {"precision": 1, "recall": 0.8, "f1": 0.89, "support": 13},
            "fuera_de_alcance": {"precision": 0.9, "recall": 0.7, "f1": 0.8, "support": 14},
        },
    }
    wb.store.update_job(
        job,
        status="ready",
        step="candidato listo",
        progress=1.0,
        model_path=str(candidate),
        result={"candidate": worse, "stories": {"passed": True}},
    )
    page = _page(browser, site, "admin")
    page.click("nav button[data-tab=models]")
    page.wait_for_selector("#compare tbody tr")
    saludo = page.locator("#compare tbody tr", has_text="saludo")
    assert "0.95" in saludo.inner_text() and "0.89" in saludo.inner_text()
    assert page.locator("#regressions .worse").count() == 1
    page.screenshot(path=str(tmp_path / "models.png"), full_page=True)
    page.click("#btn-activate")  # refused as worse, confirmed in the dialog, then forced
    page.wait_for_selector("#notice:has-text('Candidato activo')")
    assert (wb.root / "models" / "pqrbot.tar.gz").read_bytes() == b"candidate"


def test_agent_sees_the_refusal(wb, site, browser):
    page = _page(browser, site, "agente")
    page.wait_for_selector("#notice:has-text('rol')")


def test_conversation_link_opens_the_masked_transcript(wb, site, browser, monkeypatch):
    import sys
    import types
    from datetime import datetime, timezone

    class Event:
        def __init__(self, kind, text):
            self.kind, self.text, self.intent, self.confidence = kind, text, None, None
            self.at = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)

    class FakeEventStore:
        def __init__(self, engine):
            pass

        def for_conversation(self, conversation_id, kinds=None):
            return [Event("user", "hola, mi correo es ana@gmail.com"), Event("bot", "¡Hola! ¿En qué te ayudo?")]

    monkeypatch.setitem(sys.modules, "bot.events.store", types.SimpleNamespace(EventStore=FakeEventStore))
    _seed(wb)
    page = _page(browser, site, "entrenador")
    page.locator("#inbox tbody tr a.conv").first.click()
    transcript = page.locator("tr.transcript")
    transcript.wait_for()
    assert "¡Hola! ¿En qué te ayudo?" in transcript.inner_text()
    assert "ana@gmail.com" not in transcript.inner_text() and "a***@***.com" in transcript.inner_text()
