"""The routing policy of the local backend: scores in, calls out.

The backend measures evidence (`Evidence`: per function, how close the request is to its
description and its author's examples, and the model's probability of picking it; the same for the
"answer in text" option; the same per window of the request) and the policy decides which
functions to call. It holds no knowledge of any tool or of any language: thresholds come from the
tools' own examples (`calibrate`) or from its constructor. Replace it by passing another object
with a `decide(evidence) -> list[str]` method to `LlamaCppChat(policy=...)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .intents import Split, split_threshold

__all__ = ["Evidence", "RoutingPolicy"]

MIN_WINDOW_LEAD = 0.05
"""A window adds a call only when another function wins it by at least this (not a near tie)."""


@dataclass
class Evidence:
    """What the backend measured for one routing decision (`names[i]` <-> column i)."""

    names: list[str]
    similarity: np.ndarray
    """Per function: best cosine between the request and the function's documents (0..1)."""
    model: np.ndarray
    """Per function: the model's probability of picking it, the last entry for "answer in text"
    (sums to 1 over `names` + 1); all zeros when the model was not asked."""
    text_similarity: float = 0.0
    """The request's similarity to requests that need no function (the "answer in text" examples)."""
    windows: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    """(windows, functions): similarity of each window of the request to each function."""
    fit: np.ndarray | None = None
    """Per function (0..1): how completely the request states its required arguments, and the
    share of the entities it names that one call takes."""
    required: bool = False
    """`tool_choice="required"`: at least one call, never text."""
    after_results: bool = False
    """The last user request already got tool results: a new call must be clearly needed."""
    called: frozenset[str] = frozenset()
    """Functions already called for the last user request."""
    missing: np.ndarray | None = None
    """Per function: a required argument the request could state but does not (a call would guess it)."""
    entities: tuple[str, ...] = ()
    """The values the request names for grounded arguments (companies, sectors), in order."""
    covers: list[frozenset[str]] = field(default_factory=list)
    """Per function: the named values its calls would take (one call per value, or several at once)."""
    per_call: np.ndarray | None = None
    """Per function: how many named values one call takes (2 for a comparison of two named companies)."""
    previous: frozenset[str] = frozenset()
    """Functions called for the turn before (a follow-up may continue them)."""
    named: np.ndarray | None = None
    """Per function: 1 when the request says a word of its name that no other function's name has
    ("renew" for `renew_loan`), else 0 (`evidence.names_said`)."""
    split: Split | None = None
    """The request read as two parts asking for two different functions (`intents.best_split`)."""
    splits: list[Split] = field(default_factory=list)
    """Every boundary of the request whose two parts have different best functions (`intents.splits`)."""


@dataclass
class RoutingPolicy:
    """Combine the evidence and decide.

    - score(f) = similarity(f) + model_weight * model(f) + fit_weight * fit(f) picks the best
      function; it is called when its relevance (the same without the model) beats the "answer in
      text" option's similarity by `margin` and has some evidence at all (always, under
      `required`). Under `auto`, a function
      missing a required argument the request could state but does not (`Evidence.missing`) is not
      a candidate: the call would guess it, and the text answer can ask.
    - Another function is called too when it wins a window of the request by at least
      `window_threshold` over the first pick: just above the largest lead a *wrong* function takes
      in a window of the authors' own examples (`calibrated`), so single-purpose requests written
      like the examples get one call.
    - One call that takes several named values at once (a comparison of the two companies named)
      replaces a call per value of the best function unless that function leads it by
      `window_threshold` (a clear lead): fewer calls when the evidence does not tell them apart.
    - A named value no pick takes (a sector named beside a company) gets a call of the function
      that takes it and wins a window of the request by MIN_WINDOW_LEAD over the picks: the request
      names the value, and that function is the one asked for in some part of it.
    - After tool results, only a function not called yet, whose score clears the text option by
      `after_results_margin`, is called; otherwise the answer is text.
    - A function the request names by a word only its name has (`Evidence.named`: "can you renew
      Happy Place" names `renew_loan`) gets `name_weight` more relevance.
    - A function called for the turn before (`Evidence.previous`) gets `follow_up_weight` more
      relevance: a short follow-up ("and in Bergen?") that matches nothing on its own continues it,
      while a request closer to another function or to the text option ("thanks!") goes there.
    - Several intents: when the request splits into two parts whose best functions differ
      (`Evidence.split`) with a score of at least `split_threshold` (calibrated on the authors'
      examples, `calibrated_split`), and one of the two is the main pick, the other is called too,
      the two in the order of the parts.
    """

    model_weight: float = 0.02
    """The model's say before it earns more (`_local/calibration.py`): a tie-breaker. Its picks are
    confident (often p > 0.9) and, for a model that picks worse than the evidence, often wrong: on
    BFCL multiple (200 questions, 2-4 functions each) the right function is picked 91 % / 96 % of
    the time (first / second 100) at 0.02, 88 % / 95 % at 0.1, 87 % / 96 % with no model at all."""
    fit_weight: float = 0.2
    margin: float = 0.0
    window_threshold: float = 0.4
    after_results_margin: float = 0.25
    max_calls: int = 4
    follow_up_weight: float = 0.2
    """0.3 before the name said: then "Convert 300 EUR to USD" after a hotel search (similarity 0.17
    to the conversion, +0.1 for "convert") kept searching hotels, for 300 nights. 0.2 routes the
    travel and library sets' follow-ups as 0.3 did (offline, no model); 0.15 loses "And in Bergen?"."""
    name_weight: float = 0.1
    """More relevance for a function the request names by a word only its name has. On BFCL
    multiple's recorded evidence (200 questions) the right function is picked 92 % / 99 % of the
    time (first / second 100) with it, 91 % / 96 % without; 0.05 and 0.2 do about as well."""
    split_threshold: float = 0.1
    model_decides: bool = False
    """The model earned the say in call-or-answer too (`_local/calibration.py`): its probabilities
    join the relevance and the text option."""

    def scores(self, ev: Evidence) -> tuple[np.ndarray, float]:
        n = len(ev.names)
        model = self._model(ev)
        extra = 0.0 if self.model_decides else self.model_weight  # once it decides, `relevance` holds the model
        functions = self.relevance(ev) + extra * model[:n]
        text = self.text_score(ev) + extra * model[n]
        return functions, float(text)

    def relevance(self, ev: Evidence) -> np.ndarray:
        """Per function, the evidence weighed against the text option: similarity and fit. The
        model's probabilities are left out: calibrated against a content-free request, they favour
        calling something (the content-free request is where "answer in text" scores highest)."""
        fit = ev.fit if ev.fit is not None and ev.fit.size == len(ev.names) else np.zeros(len(ev.names))
        follow = np.array([self.follow_up_weight if name in ev.previous else 0.0 for name in ev.names])
        named = ev.named if ev.named is not None and ev.named.size == len(ev.names) else np.zeros(len(ev.names))
        return ev.similarity + self.fit_weight * fit + follow + self.name_weight * named + self._model_say(ev)[:len(ev.names)]

    def text_score(self, ev: Evidence) -> float:
        """The "answer in text" option against `relevance`: its similarity (and the model's, once it decides)."""
        return ev.text_similarity + float(self._model_say(ev)[len(ev.names)])

    def _model_say(self, ev: Evidence) -> np.ndarray:
        return self.model_weight * self._model(ev) if self.model_decides else np.zeros(len(ev.names) + 1)

    def _model(self, ev: Evidence) -> np.ndarray:
        """The model's probabilities, without its share for the functions called the turn before:
        read from the conversation, a small model copies the calls it sees there, and
        `follow_up_weight` already counts them ("any free time on Friday afternoon?" after a look
        at tomorrow's calendar: 0.7 for the calendar again)."""
        n = len(ev.names)
        if ev.model.size != n + 1:
            return np.zeros(n + 1)
        if not ev.previous:
            return ev.model
        return np.array([0.0 if i < n and ev.names[i] in ev.previous else p for i, p in enumerate(ev.model)])

    def decide(self, ev: Evidence) -> list[str]:
        if not ev.names:
            return []
        functions, _ = self.scores(ev)
        relevance, text = self.relevance(ev), self.text_score(ev)
        order = [int(i) for i in np.argsort(-functions, kind="stable")]
        if ev.after_results:
            fresh = [i for i in order if ev.names[i] not in ev.called]
            if ev.required:
                return [ev.names[fresh[0] if fresh else order[0]]]
            if fresh and relevance[fresh[0]] >= text + self.after_results_margin:
                return [ev.names[fresh[0]]]
            return []
        guesses = set()
        if not ev.required and ev.missing is not None and ev.missing.size == len(ev.names):
            guesses = {i for i in order if ev.missing[i]}  # `auto` does not guess what the request leaves out
            order = [i for i in order if i not in guesses]
            if not order:
                return []
        best = order[0]
        if not ev.required and (relevance[best] < text + self.margin or relevance[best] <= 0):
            return []  # no word of the request points to a function ("good morning!"): a call would be a guess
        joint = self.joint_call(ev, functions, best)
        picks = [joint]
        for i in self.window_picks(ev, joint):
            if i not in picks and i != best and i not in guesses and len(picks) < self.max_calls:  # a replaced function stays replaced
                picks.append(i)
        for i in self.coverage_picks(ev, picks):
            if i not in picks and i not in guesses and len(picks) < self.max_calls:
                picks.append(i)
        parts = self.split_parts(ev, {best, joint})
        for i in parts:
            if i not in picks and i not in guesses and len(picks) < self.max_calls:
                picks.append(i)
        if len(picks) > 1:  # in the order the request asks for them (the first window each wins)
            first = {i: next((k for k, row in enumerate(ev.windows) if int(np.argmax(row)) == i), len(ev.windows)) for i in picks}
            picks.sort(key=lambda i: first[i])
            if len(parts) == 2 and all(i in picks for i in parts) and picks.index(parts[0]) > picks.index(parts[1]):
                a, b = picks.index(parts[0]), picks.index(parts[1])  # the parts say the order
                picks[a], picks[b] = picks[b], picks[a]
        return [ev.names[i] for i in picks]

    def split_parts(self, ev: Evidence, main: set[int]) -> list[int]:
        """[first part's function, second part's] when the request clearly asks for two (a split
        scoring at least `split_threshold`) and one of them is a main pick; else []."""
        split = ev.split
        if split is None or split.score < self.split_threshold or not main & {split.first, split.second}:
            return []
        return [split.first, split.second]

    def window_picks(self, ev: Evidence, best: int) -> list[int]:
        """Functions that win some window of the request clearly (by `window_threshold` over the
        main pick's similarity in that window), strongest first."""
        if ev.windows.size == 0 or ev.windows.shape[0] < 2:
            return []
        strength: dict[int, float] = {}
        for row in ev.windows:
            i = int(np.argmax(row))
            lead = float(row[i] - row[best])
            if i != best and lead >= self.window_threshold:
                strength[i] = max(strength.get(i, 0.0), lead)
        return sorted(strength, key=lambda i: -strength[i])

    def joint_call(self, ev: Evidence, functions: np.ndarray, best: int) -> int:
        """A function one call of which takes all the values `best` would be called once each for,
        when `best` does not lead it clearly; else `best`."""
        if ev.per_call is None or len(ev.covers) != len(ev.names) or ev.per_call[best] != 1 or len(ev.covers[best]) < 2:
            return best
        joint = [i for i in range(len(ev.names)) if ev.per_call[i] >= len(ev.covers[best]) and ev.covers[best] <= ev.covers[i]]
        joint = [i for i in joint if functions[i] >= functions[best] - self.window_threshold]
        return max(joint, key=lambda i: functions[i]) if joint else best

    def coverage_picks(self, ev: Evidence, picks: list[int]) -> list[int]:
        """For each named value the picks do not take, the function that takes it and wins a window
        of the request by at least MIN_WINDOW_LEAD over the picks (not a near tie), the largest lead first."""
        if ev.windows.size == 0 or len(ev.covers) != len(ev.names):
            return []
        added: list[int] = []
        for value in ev.entities:
            chosen = picks + added
            if any(value in ev.covers[i] for i in chosen):
                continue
            leads: dict[int, float] = {}
            for row in ev.windows:
                i = int(np.argmax(row))
                lead = float(row[i] - max(row[j] for j in chosen))
                if value in ev.covers[i] and lead >= MIN_WINDOW_LEAD:
                    leads[i] = max(leads.get(i, 0.0), lead)
            if leads:
                added.append(max(leads, key=lambda i: leads[i]))
        return added

    def calibrated(self, example_windows: list[np.ndarray], owners: list[int]) -> RoutingPolicy:
        """This policy with `window_threshold` just above the largest lead a wrong function takes
        over the right one in a window of an author's example (each example scored against the
        other documents only); unchanged when no tool has examples."""
        wrong = [float(np.max(np.delete(row, owner)) - row[owner]) for rows, owner in zip(example_windows, owners)
                 for row in rows if row.size > 1]
        return replace(self, window_threshold=max(max(wrong) + 1e-6, MIN_WINDOW_LEAD)) if wrong else self

    def calibrated_split(self, scores: list[float], examples: int) -> RoutingPolicy:
        """This policy with `split_threshold` just above the split scores of the authors' examples
        (`scores`, those that split at all, of `examples` in all) but a few (`intents.split_threshold`)."""
        return replace(self, split_threshold=split_threshold(scores, examples)) if examples else self
