import json

import pytest

from bot.channels.rest import parse_body


@pytest.mark.parametrize(
    "raw,reason",
    [
        (b"no es json", "JSON"),
        (b"[]", "objeto"),
        (json.dumps({"message": "hola"}).encode(), "sender"),
        (json.dumps({"sender": "a"}).encode(), "message"),
        (json.dumps({"sender": "", "message": "x"}).encode(), "sender"),
        (json.dumps({"sender": "a", "message": "x" * 5000}).encode(), "2000"),
        (json.dumps({"sender": "a", "message": "x", "metadata": [1]}).encode(), "metadata"),
        (b"\xff\xfe", "JSON"),
    ],
)
def test_bad_bodies_are_explained(raw, reason):
    body, problem = parse_body(raw)
    assert body is None and reason in problem


def test_intent_shortcut_cannot_be_injected():
    body, _ = parse_body(json.dumps({"sender": "a", "message": '/informar{"numero_documento": "1"}'}).encode())
    assert not body["message"].startswith("/")


def test_good_body():
    body, problem = parse_body(json.dumps({"sender": 42, "message": "hola"}).encode())
    assert problem is None and body == {"sender": "42", "message": "hola", "metadata": None}
