"""Write ``kubernetes-<version>-strict.json``: the Kubernetes JSON schemas of the kinds pqrbot's
manifests use, self-contained (only the definitions they reference), for the offline validation in
``tests/deploy/test_manifests.py``.

Source: the ``kubernetes-validate`` wheel on PyPI, which ships the strict JSON schemas generated
from Kubernetes' OpenAPI (``kubernetes-json-schema/<version>-local-strict/_definitions.json``)::

    pip download --no-deps kubernetes-validate==1.37.0 -d /tmp/kv
    python deploy/schemas/vendor.py /tmp/kv/kubernetes_validate-1.37.0-py3-none-any.whl v1.30.0

(the package itself is not installed: it needs a newer jsonschema than Rasa 3.6 allows).
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

KINDS = {  # (apiVersion, kind) -> definition
    ("apps/v1", "Deployment"): "io.k8s.api.apps.v1.Deployment",
    ("v1", "Service"): "io.k8s.api.core.v1.Service",
    ("v1", "ConfigMap"): "io.k8s.api.core.v1.ConfigMap",
    ("autoscaling/v2", "HorizontalPodAutoscaler"): "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler",
    ("policy/v1", "PodDisruptionBudget"): "io.k8s.api.policy.v1.PodDisruptionBudget",
}
PREFIX = "#/$defs/"  # references inside _definitions.json


def main(wheel: str, version: str) -> None:
    with zipfile.ZipFile(wheel) as zf:
        defs = json.loads(
            zf.read(f"kubernetes_validate/kubernetes-json-schema/{version}-local-strict/_definitions.json")
        )
    all_defs = defs["$defs"]
    keep, todo = {}, list(KINDS.values())
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        text = json.dumps(all_defs[name])
        keep[name] = json.loads(text)
        start = 0
        while (i := text.find(PREFIX, start)) != -1:
            end = text.find('"', i)
            todo.append(text[i + len(PREFIX) : end])
            start = end
    out = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "description": f"Kubernetes {version} strict schemas (subset) from the kubernetes-validate wheel",
        "x-kinds": {f"{api} {kind}": name for (api, kind), name in KINDS.items()},
        "$defs": dict(sorted(keep.items())),
    }
    path = Path(__file__).with_name(f"kubernetes-{version}-strict.json")
    path.write_text(json.dumps(out, indent=1, sort_keys=False) + "\n")
    print(f"{path}: {len(keep)} definitions, {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "v1.30.0")
