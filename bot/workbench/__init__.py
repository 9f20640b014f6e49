"""The bot trainers' workbench: review what the assistant misunderstood, label it, evaluate, retrain.

- ``capture``: customer messages the assistant did not understand (fallback, low confidence, or
  flagged by an agent) land, masked, in a review inbox (``store``).
- ``dataset``: labelled examples are written to ``nlu/data/reviewed.yml`` (sorted, no duplicates).
- ``metrics`` / ``evaluation``: the current model on the held-out set ``tests/nlu/test_set.yml``.
- ``training``: candidate models trained in the background, compared with the live one,
  activated into the running Rasa server and rolled back.
- ``api`` (Starlette routes mounted by the console at ``/api/nlu``), ``cli`` (``pqrbot nlu``),
  ``static/`` (the review page served at ``/entrenamiento/``).

Nothing here imports Rasa at module level: the console process must not load it.
"""


def __getattr__(name: str):
    """``bot.workbench.ROUTES`` (what the console mounts) without importing Starlette eagerly:
    the Rasa process imports ``bot.workbench.capture`` and needs none of the web part."""
    if name == "ROUTES":
        from bot.workbench.api import ROUTES

        return ROUTES
    raise AttributeError(name)
