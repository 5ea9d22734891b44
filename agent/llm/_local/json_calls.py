"""The calls' arguments in the backend's own JSON list format: `[{"name":"N","arguments":{...}},...]`
after the full request, each arguments object decoded under its (grounded) schema's grammar.

A follow-up's call of a function called earlier inherits the arguments the new request does not
restate (`cleanup.inherit_arguments`); a decoded call whose string argument the request gives
several values for is followed by a call for the next value (`values.next_value`), and that
one by the next, up to `max_calls`; a call giving one value written once to two arguments is
decoded again both ways (`distinct.one_value_one_argument`); a decoded span argument gives way to
a span the model scores clearly likelier as a whole value (`span_pick`); a value the request writes
right after a word of an argument's name is that argument's, and numbered arguments take their
values in the order written (`cues`: "to USD" is `to_currency`; `number1`, `number2`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from core.types import LLMRequest, ToolCall

from .cleanup import drop_unsupported_optionals, fill_unused_number, inherit_arguments, trim_repeated_items
from .cues import amount_unit, cued_values, in_written_order, last_name_word
from .distinct import doubled, number_in_span, one_value_one_argument, one_word_one_argument, overlapping, without_number, without_value
from .follow_ups import changed_call, repeats, restated_call, unstated
from .pairing import paired_as_written
from .prompt import CALLS_OPEN, NEXT_CALL, name_text
from .quantities import percent_as_fraction
from .router import earlier_calls, last_request
from .span_pick import STARTS, Scored, likelier, unscored, whole_span_scores, with_decoded, with_values, without_spans
from .spans import NO_RULES, SpanRules, is_span, without_values
from .values import next_value

if TYPE_CHECKING:
    from ..llamacpp import LlamaCppChat
    from .engine import Generated, Runner

__all__ = ["json_calls", "object_or_none", "with_cued", "with_fixed"]


def json_calls(llm: LlamaCppChat, request: LLMRequest, plan: list[tuple[str, dict[str, Any]]], schemas: dict[str, dict[str, Any]],
               prompt: list[int], budget: int, temperature: float, request_text: str,
               on_text: Callable[[str], None], parts: dict[str, str] | None = None, rules: SpanRules = NO_RULES) -> tuple[list[ToolCall], str, int]:
    """Decode the planned calls (`plan` grows by the calls for other values); returns the calls,
    the finish reason and the tokens written. `parts`: per function, the part of a two-intent
    request it was asked in: its values are checked against, and split from, that part alone."""
    runner = llm._loaded.runner
    runner.prefill(prompt)
    earlier = {c.name: c for c in reversed(earlier_calls(request.messages))}  # a follow-up continues these
    recent = {k: v for c in earlier.values() for k, v in (object_or_none(c.arguments) or {}).items()}  # their values
    last = last_request(request.messages)[0]
    calls: list[ToolCall] = []
    finish = "tool_calls"
    start = len(prompt)
    i = 0
    chain: dict[int, tuple[str, list[Any]]] = {}  # a call added for another value: (argument, the values earlier calls took)

    def decode(schema: dict[str, Any]) -> Generated:  # an arguments object; a cancelled turn stops at the next token
        return llm._arguments(runner, schema, budget - (runner.n_tokens - start), temperature, check=lambda _text: on_text(""))

    while i < len(plan):
        name, fixed = plan[i]
        schema = with_fixed(without_values(schemas[name], fixed, request_text, rules) if i in chain else schemas[name], fixed)
        opener = (NEXT_CALL if i else CALLS_OPEN) + name_text(name) + '","arguments":'
        runner.feed(runner.tokenize((NEXT_CALL if i else CALLS_OPEN) + name_text(name) + '"'))
        runner.feed(runner.tokenize(',"arguments":'))
        args_start = runner.n_tokens
        text = (parts or {}).get(name, request_text)
        kin_schema, kin_text, kin = _with_kin(schema, text, calls if parts and name in parts else [])
        scored = whole_span_scores(runner, kin_schema, fixed, kin_text, STARTS + kin) if llm.pick_spans else None
        at_args = runner.checkpoint()
        open_schema = schema
        gen = decode(schema)
        first = object_or_none(gen.text) or {}
        if scored and gen.finish_reason != "length" and unscored(scored, first):  # a decoded value no likely start reached
            runner.restore(at_args)
            scored = with_decoded(runner, scored, first)
            runner.feed(runner.tokenize(gen.text))
        better = likelier(scored, first) if scored and gen.finish_reason != "length" else {}
        if better:  # a span clearly likelier whole than the one decoded
            runner.restore(at_args)
            schema = with_fixed(schema, better)
            gen = decode(schema)
        if gen.finish_reason == "length":  # cut short: keep the complete calls, or report the cut one
            if not calls:
                finish = "length"
                calls.append(ToolCall(f"call_{uuid.uuid4().hex[:12]}", name, gen.text))
            break
        raw = gen.text
        said = (parts or {}).get(name, last)
        raw = _one_word_one_argument(runner, at_args, args_start, decode, raw, open_schema, text, said, rules)
        raw = _number_apart(runner, at_args, args_start, decode, raw, open_schema, text, said)
        args = object_or_none(raw) or {}
        cues = cued_values(args, open_schema, said)
        named = {**in_written_order(args, said, cued=cues, order=list(open_schema.get("properties") or {})), **cues}
        cued = {k: v for k, v in named.items() if k not in fixed and k not in better}
        if cued:  # what the arguments' names say: "to USD" is to_currency's; number1, number2 as written
            raw = _decode_again(runner, at_args, decode, with_cued(schema, cued, text, rules), raw, scored, cued)
        arguments = fill_unused_number(trim_repeated_items(drop_unsupported_optionals(raw, schema, text, schemas[name]), text), schema, text)
        repeated = False
        if name in earlier and not fixed:
            before = object_or_none(earlier[name].arguments)
            arguments = inherit_arguments(arguments, before, last)
            if repeated := repeats(object_or_none(arguments) or {}, before):  # a follow-up changes something: the value it names
                raw = arguments = changed_call(runner, at_args, arguments, schema, said)
        if earlier and not (repeated or parts or fixed):
            stale = unstated(object_or_none(arguments) or {}, open_schema, said)
            raw = arguments = restated_call(runner, at_args, arguments, open_schema, said, stale, recent)  # its own message's value
        if name in earlier and not fixed:  # "and in ounces?": the amount stays in its unit
            arguments = _updated(arguments, amount_unit(object_or_none(arguments) or {}, object_or_none(earlier[name].arguments) or {},
                                                        said, request_text, open_schema))
        arguments = percent_as_fraction(arguments, schema, text, said)  # "5%" states the rate 0.05
        calls.append(ToolCall(f"call_{uuid.uuid4().hex[:12]}", name, arguments))
        runner.feed(runner.tokenize("}"))
        decoded = object_or_none(arguments) or {}  # the call as made: a value left out takes no word, one filled in does
        if llm.split_values and (not fixed or i in chain) and decoded and len(plan) < llm.max_calls:
            key, values = chain.get(i, ("", []))
            key, value = next_value(runner, opener, decoded, schemas[name], (parts or {}).get(name, last), exclude=values, only=key or None)
            if value is not None:
                plan.insert(i + 1, (name, {key: value}))
                chain = {k + 1 if k > i else k: v for k, v in chain.items()}
                chain[i + 1] = (key, [*values, *(v for v in decoded.values() if isinstance(v, (str, int, float))), value])
        i += 1
    return _paired(calls, chain, parts or {}, last), finish, runner.n_tokens - start


def _updated(arguments: str, changes: dict[str, Any]) -> str:
    """The arguments JSON with `changes` made; as it is when there are none."""
    return json.dumps({**(object_or_none(arguments) or {}), **changes}, separators=(",", ":"), ensure_ascii=False) if changes else arguments


def _paired(calls: list[ToolCall], chain: dict[int, tuple[str, list[Any]]], parts: dict[str, str], last: str) -> list[ToolCall]:
    """`calls` with each run made for several values (a call, then those `chain` added for its other
    values) taking them as the request pairs them (`pairing.paired_as_written`)."""
    out = list(calls)
    i = 0
    while i < len(out):
        j = i + 1
        while j < len(out) and j in chain and out[j].name == out[i].name:
            j += 1
        args = [object_or_none(c.arguments) for c in out[i:j]]
        if j - i > 1 and all(a is not None for a in args):
            paired = paired_as_written([a for a in args if a is not None], parts.get(out[i].name, last))
            out[i:j] = [ToolCall(c.id, c.name, json.dumps(p, separators=(",", ":"), ensure_ascii=False)) if p != a else c
                        for c, a, p in zip(out[i:j], args, paired)]
        i = j
    return out


def _with_kin(schema: dict[str, Any], text: str, calls: list[ToolCall]) -> tuple[dict[str, Any], str, int]:
    """(schema, text, how many values were added) to score a call's spans in: for a call asked in
    a part of the request, the values `calls` (this turn's earlier ones) gave an argument of the
    same kind, one whose name ends with the same word (`city`, `city`; `branch`, `pickup_branch`),
    are scored too, each beside the part's own likeliest starts. A part that states no value of
    its own ("Find a hotel in Athens ... | and tell me the weather there") then takes the earlier
    one, clearly likelier than its own words (`span_pick.likelier`)."""
    kin: dict[str, list[str]] = {}
    for key in schema.get("properties") or {}:
        kind = last_name_word(key)
        kin[key] = [v for c in calls for k, v in (object_or_none(c.arguments) or {}).items()
                    if isinstance(v, str) and kind and last_name_word(k) == kind]
    wider = with_values(schema, kin, text)
    props, before = wider.get("properties") or {}, schema.get("properties") or {}
    values = list(dict.fromkeys(v for key, vs in kin.items() if props.get(key) is not before.get(key) for v in vs))
    return (wider, "\n".join([text, *values]), len(values)) if values else (schema, text, 0)


def _one_word_one_argument(runner: Runner, at: tuple[int, Any], start: int, decode: Callable[[dict[str, Any]], Generated],
                           raw: str, schema: dict[str, Any], text: str, said: str, rules: SpanRules) -> str:
    """The call `raw` decoded again while it gives one value (or a word of two values) written once
    to two arguments (`distinct`, its spans made again under `rules`), at most `MAX_REDECODES`
    times; the context is left after it."""
    for _ in range(MAX_REDECODES):
        args = object_or_none(raw) or {}
        found = doubled(args, schema, text, said)
        pair = None if found else overlapping(args, schema, text, said)
        if not (found or pair):
            break
        runner.restore(at)
        again = one_value_one_argument(runner, lambda s: decode(s).text, found, schema, text, with_fixed, said, rules) if found else None
        if again is None:  # every other argument keeps its value, one of the two decodes again
            runner.restore(at)
            props = schema.get("properties") or {}
            two = pair or ((found[0], found[1]) if found and is_span(props.get(found[0])) and is_span(props.get(found[1])) else None)
            again = one_word_one_argument(runner, lambda s: decode(s).text, two, args, schema, text, with_fixed, said, rules) if two else None
        runner.truncate(start)
        runner.feed(runner.tokenize(again or raw))
        if again is None or again == raw:
            break
        raw = again
    return raw


MAX_REDECODES = 3


def _number_apart(runner: Runner, at: tuple[int, Any], start: int, decode: Callable[[dict[str, Any]], Generated],
                  raw: str, schema: dict[str, Any], text: str, said: str) -> str:
    """The call `raw` with each number argument whose value is written once, inside another
    argument's span (`distinct.number_in_span`), decoded again without that number while the
    other arguments keep their values; the context is left after it."""
    for _ in range(MAX_REDECODES):
        args = object_or_none(raw) or {}
        found = number_in_span(args, schema, text, said)
        if found is None or (narrowed := without_number(schema, *found)) is None:
            break
        schema = narrowed
        kept = {k: v for k, v in args.items() if k != found[0] and isinstance(v, (str, int, float)) and k in (schema.get("properties") or {})}
        runner.restore(at)
        again = decode(with_fixed(schema, kept))
        if again.finish_reason == "length" or object_or_none(again.text) is None:
            runner.truncate(start)
            runner.feed(runner.tokenize(raw))
            break
        raw = again.text
    return raw


def _decode_again(runner: Runner, at: tuple[int, Any], decode: Callable[[dict[str, Any]], Generated], schema: dict[str, Any],
                  raw: str, scored: Scored | None, taken: dict[str, Any]) -> str:
    """The call decoded again from checkpoint `at` under `schema` (values moved by a cue), its span
    arguments checked whole again without the spans the moved values took (`span_pick`: "Westgate"
    is the branch now, so the title is the likeliest other span, "Demon Copperhead", not "check");
    `raw`, fed again, when a decode is cut short."""
    runner.restore(at)
    moved = decode(schema)
    if moved.finish_reason != "length" and scored:
        better = likelier(without_spans(scored, taken.values()), object_or_none(moved.text) or {})
        if better:
            runner.restore(at)
            moved = decode(with_fixed(schema, better))
    if moved.finish_reason == "length":
        runner.restore(at)
        runner.feed(runner.tokenize(raw))
        return raw
    return moved.text


def object_or_none(arguments: str) -> dict[str, Any] | None:
    try:
        value = json.loads(arguments or "{}")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def with_cued(schema: dict[str, Any], cued: dict[str, Any], text: str, rules: SpanRules = NO_RULES) -> dict[str, Any]:
    """`schema` with each argument in `cued` written and held to its cued value, which no other
    argument can take."""
    for key, value in cued.items():
        for other in schema.get("properties") or {}:
            if other != key:
                schema = without_value(schema, other, value)
    required = [*(schema.get("required") or []), *(k for k in cued if k not in (schema.get("required") or []))]
    return {**with_fixed(without_values(schema, {k: v for k, v in cued.items() if isinstance(v, str)}, text, rules), cued), "required": required}


def with_fixed(schema: dict[str, Any], fixed: dict[str, Any]) -> dict[str, Any]:
    """`schema` with the arguments in `fixed` allowed only their given value (one call per entity)."""
    if not fixed:
        return schema
    props = dict(schema.get("properties") or {})
    for key, value in fixed.items():
        if key in props:
            about = (props[key] or {}).get("description") if isinstance(props[key], dict) else None
            kind = "string" if isinstance(value, str) else "boolean" if isinstance(value, bool) else "integer" if isinstance(value, int) else "number"
            props[key] = {"type": kind, "enum": [value], **({"description": about} if about else {})}
    return {**schema, "properties": props}
