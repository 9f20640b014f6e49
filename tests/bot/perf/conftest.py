"""The trained model, loaded once per test module that asks for it."""

from __future__ import annotations

import asyncio

import pytest


@pytest.fixture(scope="module")
def agent():
    from rasa.core.agent import load_agent

    from bot.model import MODEL_PATH

    if not MODEL_PATH.exists():
        pytest.skip("no trained model (make train)")
    return asyncio.run(load_agent(model_path=str(MODEL_PATH)))
