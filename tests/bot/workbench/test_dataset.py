"""Labelled examples go to nlu/data/reviewed.yml: valid Rasa YAML, sorted, never duplicated."""

from pathlib import Path

import pytest
import yaml

from bot.workbench import dataset
from bot.workbench.dataset import LabelError


def test_labelled_example_is_plain_rasa_yaml_that_rasa_reads(project: Path):
    from rasa.shared.nlu.training_data.loading import load_data

    dataset.add_example(project, "oigan y el recibo pa cuando", "fuera_de_alcance")
    dataset.add_example(project, "me llego el doble en la factura", "reclamo_factura")
    path = project / "nlu" / "data" / "reviewed.yml"
    data = yaml.safe_load(path.read_text())
    assert data["version"] == "3.1"
    loaded = load_data(str(path))
    pairs = sorted((m.get("intent"), m.get("text")) for m in loaded.intent_examples)
    assert pairs == [
        ("fuera_de_alcance", "oigan y el recibo pa cuando"),
        ("reclamo_factura", "me llego el doble en la factura"),
    ]
    report = dataset.validate_with_rasa(project)
    assert report["ok"], report["problems"]


def test_file_is_sorted_and_stable_one_example_per_line(project: Path):
    for text, intent in [
        ("zeta zeta no se", "fuera_de_alcance"),
        ("bueno y eso que", "fuera_de_alcance"),
        ("me cobraron de mas el gas", "reclamo_factura"),
    ]:
        dataset.add_example(project, text, intent)
    path = project / "nlu" / "data" / "reviewed.yml"
    first = path.read_text()
    assert first.index("intent: fuera_de_alcance") < first.index("intent: reclamo_factura")
    assert first.index("- bueno y eso que") < first.index("- zeta zeta no se")
    dataset.add_example(project, "Bueno y  eso QUE", "fuera_de_alcance")  # the same example again
    assert path.read_text() == first


def test_no_duplicate_of_an_existing_training_example(project: Path):
    existing = dataset.training_examples(project)
    intent, text = next((i, t) for i, t in existing if i == "saludo")
    result = dataset.add_example(project, text.upper(), intent)
    assert result.written is False
    assert not (project / "nlu" / "data" / "reviewed.yml").exists()
    with pytest.raises(LabelError) as err:
        dataset.add_example(project, text, "despedida")
    assert err.value.status == 409 and "saludo" in err.value.message


def test_test_set_examples_stay_out_of_training(project: Path):
    intent, text = dataset.test_examples(project)[0]
    with pytest.raises(LabelError) as err:
        dataset.add_example(project, text, intent)
    assert err.value.status == 409 and "test set" in err.value.message


def test_unknown_intent_needs_to_be_created_and_is_declared_in_the_domain(project: Path):
    with pytest.raises(LabelError):
        dataset.add_example(project, "quiero saber de la reconexion", "consultar_reconexion")
    before = (project / "domain.yml").read_text()
    result = dataset.add_example(project, "quiero saber de la reconexion", "consultar_reconexion", create_intent=True)
    assert result.new_intent
    assert "consultar_reconexion" in dataset.domain_intents(project)
    after = (project / "domain.yml").read_text()
    assert after.replace("  - consultar_reconexion\n", "", 1) == before  # a one-line change
    from rasa.shared.core.domain import Domain

    assert "consultar_reconexion" in Domain.load(str(project / "domain.yml")).intents


@pytest.mark.parametrize(
    "text,intent", [("", "saludo"), ("hola", "No Valid"), ("[juan](PER) hola", "saludo"), ("algo raro", "nlu_fallback")]
)
def test_bad_labels_are_refused_with_a_reason(project: Path, text, intent):
    with pytest.raises(LabelError) as err:
        dataset.add_example(project, text, intent)
    assert err.value.message


def test_repository_training_data_is_valid_and_has_no_test_set_example():
    from bot.config import PROJECT_ROOT

    assert dataset.leaks(PROJECT_ROOT) == []


def test_background_validation_after_a_label_reports_through_the_intents(wb, audit_log):
    import time

    from bot.workbench import capture, service, validation
    from tests.bot.workbench.conftest import user_event

    wb.validate_after_label = True
    item = capture.record_event(user_event("oigan y lo del subsidio", "nlu_fallback", 0.45), workbench=wb)
    service.label(wb, item, "fuera_de_alcance")
    deadline = time.monotonic() + 120
    while validation.last(wb.root, wb.work_dir) is None and time.monotonic() < deadline:
        time.sleep(0.5)
    report = service.intents_overview(wb)["validation"]
    assert report is not None, "the background validation wrote nothing"
    assert report["ok"] is True and report["stale"] is False and report["examples"] > 600
    dataset.add_example(wb.root, "y lo de la reconexion", "fuera_de_alcance")
    assert service.intents_overview(wb)["validation"]["stale"] is True  # changed since it was checked


def test_validation_reports_what_rasa_cannot_read(project: Path):
    from bot.workbench import validation

    (project / "nlu" / "data" / "reviewed.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: inventado\n  examples: |\n    - algo\n'
    )
    report = validation.check(project)
    assert report["ok"] is False and any("inventado" in p for p in report["problems"])
