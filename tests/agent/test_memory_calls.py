"""Session memory keeps each turn's routed calls, shown to the router (not to the answer step)."""

from __future__ import annotations

import json

from agent._memory import Memory


def test_window_with_calls_shows_each_turns_calls_after_its_question():
    memory = Memory()
    memory.add_turn("Weather in Oslo?", "Cold.", [{"name": "weather_forecast", "arguments": {"city": "Oslo"}}])
    memory.add_turn("Thanks!", "You're welcome.")
    plain = memory.window(1000)
    assert [m.role for m in plain] == ["user", "assistant", "user", "assistant"]
    routed = memory.window(1000, calls=True)
    assert [m.role for m in routed] == ["user", "assistant", "tool", "assistant", "user", "assistant"]
    [call] = routed[1].tool_calls
    assert (call.name, json.loads(call.arguments)) == ("weather_forecast", {"city": "Oslo"})
    assert routed[2].tool_call_id == call.id
    memory.clear()
    assert memory.window(1000, calls=True) == []


def test_a_cut_window_never_starts_with_calls():
    memory = Memory()
    memory.add_turn("x" * 400, "short", [{"name": "f", "arguments": {}}])
    memory.add_turn("Next?", "ok")
    window = memory.window(40, calls=True)
    assert window and window[0].role == "user"
