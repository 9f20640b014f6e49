"""The shape of the tree, as the house plan states it: imports point inwards, no cycles.

Read from the source with ``ast`` (nothing is imported), so a violation names the file and
the import that breaks the rule.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Set

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "actions", "crm_adapter", "nlu", "textkit", "core")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> Dict[str, Path]:
    found: Dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")) if (ROOT / package).is_dir() else []:
            found[_module_name(path)] = path
    return found


def _imports(path: Path, module: str, known: Set[str]) -> Set[str]:
    """Project modules that ``module`` imports, anywhere in it (in functions too)."""
    names: Set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from pkg import submodule` imports the submodule; `from pkg import name`, the package
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                names.add(submodule if submodule in known else node.module)
    resolved: Set[str] = set()
    for name in names:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name != module:
            resolved.add(name)
    return resolved


def _graph() -> Dict[str, Set[str]]:
    modules = _modules()
    known = set(modules)
    return {m: _imports(p, m, known) for m, p in modules.items()}


def _cycle(graph: Dict[str, Set[str]]) -> List[str]:
    state: Dict[str, int] = {}
    stack: List[str] = []

    def visit(node: str) -> List[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []


def _package_of(module: str) -> str:
    return module.split(".")[0]


def test_no_import_cycle_between_modules():
    # Imports inside functions (and under TYPE_CHECKING) count: a lazy import back is still a cycle.
    assert _cycle(_graph()) == []


def test_the_crm_adapter_never_imports_the_runtime_or_the_actions():
    offenders = {
        f"{module} -> {target}"
        for module, targets in _graph().items()
        if _package_of(module) == "crm_adapter"
        for target in targets
        if _package_of(target) in {"bot", "actions", "nlu"}
    }
    assert offenders == set()


def test_production_code_never_imports_the_in_memory_twin():
    offenders = {module for module, targets in _graph().items() if "crm_adapter.memory" in targets}
    assert offenders == set()


def test_the_text_tools_depend_on_nothing_of_the_project():
    offenders = {
        f"{module} -> {target}"
        for module, targets in _graph().items()
        if _package_of(module) == "textkit"
        for target in targets
        if _package_of(target) != "textkit"
    }
    assert offenders == set()


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []


def test_the_core_tools_depend_on_nothing_of_the_project():
    offenders = {
        f"{module} -> {target}"
        for module, targets in _graph().items()
        if _package_of(module) == "core"
        for target in targets
        if _package_of(target) != "core"
    }
    assert offenders == set()
