"""The held-out test set: large enough, every intent of the domain, never in the training data."""

from collections import Counter

from bot.config import PROJECT_ROOT
from bot.workbench import dataset
from bot.workbench.evaluation import load_test_set


def test_test_set_covers_every_intent_with_support():
    examples = load_test_set(PROJECT_ROOT)
    assert len(examples) >= 150
    support = Counter(intent for intent, _ in examples)
    assert set(support) == set(dataset.domain_intents(PROJECT_ROOT))
    assert min(support.values()) >= 8
    assert len({dataset.normal(t) for _, t in examples}) == len(examples)  # no repeated message


def test_no_test_message_is_a_training_example():
    assert dataset.leaks(PROJECT_ROOT) == []
