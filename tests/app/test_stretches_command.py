"""`posture stretches`: the library as a table, one stretch in full, and JSON."""

from __future__ import annotations

import argparse
import dataclasses
import json

import pytest

from posture.app.cli import build_parser
from posture.app.commands.stretches import run
from posture.core.errors import UserError
from posture.core.stretches import Stretch
from posture.io.library import load_library
from tests.io.test_library import write


def cli(*argv: str) -> argparse.Namespace:
    """Parse `posture stretches ARGV` as the command line does."""
    return build_parser().parse_args(["stretches", *argv])


def test_cli_lists_a_table(capsys, library):
    args = cli()
    assert run(args) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["ID", "NAME", "WHERE", "HOLD/REPS", "TARGETS"]
    for sid in library.stretches:
        assert sid in out
    assert "hold 20-30 s, 3 times" in out and "10 times each side" in out
    assert "not medical advice" in out


def test_cli_shows_one_in_full(capsys):
    args = cli("pectoralis_stretch")
    assert run(args) == 0
    out = capsys.readouterr().out
    assert "Pectoralis stretch" in out and "1. Stand in a doorway" in out
    assert "hold 15-30 s, 3 times" in out and "not medical advice" in out


def test_cli_json_library(capsys, library, tmp_path):
    args = cli("--json")
    assert run(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert load_library(write(tmp_path, doc)) == library


def test_cli_json_one_stretch(capsys):
    args = cli("butterfly", "--json")
    assert run(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["id"] == "butterfly" and doc["checkable"] is True
    assert doc["hold_s"] == [2, 3] and doc["reps"] == [10, 15]
    assert set(doc) == {f.name for f in dataclasses.fields(Stretch)}


def test_cli_unknown_id_is_a_user_error():
    args = cli("yoga")
    with pytest.raises(UserError, match="valid ids"):
        run(args)
