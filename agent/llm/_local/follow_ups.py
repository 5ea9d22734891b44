"""A follow-up changes something: the value its request names instead of the earlier one.

A request that continues the turn before ("what about Children of Dune?", "same for James by
Percival Everett") calls the earlier function again with a value changed. Decoded word by word, a
small model often copies the earlier call whole: "Dune" is a span of the new request too. So when
a follow-up's call comes out the same as the earlier call, the model scores the call with each
span of the new request in place of each span argument's value, against the call as it is
(`changed_value`). The likeliest changed call about as likely as the repeat (within `MARGIN` nats)
is the follow-up's call; a request that asks for the same call again ("and now?") finds none.

A follow-up's call of any function is checked both ways against the turn before (`restated_call`):
- A value from an earlier turn where its own message writes the new one: "How much is 120 GBP in
  EUR?" after "Convert 300 EUR to USD" gave `to_currency="USD"` (the model scored "EUR" 0.55 nats
  below it). A span argument whose value the new message does not write is scored with each span
  of the new message no argument took, and with the value the last turn's call gave that argument
  ("Find a hotel there" after the forecast for Porto: Porto, not the first turn's Lisbon), within
  `MARGIN`.
- A word of its own message where it refers to an earlier value: "great, place a hold on it" after
  "is Piranesi in at Eastside?" gave `title="place"`. The other span arguments are scored with
  each value of the last turn's calls, taken only when 1 nat likelier than the call as it is (a
  value the message names stays: "and Circe for 3 weeks" scored Piranesi 0.8 nats below Circe,
  "send it to dana@example.org too" scored pat@example.org level with it).
- A name of its own message in the wrong argument: "can I put a hold on it at Riverside?" after
  Circe gave the title "Riverside" beside the default pickup branch. The call with the name in an
  argument left unstated, and an earlier turn's value back in the span argument, is taken when the
  model finds it likelier (`referred_back`, and `placed_elsewhere` where the name was about to
  replace the earlier value).

Nothing here knows a tool or a language: the spans are the new request's words, the arguments are
those the grammar holds to spans, and the choice is the model's own probability of each call.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Collection, Sequence
from typing import Any

from core.schema import allows_null, stated_default

from .arguments import _value_key
from .choices import choices_of, named_lists
from .engine import Runner
from .names import joined_names
from .spans import _LEADING, _TRAILING, MAX_SPAN_WORDS, is_span

__all__ = ["MARGIN", "changed_call", "changed_value", "moved_name", "placed_elsewhere", "referred_back", "repeats", "restated_call", "unstated"]

MARGIN = 2.5
"""A changed call this many nats less likely than the repeated one is still the follow-up's call."""
RESTATED_WORDS = 3
"""A span of the follow-up's message put in place of an earlier turn's value has at most this many
words: every call to score costs time, and a follow-up names a new value briefly ("in EUR?")."""
REFERRED_LEAD = 1.0
"""An earlier turn's value replaces a word of the follow-up's own message only when this many nats
likelier: "send it to dana@example.org too" scored the earlier pat@example.org level with it."""
NAME_MARGIN = 6.0
"""A repeated call takes a name its follow-up writes when this many nats less likely or better:
"Queen" 4.5 and "Here Comes the Sun" 2.7 below the copy of the earlier value; the margin keeps a
name that is no value of that argument ("is it sunny there on Friday?" for a city) from it."""
MAX_OPTIONS = 64
_DEBUG = bool(os.environ.get("FINAGENT_DEBUG_VALUES"))


def repeats(arguments: dict[str, Any], earlier: dict[str, Any] | None) -> bool:
    """Whether a call's `arguments` are the `earlier` call's (values compared as the request's are)."""
    if not earlier or any(k not in earlier and v is not None for k, v in arguments.items()):
        return False  # an argument left out of both (null here) changes nothing
    return all(_value_key(arguments.get(k)) == _value_key(v) for k, v in earlier.items() if v is not None or k in arguments)


def changed_call(runner: Runner, at: tuple[int, Any], arguments: str, schema: dict[str, Any], request: str) -> str:
    """A follow-up's call whose `arguments` (JSON text) repeat the earlier call's: the same with the
    value its `request` names in place (`changed_value`), or with a name it writes that the call
    does not hold in place (the model's likeliest such change within `NAME_MARGIN` nats of the
    repeat: "and now some Queen" after "Play Take Five" scored Queen 4.5 nats below Take Five), or
    as it is. Scored from checkpoint `at`,
    where the arguments object starts; the context is left after the call's arguments."""
    runner.restore(at)
    args = json.loads(arguments)
    change = changed_value(runner, args, schema, request)
    if change is None and (names := joined_names(request)):  # a name it writes is the change, within NAME_MARGIN
        taken = {str(v).lower() for v in args.values() if isinstance(v, (str, int, float))}
        change = changed_value(runner, args, schema, "", margin=NAME_MARGIN, taken=taken, extra=names)
    return _written(runner, arguments, args, change)


def _written(runner: Runner, arguments: str, args: dict[str, Any], change: tuple[str, str] | None) -> str:
    """The call's arguments with `change` made (`arguments` as they are without one), fed to the context."""
    out = _text({**args, change[0]: change[1]}) if change else arguments
    runner.feed(runner.tokenize(out))
    return out


def unstated(arguments: dict[str, Any], schema: dict[str, Any], request: str) -> list[str]:
    """The span arguments of a call whose values the follow-up's own message (`request`) does not
    write: taken from earlier turns."""
    props = schema.get("properties") or {}
    said = request.lower()
    return [k for k, v in arguments.items() if isinstance(v, str) and v.strip() and is_span(props.get(k)) and v.lower() not in said]


def _named(prop: Any, schema: dict[str, Any], request: str) -> list[str]:
    """The choices of argument `prop` (an enum) that `request` names."""
    choices = choices_of(prop, schema)
    return named_lists(request, {"": choices}, inflected=False)[""] if choices and request else []


def restated_call(runner: Runner, at: tuple[int, Any], arguments: str, schema: dict[str, Any], request: str, keys: list[str],
                  recent: dict[str, Any] | None = None) -> str:
    """A follow-up's call, with one value changed or as it is (scored from checkpoint `at`; the
    context is left after the call's arguments):

    - an argument of `keys` (their values are earlier turns') takes a span of the follow-up's own
      `request` that no argument took, or the `recent` call's value of that argument, when that
      call is within `MARGIN` nats of the call as it is; else the name another argument took
      (`moved_name`); else a string argument (a span or not) whose value the message does not
      write takes the `recent` call's value of that argument outright: a follow-up continues the
      last turn ("is Dune available there?" after a check at Northside, then the hours at
      Westgate: Westgate);
    - else another span argument takes one of the `recent` calls' values, when that call is
      `REFERRED_LEAD` nats likelier than the call as it is ("place a hold on it": title
      "Piranesi", not "place"), unless the message writes its value as a name ("any free time on
      Friday afternoon?" keeps Friday, not the earlier call's "tomorrow")."""
    runner.restore(at)
    args = json.loads(arguments)
    taken = {str(v).lower() for v in args.values() if isinstance(v, (str, int, float))}
    change = changed_value(runner, args, schema, request, keys=keys, taken=taken, recent=recent, words=RESTATED_WORDS)
    if change is not None and (there := placed_elsewhere(runner, args, schema, change)) is not None:
        runner.feed(runner.tokenize(out := _text(there)))
        return out
    if change is None and keys and (moved := moved_name(runner, args, schema, request, keys, recent)) is not None:
        runner.feed(runner.tokenize(out := _text(moved)))
        return out
    if change is None and recent and (swapped := referred_back(runner, args, schema, request, recent)) is not None:
        runner.feed(runner.tokenize(out := _text(swapped)))
        return out
    if change is None and recent:  # an older turn's value gives way to the last turn's for the same argument
        said, props = request.lower(), schema.get("properties") or {}
        older = [k for k, v in args.items() if isinstance(v, str) and v.strip() and v.lower() not in said
                 and v != stated_default(props.get(k) or {}, schema)  # a default is no value taken from a turn
                 and isinstance(recent.get(k), str) and recent[k].strip() and recent[k].lower() not in taken]
        change = (older[0], recent[older[0]]) if older else None
    if change is None and recent:  # a name the message writes is its value, not a word for an earlier one
        here = [k for k in args if k not in keys and not (isinstance(args[k], str) and _a_name(args[k], request))]
        values = list(dict.fromkeys(v for v in recent.values() if isinstance(v, str) and v.strip()))
        change = changed_value(runner, args, schema, "", margin=-REFERRED_LEAD, keys=here, taken=taken, extra=values)
    return _written(runner, arguments, args, change)


def moved_name(runner: Runner, args: dict[str, Any], schema: dict[str, Any], request: str, keys: list[str],
               recent: dict[str, Any] | None) -> dict[str, Any] | None:
    """The call with the name its message writes moved from the argument that took it to one of
    `keys` (whose values are earlier turns'), the first taking back its earlier value (or null,
    when it had none and may be), when the model finds that call likelier than the call as it is:
    "What about to Miami instead?" after flights from Boston to Denver was decoded Miami to Denver;
    "what about Wonderwall?" after the lyrics of Hey Jude gave Wonderwall as the artist. None when
    no such call is likelier. The context must be where the arguments object starts; it is left so."""
    props = schema.get("properties") or {}
    options = []
    for a, value in args.items():
        if a in keys or not isinstance(value, str) or not _a_name(value, request):
            continue
        back = (recent or {}).get(a)
        if back is None and not allows_null(props.get(a) or {}, schema):
            continue
        for k in keys:
            prop = props.get(k)
            if isinstance(prop, dict) and is_span(prop) and re.compile(prop["pattern"]).fullmatch(value):
                options.append({**args, a: back, k: value})
    return _likelier_call(runner, args, options, "moved")


def referred_back(runner: Runner, args: dict[str, Any], schema: dict[str, Any], request: str,
                  recent: dict[str, Any]) -> dict[str, Any] | None:
    """The call with the name its message writes moved from the span argument that took it to an
    argument left unstated (null, or its default), the first taking an earlier turn's value its
    message does not write, when the model finds that call likelier than the call as it is: "can
    I put a hold on it at Riverside?" after "do you have Circe as an audiobook?" was decoded
    title="Riverside" with the default pickup branch. None when no such call is likelier. The
    context must be where the arguments object starts; it is left so."""
    props = schema.get("properties") or {}
    said = request.lower()
    earlier = list(dict.fromkeys(v for v in recent.values() if isinstance(v, str) and v.strip() and v.lower() not in said))
    options = []
    for a, value in args.items():
        prop = props.get(a)
        if not (isinstance(value, str) and isinstance(prop, dict) and is_span(prop) and _a_name(value, request)):
            continue
        back = [v for v in earlier if re.compile(prop["pattern"]).fullmatch(v)]
        options += [{**args, a: v, b: value} for b in _unstated_for(args, a, value, schema) for v in back]
    return _likelier_call(runner, args, options[:MAX_OPTIONS], "referred back")


def placed_elsewhere(runner: Runner, args: dict[str, Any], schema: dict[str, Any], change: tuple[str, str]) -> dict[str, Any] | None:
    """The call with the value `change` would put in place of an earlier turn's value written
    instead to an argument left unstated (null, or its default), the earlier value kept, when the
    model finds that call likelier than the change: "can I put a hold on it at Riverside?" after
    Circe was decoded with the title Circe, and Riverside, which the message writes, is the
    pickup branch rather than the title. None otherwise. The context must be where the arguments
    object starts; it is left so."""
    key, value = change
    options = [{**args, b: value} for b in _unstated_for(args, key, value, schema)] if isinstance(value, str) else []
    return _likelier_call(runner, {**args, key: value}, options, "elsewhere")


def _unstated_for(args: dict[str, Any], but: str, value: str, schema: dict[str, Any]) -> list[str]:
    """The arguments of the call but `but` left unstated (null, or at their default) whose own
    schema allows `value`."""
    props = schema.get("properties") or {}
    return [b for b, held in args.items() if b != but and (held is None or held == stated_default(props.get(b) or {}, schema))
            and _takes(props.get(b), value)]


def _likelier_call(runner: Runner, call: dict[str, Any], options: list[dict[str, Any]], what: str) -> dict[str, Any] | None:
    """The option the model scores highest, when strictly likelier than `call`; None otherwise
    (or without options). The context must be where the arguments object starts; it is left so."""
    if not options:
        return None
    scores = _call_scores(runner, [call, *options])
    best = max(range(len(options)), key=lambda i: scores[i + 1])
    if _DEBUG:
        print(f"[follow-up] as is {scores[0]:.2f}; {what} {[(o, round(s - scores[0], 2)) for o, s in zip(options, scores[1:])]}")
    return options[best] if scores[best + 1] > scores[0] else None


def _takes(prop: Any, value: str) -> bool:
    """Whether a string argument's own schema allows `value` (its pattern or enum, when it has one)."""
    if not isinstance(prop, dict):
        return False
    node = next((n for n in prop.get("anyOf") or [prop] if isinstance(n, dict) and n.get("type") == "string"), None)
    if node is None:
        return False
    if "pattern" in node:
        return re.fullmatch(node["pattern"], value) is not None
    if "enum" in node:
        return value in node["enum"]
    return len(value) <= node.get("maxLength", len(value))


def _text(arguments: dict[str, Any]) -> str:
    """A call's arguments as the backend writes them (compact JSON)."""
    return json.dumps(arguments, separators=(",", ":"), ensure_ascii=False)


def _call_scores(runner: Runner, calls: list[dict[str, Any]]) -> list[float]:
    """The model's score of each call's arguments written from where the context is; it is left there."""
    here = runner.checkpoint()
    try:
        return [score for score, _ in runner.score_options([_text(c) for c in calls])]
    finally:
        runner.restore(here)


def _a_name(value: str, request: str) -> bool:
    """Whether `request` writes `value` as a name: capitalised where a sentence does not start
    ("any free time on Friday afternoon?"; a script without case writes none)."""
    if not value[:1].isupper():
        return False
    for m in re.finditer(re.escape(value), request):
        before = request[:m.start()].rstrip()
        if before and before[-1] not in ".!?":
            return True
    return False


def changed_value(runner: Runner, arguments: dict[str, Any], schema: dict[str, Any], request: str,
                  margin: float = MARGIN, keys: list[str] | None = None, taken: Collection[str] = (),
                  recent: dict[str, Any] | None = None, extra: Sequence[str] = (), words: int = MAX_SPAN_WORDS) -> tuple[str, str] | None:
    """(argument, value): the span of `request` (the follow-up's own message), the `recent` value of
    that argument or one of `extra`, that the model finds likeliest in place of a span argument's
    value in the call `arguments`, or a choice the request names in place of an enum's ("what
    about tablespoons?"), of `keys` only, when given; never a value in `taken` (lower case), when
    that changed call is within `margin` nats of the call as it is; None otherwise. The context
    must be where the arguments object starts; it is left so."""
    props = schema.get("properties") or {}
    options: list[tuple[str, str]] = []
    for key, value in arguments.items():
        prop = props.get(key)
        if not isinstance(value, str) or not isinstance(prop, dict) or keys is not None and key not in keys:
            continue
        if not is_span(prop):  # a choice (an enum): another one the request names ("what about tablespoons?")
            options += [(key, c) for c in _named(prop, schema, request) if c != value and c.lower() not in taken]
            continue
        allowed = re.compile(prop["pattern"])
        same = [recent[key]] if recent and isinstance(recent.get(key), str) else []
        options += [(key, span) for span in dict.fromkeys([*same, *extra, *_spans(request, words)])
                    if span.lower() != value.lower() and span.lower() not in taken and allowed.fullmatch(span)]
    options = options[:MAX_OPTIONS]
    if not options:
        return None
    scores = _call_scores(runner, [arguments, *({**arguments, key: span} for key, span in options)])
    best = max(range(len(options)), key=lambda i: scores[i + 1])
    if _DEBUG:
        ranked = sorted(zip(scores[1:], options), reverse=True)[:5]
        print(f"[follow-up] repeat {scores[0]:.2f}; best changes {[(o, round(s - scores[0], 2)) for s, o in ranked]}")
    return options[best] if scores[best + 1] >= scores[0] - margin else None


def _spans(text: str, longest: int = MAX_SPAN_WORDS) -> list[str]:
    """Every run of 1..`longest` words of `text`, without the punctuation around its ends."""
    words = text.split()
    out: dict[str, None] = {}
    for i in range(len(words)):
        for n in range(1, longest + 1):
            if i + n > len(words):
                break
            run = words[i:i + n]
            span = " ".join([run[0].lstrip(_LEADING), *run[1:]]).rstrip(_TRAILING).strip()
            if span:
                out[span] = None
            if run[-1][-1:] in ".!?;,":
                break  # a span does not run over a sentence or a list mark
    return list(out)
