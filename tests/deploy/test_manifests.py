"""The Kubernetes manifests under deploy/k8s are valid for Kubernetes 1.30 (strict schemas vendored
in deploy/schemas, checked offline with jsonschema) and keep the operational promises: probes,
resource requests, autoscaling of existing deployments, secrets only by reference."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "deploy" / "schemas" / "kubernetes-v1.30.0-strict.json").read_text())
SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|DATABASE_URL|LOCK_STORE_URL|AUTH|SID", re.I)


def documents():
    docs = []
    for path in sorted((ROOT / "deploy" / "k8s").glob("*.yaml")):
        docs += [(path.name, d) for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def validator_for(doc):
    name = SCHEMA["x-kinds"].get(f"{doc.get('apiVersion')} {doc.get('kind')}")
    assert name, f"no vendored schema for {doc.get('apiVersion')} {doc.get('kind')}"
    return Draft202012Validator({"$defs": SCHEMA["$defs"], "$ref": f"#/$defs/{name}"})


def errors(doc):
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator_for(doc).iter_errors(doc)]


DOCS = documents()
DEPLOYMENTS = {d["metadata"]["name"]: d for _, d in DOCS if d["kind"] == "Deployment"}


@pytest.mark.parametrize("source,doc", DOCS, ids=[f"{s}:{d['kind']}/{d['metadata']['name']}" for s, d in DOCS])
def test_manifest_is_valid_kubernetes(source, doc):
    assert errors(doc) == []


def test_the_validator_rejects_a_broken_manifest():
    doc = copy.deepcopy(DEPLOYMENTS["pqrbot-rasa"])
    doc["spec"]["template"]["spec"]["containers"][0]["readinessprobe"] = {}  # misspelt field
    doc["spec"]["replicas"] = "two"
    found = errors(doc)
    assert any("readinessprobe" in e for e in found) and any("replicas" in e for e in found)


def test_every_tier_is_deployed():
    assert {"pqrbot-rasa", "pqrbot-actions", "pqrbot-ingress", "pqrbot-worker", "pqrbot-console"} <= set(DEPLOYMENTS)


@pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
def test_containers_have_probes_requests_and_secrets_by_reference(name):
    for c in DEPLOYMENTS[name]["spec"]["template"]["spec"]["containers"]:
        assert c.get("readinessProbe") and c.get("livenessProbe"), c["name"]
        assert c["resources"]["requests"].get("cpu") and c["resources"]["requests"].get("memory")
        for env in c.get("env", []):
            if SECRET_NAME.search(env["name"]):
                assert "value" not in env and env["valueFrom"].get("secretKeyRef"), env["name"]


def test_no_secret_values_anywhere():
    kinds = {d["kind"] for _, d in DOCS}
    assert "Secret" not in kinds, "secrets come from the environment (kubectl create secret ...), not the repo"
    config = next(d for _, d in DOCS if d["kind"] == "ConfigMap")
    assert not [k for k in config["data"] if SECRET_NAME.search(k)]


def test_autoscalers_and_services_point_at_real_deployments():
    for _, d in DOCS:
        if d["kind"] == "HorizontalPodAutoscaler":
            assert d["spec"]["scaleTargetRef"]["name"] in DEPLOYMENTS
            assert d["spec"]["minReplicas"] >= 2
        if d["kind"] == "Service":
            selected = [
                n
                for n, dep in DEPLOYMENTS.items()
                if d["spec"]["selector"].items() <= dep["spec"]["template"]["metadata"]["labels"].items()
            ]
            assert selected, d["metadata"]["name"]
    assert any(
        d["kind"] == "HorizontalPodAutoscaler" and d["spec"]["scaleTargetRef"]["name"] == "pqrbot-rasa" for _, d in DOCS
    )


def test_console_listens_on_5080():
    ports = DEPLOYMENTS["pqrbot-console"]["spec"]["template"]["spec"]["containers"][0]["ports"]
    assert ports[0]["containerPort"] == 5080
