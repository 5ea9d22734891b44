"""The resumable output file: whole lines, ids already there, a half-written tail cut, one writer."""

from __future__ import annotations

import json

import pytest

from agent.batch import OutputFileError, ResultLog
from agent.batch._items import id_key


def test_each_record_is_one_whole_line_on_disk_as_soon_as_it_is_written(tmp_path):
    path = tmp_path / "out.jsonl"
    with ResultLog(path) as log:
        log.write({"id": "a", "answer": "é 1"})
        assert path.read_text(encoding="utf-8") == json.dumps({"id": "a", "answer": "é 1"}, ensure_ascii=False) + "\n"
        log.write({"id": 2, "error": "boom"})
        assert len(path.read_bytes().splitlines()) == 2


def test_reopening_knows_the_ids_done_and_appends(tmp_path):
    path = tmp_path / "out.jsonl"
    with ResultLog(path) as log:
        log.write({"id": "a", "error": None})
        log.write({"id": 2, "error": "failed"})
    with ResultLog(path) as log:
        assert log.done == {id_key("a"), id_key(2)} and log.errors_before == 1 and not log.truncated
        log.write({"id": "c", "error": None})
    assert [json.loads(x)["id"] for x in path.read_text().splitlines()] == ["a", 2, "c"]


def test_a_half_written_last_line_is_cut_off_and_its_item_is_not_done(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text('{"id": "a", "error": null}\n{"id": "b", "answ')
    with ResultLog(path) as log:
        assert log.truncated and log.done == {id_key("a")}
        log.write({"id": "b", "error": None})
    assert path.read_text() == '{"id": "a", "error": null}\n{"id": "b", "error": null}\n'


def test_a_file_that_is_not_batch_output_is_refused_untouched(tmp_path):
    path = tmp_path / "notes.jsonl"
    path.write_text('{"id": "a"}\nsome notes\n')
    with pytest.raises(OutputFileError, match="line 2 is not JSON"):
        ResultLog(path)
    path.write_text('{"name": "a"}\n')
    with pytest.raises(OutputFileError, match="line 1 has no id"):
        ResultLog(path)
    assert path.read_text() == '{"name": "a"}\n'


def test_two_runs_cannot_write_the_same_file(tmp_path):
    path = tmp_path / "out.jsonl"
    with ResultLog(path):
        with pytest.raises(OutputFileError, match="another batch run"):
            ResultLog(path)
    ResultLog(path).close()  # free again once the first is closed


def test_retry_errors_removes_error_lines_so_their_items_run_again(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text('{"id": "a", "error": null}\n{"id": "b", "error": "timeout"}\n{"id": "c", "error": null}\n')
    with ResultLog(path) as log:  # by default an error line is done
        assert log.done == {id_key("a"), id_key("b"), id_key("c")}
    with ResultLog(path, retry_errors=True) as log:
        assert log.done == {id_key("a"), id_key("c")} and log.errors_before == 1
        assert path.read_text() == '{"id": "a", "error": null}\n{"id": "c", "error": null}\n'
        with pytest.raises(OutputFileError, match="another batch run"):
            ResultLog(path)  # the rewritten file is held too
        log.write({"id": "b", "error": None})
    assert [json.loads(x)["id"] for x in path.read_text().splitlines()] == ["a", "c", "b"]
    assert not (tmp_path / "out.jsonl.tmp").exists()
