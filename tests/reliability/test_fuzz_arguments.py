"""6. Fuzzing argument validation: any JSON from a model is either accepted (and then valid
against the strict schema) or rejected with a typed, readable error. Nothing else."""

import json

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent import load_defaults
from orchestrations import ReActLoop, registered_orchestrations
from tools import ToolArgumentsError, registered_tools

load_defaults()
TARGETS = {**{t.name: (t.validate, t.parameters) for t in registered_tools().values()},
           **{o.name: (o.validate, o.parameters_schema()) for o in [*registered_orchestrations().values(), ReActLoop]}}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30) | st.sampled_from(["AAPL", "jpm", "banking", "low", "1 year", "long-term", "Energy", ""]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def arguments_for(names):
    return st.dictionaries(st.sampled_from(names) | st.text(max_size=8), json_values, max_size=len(names) + 1)


@st.composite
def calls(draw):
    name = draw(st.sampled_from(sorted(TARGETS)))
    schema = TARGETS[name][1]
    raw = draw(arguments_for(list(schema["properties"])) | json_values)
    return name, raw


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls())
def test_validation_accepts_only_schema_valid_arguments(case):
    name, raw = case
    validate, schema = TARGETS[name]
    for form in (raw, json.dumps(raw)):
        try:
            params = validate(form)
        except ToolArgumentsError as e:
            assert str(e).startswith(f"{name}:") and len(str(e)) < 4000
            continue
        dumped = params.model_dump(mode="json")
        jsonschema.validate(dumped, schema)  # what we run with is what the schema allows
