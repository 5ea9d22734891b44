"""The BFCL AST checker and type mapping of bench/bfcl.py, on hand-made cases (no model)."""

from __future__ import annotations

import json

from bench.bfcl import check, check_call, normalize, parse_free_text, to_json_schema, type_ok

AREA = {
    "name": "geometry.area",
    "parameters": {
        "type": "dict",
        "properties": {
            "base": {"type": "integer"},
            "height": {"type": "float"},
            "unit": {"type": "string", "enum": ["cm", "units"]},
            "point": {"type": "tuple", "items": {"type": "float"}},
            "options": {"type": "dict", "properties": {"exact": {"type": "boolean"}}},
        },
        "required": ["base", "height"],
    },
}
FUNCS = {"geometry.area": AREA}
TRUTH = {"geometry.area": {"base": [10], "height": [5.0], "unit": ["units", ""], "point": [[1.0, 2.0], ""],
                           "options": [{"exact": [True]}, ""]}}


def test_exact_call_passes_and_int_is_accepted_for_float():
    assert check_call(("geometry.area", {"base": 10, "height": 5}), TRUTH, FUNCS) is None


def test_wrong_name_fails():
    assert "wrong function" in check_call(("area", {"base": 10, "height": 5}), TRUTH, FUNCS)


def test_missing_required_and_unknown_parameters_fail():
    assert "missing required" in check_call(("geometry.area", {"base": 10}), TRUTH, FUNCS)
    assert "unknown" in check_call(("geometry.area", {"base": 10, "height": 5, "color": "red"}), TRUTH, FUNCS)


def test_types_are_checked():
    assert "wrong type" in check_call(("geometry.area", {"base": 10.5, "height": 5}), TRUTH, FUNCS)
    assert "wrong type" in check_call(("geometry.area", {"base": True, "height": 5}), TRUTH, FUNCS)
    assert "wrong type" in check_call(("geometry.area", {"base": 10, "height": "5"}), TRUTH, FUNCS)


def test_values_are_compared_after_normalisation_and_empty_means_optional():
    assert check_call(("geometry.area", {"base": 10, "height": 5, "unit": "Units"}), TRUTH, FUNCS) is None
    assert "not one of" in check_call(("geometry.area", {"base": 10, "height": 5, "unit": "cm"}), TRUTH, FUNCS)
    assert "not one of" in check_call(("geometry.area", {"base": 11, "height": 5}), TRUTH, FUNCS)
    assert normalize("New York, N.Y.") == "newyorkny" and normalize(["A-B"]) == ["ab"]


def test_tuples_are_lists_and_nested_dicts_are_checked():
    assert check_call(("geometry.area", {"base": 10, "height": 5, "point": [1, 2.0]}), TRUTH, FUNCS) is None
    assert check_call(("geometry.area", {"base": 10, "height": 5, "point": [2.0, 1.0]}), TRUTH, FUNCS) is not None
    assert check_call(("geometry.area", {"base": 10, "height": 5, "options": {"exact": True}}), TRUTH, FUNCS) is None
    assert check_call(("geometry.area", {"base": 10, "height": 5, "options": {"exact": False}}), TRUTH, FUNCS) is not None


def test_missing_non_optional_expected_parameter_fails():
    truth = {"geometry.area": {"base": [10], "height": [5.0], "unit": ["cm"]}}
    assert "missing parameter" in check_call(("geometry.area", {"base": 10, "height": 5}), truth, FUNCS)


def test_parallel_calls_match_in_any_order_and_count_must_agree():
    funcs = {"f": {"name": "f", "parameters": {"type": "dict", "properties": {"x": {"type": "integer"}}, "required": ["x"]}}}
    truth = [{"f": {"x": [1]}}, {"f": {"x": [2]}}]
    assert check([("f", {"x": 2}), ("f", {"x": 1})], truth, funcs)[0]
    assert not check([("f", {"x": 1}), ("f", {"x": 1})], truth, funcs)[0]
    assert not check([("f", {"x": 1})], truth, funcs)[0]


def test_irrelevance_passes_only_without_calls():
    assert check([], [], {}, irrelevance=True)[0]
    assert not check([("f", {})], [], {}, irrelevance=True)[0]


def test_type_mapping_to_json_schema():
    s = to_json_schema(AREA["parameters"], top=True)
    assert s["type"] == "object" and s["required"] == ["base", "height"] and s["additionalProperties"] is False
    props = s["properties"]
    assert props["height"]["type"] == "number" and props["point"] == {"type": "array", "items": {"type": "number"}}
    assert props["unit"]["enum"] == ["cm", "units"] and props["options"]["properties"]["exact"]["type"] == "boolean"
    assert to_json_schema({"type": "any"}) == {}
    assert type_ok(3, {"type": "float"}) and not type_ok("3", {"type": "float"})


def test_free_text_parsing_finds_the_json_calls():
    text = 'Sure! [{"name":"f","arguments":{"x":1}}] done'
    assert parse_free_text(text) == [("f", {"x": 1})]
    assert parse_free_text("no json here") == []


def test_category_files_given_by_path_are_loaded_with_their_answers(tmp_path):
    """A held-out category file (irrelevance, parallel) given by path: category from the name,
    ground truth from possible_answer/ beside it (none for irrelevance)."""
    from bench.bfcl import category_of, load

    parallel = tmp_path / "BFCL_v4_parallel.json"
    parallel.write_text(json.dumps({"id": "parallel_0", "question": [[{"role": "user", "content": "Areas of 10x5 and 4x2?"}]],
                                    "function": [AREA]}) + "\n")
    (tmp_path / "possible_answer").mkdir()
    truth = [{"geometry.area": {"base": [10], "height": [5.0]}}, {"geometry.area": {"base": [4], "height": [2.0]}}]
    (tmp_path / "possible_answer" / "BFCL_v4_parallel.json").write_text(json.dumps({"id": "parallel_0", "ground_truth": truth}) + "\n")
    irrelevance = tmp_path / "BFCL_v4_irrelevance.json"
    irrelevance.write_text(json.dumps({"id": "irrelevance_0", "question": [[{"role": "user", "content": "Capital of Peru?"}]],
                                       "function": [AREA]}) + "\n")
    assert category_of(str(parallel)) == "parallel" and category_of(str(irrelevance)) == "irrelevance"
    cases, answers = load("unused", "parallel", str(parallel))
    assert [c["id"] for c in cases] == ["parallel_0"] and answers == {"parallel_0": truth}
    calls = [("geometry.area", {"base": 4, "height": 2}), ("geometry.area", {"base": 10, "height": 5})]
    assert check(calls, answers["parallel_0"], FUNCS) == (True, "ok")
    assert not check(calls[:1], answers["parallel_0"], FUNCS)[0]
    cases, answers = load("unused", "irrelevance", str(irrelevance))
    assert answers == {} and check([], [], FUNCS, irrelevance=True)[0]
    assert not check(calls[:1], [], FUNCS, irrelevance=True)[0]


def test_the_mismatched_proxy_offers_each_question_another_cases_functions():
    from bench.bfcl import MISMATCH_OFFSET, mismatched

    cases = [{"id": f"c{i}", "question": [[{"role": "user", "content": f"q{i}"}]], "function": [{"name": f"f{i}"}]}
             for i in range(MISMATCH_OFFSET + 3)]
    out = mismatched(cases)
    assert [c["question"] for c in out] == [c["question"] for c in cases]
    assert all(c["function"][0]["name"] != f"f{i}" for i, c in enumerate(out))
    assert out[0]["function"] == cases[MISMATCH_OFFSET]["function"] and out[-1]["function"] == cases[MISMATCH_OFFSET - 1]["function"]
    assert mismatched(cases[:1]) == []  # one case has no other case's functions
