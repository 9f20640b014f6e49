"""Two of Rasa 3.6's per-message costs that do not depend on the message, removed (issue 13).

1. ``Event.resolve_by_type`` walks every subclass of ``Event`` (``all_subclasses``, recursive,
   with an ``inspect.isabstract`` check each) for *each* event built from a dict: every event
   an action returns and every stored row the tracker store reads. ``resolve_event_type`` answers
   from a table built from that same walk, in the same order (first match wins, as there), and
   walks again when a name is not in the table (a subclass imported later); an unknown name
   then behaves exactly as before.

2. ``DaskGraphRunner.run`` recomputes the minimal schema of the targets (a recursive walk of the
   graph) and hands a fresh dask graph to ``dask.get`` on each of the 3-4 graph runs of a message
   (NLU, then each action prediction). ``sequential_run`` computes, once per set of
   targets, the order of the nodes the targets need (depth first, dependencies before their
   dependants: the order ``dask.get`` runs them single-threaded) and then calls the same
   ``GraphNode`` objects with the same arguments: each parent's ``(name, output)``, an input's
   ``(name, value)``, and the bare name of something nobody provided (``GraphNode`` warns).
   Errors: the node's own exception, ``RuntimeError`` turned into ``GraphRunError`` as there.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

_event_types: Dict[Text, Any] = {}


def _event_table() -> Dict[Text, Any]:
    import rasa.shared.utils.common
    from rasa.shared.core.events import Event

    table: Dict[Text, Any] = {}
    for cls in rasa.shared.utils.common.all_subclasses(Event):
        table.setdefault(cls.type_name, cls)
    return table


def resolve_event_type(type_name: Text, default: Optional[Any] = None) -> Optional[Any]:
    """``Event.resolve_by_type`` from a table (see the module doc)."""
    global _event_types
    cls = _event_types.get(type_name)
    if cls is None:
        _event_types = _event_table()  # a subclass imported since, or an unknown name
        cls = _event_types.get(type_name)
    if cls is not None:
        return cls
    if type_name == "topic":
        return None  # as Rasa: backwards compatibility with old TopicSet events
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


def _plan(runner: Any, targets: Tuple[Text, ...]) -> List[Tuple[Text, List[Text]]]:
    """The nodes ``targets`` need, each after its dependencies, with the names of its inputs."""
    plans = runner.__dict__.setdefault("_pqrbot_plans", {})
    plan = plans.get(targets)
    if plan is not None:
        return plan
    nodes = runner._graph_schema.nodes
    plan, seen = [], set()

    def visit(name: Text) -> None:
        if name in seen or name not in nodes:
            return
        seen.add(name)
        needs = list(nodes[name].needs.values())
        for dependency in needs:
            visit(dependency)
        plan.append((name, needs))

    for target in targets:
        visit(target)
    plans[targets] = plan
    return plan


def sequential_run(self: Any, inputs: Optional[Dict[Text, Any]] = None, targets: Optional[List[Text]] = None):
    """``DaskGraphRunner.run`` without dask (see the module doc)."""
    from rasa.engine.exceptions import GraphRunError

    run_targets = targets if targets else self._graph_schema.target_names
    plan = _plan(self, tuple(run_targets))
    results: Dict[Text, Any] = {}
    if inputs:
        self._add_inputs_to_graph(inputs, {name: None for name, _ in plan})  # Rasa's name clash check
        for name, value in inputs.items():
            results[name] = (name, value)
    try:
        for name, needs in plan:
            results[name] = self._instantiated_nodes[name](*[results.get(d, d) for d in needs])
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e
    return dict(results[t] for t in run_targets)


def apply() -> None:
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.events import Event

    Event.resolve_by_type = staticmethod(resolve_event_type)  # type: ignore[method-assign,assignment]
    DaskGraphRunner.run = sequential_run  # type: ignore[method-assign]
