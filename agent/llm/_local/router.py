"""Routing evidence for one request: the data the policy decides from, and how picks become calls.

`Router` is built once per set of offered tools (cached by the backend): the TF-IDF index of the
tools' names, descriptions and author examples (`evidence.ExampleIndex`) plus the "answer in
text" examples, and the policy calibrated on those examples. `evidence(...)` measures a request;
`expand(...)` turns the functions picked into calls, one per entity when a function takes one
entity and the request names several (the grounding says which).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any

import numpy as np

from core.schema import allows_null, non_null, resolve
from core.types import Message, ToolCall, ToolSpec

from .arguments import _admits, numbers_in
from .choices import choice_words, states
from .cues import last_name_word
from .evidence import NAME_PREFIX, ExampleIndex, asking_words, names_said, split_examples, words_of
from .intents import CLAUSE_MARKS, Split, best_split, splits, strongest
from .policy import Evidence, RoutingPolicy

__all__ = ["Router", "TEXT_EXAMPLES", "can_change", "earlier_calls", "expand", "last_request", "named_entities", "one_call_takes", "windows"]

TEXT_EXAMPLES = (
    "Hello! Who are you?",
    "Hi, how are you today?",
    "Thank you, that helps.",
    "Tell me a joke.",
    "Write a short poem about the sea.",
    "What does this word mean?",
    "Explain this term in simple words.",
    "Capital of France?",
    "Who wrote Hamlet?",
    "What do you help with?",
    "Hey there, good morning!",
    "Bye, see you soon.",
    "Great, thanks a lot!",
    "OK, got it.",
    "Tell me your name.",
    "Are you a bot?",
    "I'm tired today.",
    "Nice to meet you.",
    "Why do cats purr?",
    "Who painted the Mona Lisa?",
    "Your favourite colour?",
)
"""Requests that need no function, in no one domain: the documents of the "answer in text" option.
None is written as "can you ...": that is how requests for a tool are asked politely ("Can you
recommend some historical fiction?"), and such an example drew them to text. With only the first
ten, a greeting, a farewell or a question about the assistant sharing one everyday word with a
tool's example ("what's your name?" and "What's on my calendar") went to that tool. Offline (no
model): 57 chit-chat messages written by another session, about none of the domains (3 more it
wrote like these left out), got no call on 196 of 285 across five user domains, 236 with these;
BFCL's irrelevance proxy on 207 of 400 questions, 214; the dev cases' functions lost one (finance
dev-10 gained a second call). None asks "What is ..." or "What's ...": "What is 17 plus 25?" then
went to text, and with "What's the difference between these two words?" three of the dev sets'
"what's the difference between X and Y" got no call, but travel lost four requests to text
("What's the weather in Sydney, Cape Town and Rio de Janeiro?")."""
WINDOW_WORDS = 8
WINDOW_STEP = 3


def windows(text: str, size: int = WINDOW_WORDS, step: int = WINDOW_STEP) -> list[str]:
    """Overlapping word windows of `text` (one window when it is short)."""
    words = text.split()
    if len(words) <= size:
        return [" ".join(words)] if words else []
    return [" ".join(words[i:i + size]) for i in range(0, len(words) - size + step, step)]


def last_request(messages: Sequence[Message]) -> tuple[str, bool, frozenset[str]]:
    """(the last user message, whether tool results came after it, the functions called since)."""
    for i in range(len(messages) - 1, -1, -1):
        if messages[i].role == "user":
            later = messages[i + 1:]
            called = frozenset(c.name for m in later if m.role == "assistant" for c in m.tool_calls)
            return messages[i].content or "", any(m.role == "tool" for m in later), called
    return "", False, frozenset()


def earlier_calls(messages: Sequence[Message]) -> list[ToolCall]:
    """The calls made for the turn before the last user message (the most recent turn that made
    any): what a follow-up ("and in Bergen?", "same for 5 nights") continues."""
    last = max((i for i, m in enumerate(messages) if m.role == "user"), default=-1)
    calls: list[ToolCall] = []
    for m in reversed(messages[:max(last, 0)]):
        if m.role == "user" and calls:
            break
        if m.role == "assistant":
            calls = list(m.tool_calls) + calls
    return calls


def can_change(schema: dict[str, Any], query: str, numbers: Sequence[float]) -> bool:
    """Whether `query` could give a call of `schema` another value, as a follow-up does: the call
    takes a free string (any words can be one), a number when the query writes one, or a choice
    whose value the query names. "can you renew Happy Place" continues no listing of loans by
    status: it names no status."""
    for prop in (schema.get("properties") or {}).values():
        node = non_null(prop, schema) if isinstance(prop, dict) else {}
        items = resolve(node.get("items") or {}, schema) if node.get("type") == "array" else node
        kind = items.get("type")
        if isinstance(items.get("enum"), list):
            if any(isinstance(v, str) and states(query, v) or v in numbers for v in items["enum"]):
                return True
        elif kind == "string" or kind in ("integer", "number") and numbers or kind is None and "const" not in items:
            return True
    return False


def counts_named(schema: dict[str, Any], query: str) -> bool:
    """Whether `query` writes a number right beside the last word of one of `schema`'s number
    arguments' names (or a word of 3+ letters it starts with), as a unit or a label ("10 minutes"
    for `minutes`, "45 min" for `duration_minutes`; "10 minutes" is no `min_price`): the request
    counts what that argument counts."""
    words = re.findall(r"[^\W_]+|\d+(?:[.,]\d+)?", query.lower())
    beside = {w for i, w in enumerate(words) if not w[0].isdigit()
              and any(0 <= j < len(words) and words[j][0].isdigit() for j in (i - 1, i + 1))}
    for key, prop in (schema.get("properties") or {}).items():
        node = non_null(prop, schema) if isinstance(prop, dict) else {}
        unit = last_name_word(key)
        if node.get("type") not in ("integer", "number") or not unit or len(unit) < 3:
            continue
        if any(w.startswith(unit[:NAME_PREFIX]) or len(w) >= 3 and unit.startswith(w) for w in beside):
            return True
    return False


def _offered(specs: Sequence[ToolSpec]) -> list[frozenset[str]]:
    """Per function, the words of its arguments' choices (`choices.choice_words`) that no other
    function offers, is named by or writes in its description or examples ("book" is a format of
    the catalogue search, but every library tool's description says it). A request saying one
    asks for the function: on BFCL's multiple, 18 times of 18 for the right one."""
    offered = [choice_words(s.parameters) for s in specs]
    written = [words_of([s.name.replace("_", " "), s.description]) for s in specs]
    return [frozenset(offered[i] - set().union(*(offered[j] | written[j] for j in range(len(specs)) if j != i)))
            for i in range(len(specs))]


@dataclass
class Router:
    names: list[str]
    schemas: list[dict[str, Any]]
    index: ExampleIndex
    policy: RoutingPolicy
    asking: list[frozenset[str]] = field(default_factory=list)
    """Per function, the words that ask for it as its name does (`evidence.asking_words`)."""
    offers: list[frozenset[str]] = field(default_factory=list)
    """Per function, the words of its choices no other function offers (`_offered`): they ask for it
    in a whole request, not in a part of one (choices alone do not split a request: `boost`)."""

    @classmethod
    def build(cls, specs: Sequence[ToolSpec], policy: RoutingPolicy, text_examples: Sequence[str] = TEXT_EXAMPLES) -> Router:
        documents: list[list[str]] = []
        examples: list[list[str]] = []
        for spec in specs:
            description, own = split_examples(spec.description)
            documents.append([spec.name.replace("_", " ").replace(".", " "), description, *own])
            examples.append(own)
        documents.append(list(text_examples))
        index = ExampleIndex(documents, keep=words_of([d for docs in documents[:-1] for d in docs[:2]]))
        n = len(specs)
        router = cls([s.name for s in specs], [s.parameters for s in specs], index, policy,
                     asking_words([(s.name, s.description) for s in specs]), _offered(specs))
        boost = router.boost({})
        # calibration: each example's windows scored against every document but itself
        rows, owners, splits = [], [], []
        doc_ids: dict[int, list[int]] = {}
        for j, doc in enumerate(index.docs):
            doc_ids.setdefault(doc.option, []).append(j)
        for option, own in enumerate(examples):
            first_example = len(doc_ids.get(option, [])) - len(own)
            for k, example in enumerate(own):
                j = doc_ids[option][first_example + k]
                sims = np.array([index.similarities(w, exclude_doc=j)[:n] for w in windows(example)])
                rows.append(sims)
                owners.append(option)
                split = best_split(index, n, example, exclude_doc=j, boost=boost)
                if split is not None:
                    splits.append(split.score)
        calibrated = policy.calibrated(rows, owners)
        if hasattr(calibrated, "calibrated_split"):  # a policy of the user's own may not split
            calibrated = calibrated.calibrated_split(splits, len(owners))
        router.policy = calibrated
        return router

    def evidence(self, messages: Sequence[Message], model: np.ndarray | None, required: bool,
                 grounding: dict[str, dict[str, list[str]]] | None = None) -> Evidence:
        query, after_results, called = last_request(messages)
        n = len(self.names)
        sims = self.index.similarities(query)
        parts = windows(query)
        rows = np.array([self.index.similarities(w)[:n] for w in parts]) if len(parts) > 1 else np.zeros((0, n))
        specific = [specific_args((grounding or {}).get(name, {}), self.policy.max_calls) for name in self.names]
        entities = named_entities(specific)
        per_call = np.array([one_call_takes(schema, args) for schema, args in zip(self.schemas, specific)])
        grounded = [set((grounding or {}).get(name, {})) for name in self.names]
        numbers = numbers_in(query)
        fit, missing = self.fit(query, numbers, specific, grounded, per_call, len(entities))
        previous = frozenset(c.name for c in earlier_calls(messages) if c.name in self.names
                             and can_change(self.schemas[self.names.index(c.name)], query, numbers))
        missing[[i for i, name in enumerate(self.names) if name in previous]] = False  # the earlier call states them
        found = splits(self.index, n, query, boost=self.boost(grounding or {}))
        return Evidence(
            names=list(self.names), similarity=sims[:n], text_similarity=float(sims[n]),
            model=model if model is not None else np.zeros(0), windows=rows,
            required=required, after_results=after_results, called=called, fit=fit, missing=missing, entities=entities,
            covers=[frozenset(v for values in args.values() for v in values) for args in specific], per_call=per_call,
            previous=previous, split=strongest(found), splits=found,
            named=np.maximum(names_said(self.names, query, self._asking_or_offered()), [float(counts_named(s, query)) for s in self.schemas]),
        )

    def _asking_or_offered(self) -> list[frozenset[str]]:
        """Per function, the words that ask for it in a whole request: `asking` and `offers`."""
        none: frozenset[str] = frozenset()
        return [a | o for a, o in zip_longest(self.asking, self.offers, fillvalue=none)]

    def boost(self, grounding: dict[str, dict[str, list[str]]]) -> Callable[[str], np.ndarray]:
        """What a part of the request adds to each function's similarity when the request is split
        (`intents.splits`): the policy's weight for a function it names and for a call it fills
        with a grounded value it writes (a company's ticker, a sector). Numbers and choices alone
        do not count there: "... its three sides are 5 units, | 4 units and 3 units long?" filled a
        circle's radius, and BFCL multiple split 7 of 200 single-call questions."""
        named_weight, fit_weight = getattr(self.policy, "name_weight", 0.0), getattr(self.policy, "fit_weight", 0.0)
        allowed = [specific_args(grounding.get(name, {}), self.policy.max_calls) for name in self.names]
        grounded = [set(grounding.get(name, {})) for name in self.names]

        def of(part: str) -> np.ndarray:
            said = part.lower()
            specific = [{arg: [v for v in values if v.lower() in said] for arg, values in args.items()} for args in allowed]
            specific = [{arg: values for arg, values in args.items() if values} for args in specific]
            per_call = np.array([one_call_takes(schema, args) for schema, args in zip(self.schemas, specific)])
            fit, _ = self.fit(part, numbers_in(part), specific, grounded, per_call, len(named_entities(specific)))
            stated = np.array([bool(args) for args in specific])  # only a grounded value it writes: numbers split math questions
            return named_weight * names_said(self.names, part, self.asking) + fit_weight * fit * stated
        return of

    def fit(self, query: str, numbers: list[float], specific: list[dict[str, list[str]]], grounded: list[set[str]],
            per_call: np.ndarray, named: int) -> tuple[np.ndarray, np.ndarray]:
        """Per function: (fit, missing).

        fit: how completely one call of it is filled by what the request states: 0 unless it needs
        some argument (a function of optional arguments only is filled by any request) and every
        required argument has a stated value (a number written in the request for a number, an enum
        value it names, a grounded entity it names; other kinds cannot be checked: 0), times the
        share of the `named` values one call takes (`per_call`: a function of two companies takes both).
        missing: a required argument the request could state but does not (a grounded argument
        whose values it names none of, an enum none of whose values it names, more numbers than it
        writes; `numbers`: the ones `query` writes): a call would have to guess it."""
        out = np.zeros(len(self.names))
        missing = np.zeros(len(self.names), dtype=bool)
        for i, args in enumerate(specific):
            schema = self.schemas[i]
            required = list(schema.get("required") or [])
            props = schema.get("properties") or {}
            wanted_numbers = 0
            stated = True
            needed = 0  # arguments one call must be given (a function that needs none is not filled by anything)
            for arg in required:
                node = resolve(props.get(arg) or {}, schema)
                needed += arg in args or not ("default" in node or allows_null(props.get(arg) or {}, schema))
                if arg in args or "default" in node or allows_null(props.get(arg) or {}, schema):
                    continue  # named, or optional (strict schemas list every argument as required)
                items = resolve(node.get("items") or {}, schema) if node.get("type") == "array" else node
                if isinstance(items.get("enum"), list):
                    if any(isinstance(v, str) and states(query, v) for v in items["enum"]):
                        continue
                    missing[i] = True
                elif node.get("type") in ("integer", "number"):
                    wanted_numbers += 1
                    if any(_admits(node, v) or node.get("maximum", 2) <= 1 and _admits(node, v / 100) for v in numbers) or not numbers:
                        continue  # a number written for it, or one too few (counted below)
                    missing[i] = True  # "1959" is no volume from 0 to 100 ("5%" a rate up to 1): a call would guess
                missing[i] |= arg in grounded[i]
                stated = False
            missing[i] |= wanted_numbers > len(numbers)
            if not needed or not stated or wanted_numbers > len(numbers):
                continue
            out[i] = per_call[i] / named if named and args else (1.0 if not named else 0.5)
        return out, missing

    def decide(self, messages: Sequence[Message], model: np.ndarray | None, required: bool,
               grounding: dict[str, dict[str, list[str]]] | None = None) -> list[str]:
        return self.policy.decide(self.evidence(messages, model, required, grounding))

    def parts(self, messages: Sequence[Message], picks: Sequence[str], found: Sequence[Split] | None = None) -> dict[str, str]:
        """For picks that a split of the last request called (`intents`), the text of the part each
        was asked in (its arguments are there: "Will it rain in Dublin, and how much is 300 EUR in
        GBP?" -> the forecast's part names Dublin, the conversion's 300, EUR and GBP); {} when the
        request was not split or the picks are not the split's two functions. The parts meet in the
        middle of the boundaries that split the same two functions clearly (the best-scoring one
        can sit anywhere in that stretch: "Flights from London | to Oslo, and what is there to do"
        scores like "Flights from London to Oslo, | and what is there to do"), unless one of them
        ends a clause ("... for pickup at Westgate. | And when's Westgate open"): then the parts are
        the clauses. `found`: the request's splits when the evidence already measured them
        (`Evidence.splits`)."""
        query = last_request(messages)[0]
        if found is None:
            found = splits(self.index, len(self.names), query)  # without the evidence: similarity alone
        best = strongest(found)
        threshold = getattr(self.policy, "split_threshold", None)
        if best is None or threshold is None or best.score < threshold:
            return {}
        first, second = self.names[best.first], self.names[best.second]
        if first not in picks or second not in picks:
            return {}
        clear = [s for s in found if (s.first, s.second) == (best.first, best.second) and s.score >= threshold]
        words = query.split()
        clause = strongest([s for s in clear if words[s.at - 1][-1:] in CLAUSE_MARKS])  # a clause ends there
        at = clause.at if clause else (min(s.at for s in clear) + max(s.at for s in clear) + 1) // 2
        return {first: " ".join(words[:at]), second: " ".join(words[at:])}


def expand(picks: list[str], schemas: dict[str, dict[str, Any]], grounding: dict[str, dict[str, list[str]]],
           max_calls: int, numbers: list[float] | None = None) -> list[tuple[str, dict[str, Any]]]:
    """Calls for the functions picked: (name, fixed arguments).

    A function whose one grounded argument can take several values the request states (several
    companies) is called once per value, unless another pick takes them together (a function with
    several grounded arguments, e.g. a comparison of two companies). A function with as many
    grounded arguments as the values named gets them in the order written (symbol1, symbol2: the
    two companies, never one twice). A single pick whose only
    required arguments are r numbers, when the request writes a whole multiple (at least 2x) of r
    numbers, is called once per group of r, in the order written ("areas of circles of radius 2, 5
    and 7").
    """
    takes_several = any(one_call_takes(schemas.get(p) or {}, specific_args(grounding.get(p, {}), max_calls)) >= 2 for p in picks)
    calls: list[tuple[str, dict[str, Any]]] = []
    for name in picks:
        args = specific_args(grounding.get(name, {}), max_calls)
        required = set((schemas.get(name) or {}).get("required") or [])
        if len(args) == 1 and not takes_several:
            (arg, values), = args.items()
            if arg in required and len(values) > 1 and not _is_array(schemas.get(name) or {}, arg):
                calls += [(name, {arg: v}) for v in values]
                continue
        shared = list(args.values())[0] if args else []
        if len(args) >= 2 and len(shared) == len(args) and all(v == shared for v in args.values()) \
                and not any(_is_array(schemas.get(name) or {}, a) for a in args):
            calls.append((name, dict(zip(args, shared))))  # as many named values as arguments: each its own, in order
            continue
        groups = _number_groups(schemas.get(name) or {}, numbers or []) if len(picks) == 1 else []
        calls += [(name, g) for g in groups] or [(name, {})]
    return calls[:max_calls]


def _number_groups(schema: dict[str, Any], numbers: list[float]) -> list[dict[str, Any]]:
    props = schema.get("properties") or {}
    required = list(schema.get("required") or [])
    nodes = [resolve(props.get(a) or {}, schema) for a in required]
    if not required or any(n.get("type") not in ("integer", "number") or "enum" in n for n in nodes):
        return []
    r = len(required)
    if len(numbers) < 2 * r or len(numbers) % r:
        return []
    if any(n.get("type") == "integer" and not float(v).is_integer() for i, v in enumerate(numbers) for n in [nodes[i % r]]):
        return []
    return [{a: (int(v) if float(v).is_integer() else v) for a, v in zip(required, numbers[k:k + r])}
            for k in range(0, len(numbers), r)]


def _is_array(schema: dict[str, Any], arg: str) -> bool:
    node = (schema.get("properties") or {}).get(arg) or {}
    return any(resolve(alt, schema).get("type") == "array" for alt in [node, *node.get("anyOf", [])] if isinstance(alt, dict))


def one_call_takes(schema: dict[str, Any], args: dict[str, list[str]]) -> int:
    """How many of the named values one call takes: each grounded argument one, a list argument all
    of its own; never more than the distinct values named for it."""
    distinct = len({v for values in args.values() for v in values})
    return min(distinct, sum(len(values) if _is_array(schema, arg) else 1 for arg, values in args.items()))


def named_entities(specific: Iterable[dict[str, list[str]]]) -> tuple[str, ...]:
    """The values the request names (every function's grounded arguments), in order, once each."""
    return tuple(dict.fromkeys(v for args in specific for values in args.values() for v in values))


def specific_args(grounding: dict[str, list[str]], max_calls: int) -> dict[str, list[str]]:
    """The grounded arguments with a few allowed values (what the request names), not a whole
    catalogue (what a grounder allows when the request names nothing)."""
    return {arg: list(values) for arg, values in grounding.items() if 0 < len(values) <= max_calls}
