"""``pqrbot users``: accounts are created with the password on stdin, listed and disabled."""

from __future__ import annotations

import io
import json

import pytest

from bot import bootstrap, cli
from bot.config import load_settings


@pytest.fixture
def env(tmp_path, monkeypatch):
    bootstrap.reset()
    bootstrap.override(settings_=load_settings({"PQRBOT_DATA_DIR": str(tmp_path)}))
    yield
    bootstrap.reset()


def run(monkeypatch, capsys, argv, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_add_list_disable(env, monkeypatch, capsys):
    code, out, _ = run(
        monkeypatch,
        capsys,
        ["users", "add", "Ana@EPM.test", "--name", "Ana Ruiz", "--role", "agente", "--password-stdin"],
        "una-clave-larga\n",
    )
    assert code == 0 and "ana@epm.test" in out
    code, out, _ = run(monkeypatch, capsys, ["users", "list", "--json"])
    [row] = json.loads(out)
    assert row["email"] == "ana@epm.test" and row["role"] == "agente" and row["active"] is True
    assert "password" not in json.dumps(row)
    code, _, err = run(
        monkeypatch,
        capsys,
        ["users", "add", "ana@epm.test", "--name", "Otra", "--role", "admin", "--password-stdin"],
        "otra-clave-larga\n",
    )
    assert code == 2 and "already exists" in err
    code, _, err = run(
        monkeypatch,
        capsys,
        ["users", "add", "b@epm.test", "--name", "B", "--role", "agente", "--password-stdin"],
        "corta\n",
    )
    assert code == 2 and "at least 8" in err
    assert run(monkeypatch, capsys, ["users", "disable", "ana@epm.test"])[0] == 0
    assert json.loads(run(monkeypatch, capsys, ["users", "list", "--json"])[1])[0]["active"] is False
    assert run(monkeypatch, capsys, ["users", "disable", "nadie@epm.test"])[0] == 1


def test_unknown_role_is_refused(env, monkeypatch, capsys):
    with pytest.raises(SystemExit):
        argv = ["users", "add", "a@epm.test", "--name", "A", "--role", "jefe", "--password-stdin"]
        run(monkeypatch, capsys, argv, "x" * 12)
