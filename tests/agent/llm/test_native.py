"""The native tool format, rendered through the public chat templates of two tool-trained families
(Qwen2.5-Instruct: Hermes-style <tool_call> blocks; Llama 3.1 Instruct: JSON calls, ipython results),
as strings: no weights needed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.llm import Message, ToolCall, ToolSpec
from agent.llm._local.lazy import _held
from agent.llm._local.native import CallFormat, NativeTemplate

TEMPLATES = Path(__file__).parent / "templates"
WEATHER = ToolSpec("get_weather", "Weather in a city.",
                   {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]})
CALL = ToolCall("call_1", "get_weather", '{"city": "Oslo"}')
HISTORY = [Message.system("Be brief."), Message.user("Weather in Oslo?"), Message.assistant(None, [CALL]),
           Message.tool(CALL, '{"temp": 3}')]


def load(name: str) -> NativeTemplate:
    native = NativeTemplate.load((TEMPLATES / name).read_text(encoding="utf-8"), bos="<s>", eos="</s>")
    assert native is not None, name
    return native


def test_qwen_call_format_is_learned_from_the_template():
    assert load("qwen2.5-instruct.jinja").format == CallFormat(
        start='<tool_call>\n{"name": "', name_end='", "arguments": ', end="}\n</tool_call>", separator="\n")


def test_llama_call_format_is_learned_from_the_template():
    # Llama 3.1: a bare JSON object with "parameters", one call per message
    assert load("llama-3.1-instruct.jinja").format == CallFormat(
        start='{"name": "', name_end='", "parameters": ', end="}", separator=None)


def test_qwen_renders_tools_calls_and_results_as_documented():
    prompt = load("qwen2.5-instruct.jinja").render(HISTORY, [WEATHER])
    tools = prompt.split("<tools>\n", 1)[1].split("\n</tools>", 1)[0]
    assert json.loads(tools) == {"type": "function", "function": {
        "name": "get_weather", "description": "Weather in a city.", "parameters": WEATHER.parameters}}
    assert prompt.startswith("<|im_start|>system\nBe brief.\n\n# Tools")
    assert '<|im_start|>assistant\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Oslo"}}\n</tool_call><|im_end|>' in prompt
    assert '<|im_start|>user\n<tool_response>\n{"temp": 3}\n</tool_response><|im_end|>' in prompt
    assert prompt.endswith("<|im_start|>assistant\n")


def test_llama_renders_tools_calls_and_results_as_documented():
    prompt = load("llama-3.1-instruct.jinja").render(HISTORY, [WEATHER])
    assert prompt.startswith("<s><|start_header_id|>system<|end_header_id|>\n\nEnvironment: ipython\n")
    assert '"name": "get_weather"' in prompt.split("Weather in Oslo?")[0]  # tools in the first user message
    assert '<|start_header_id|>assistant<|end_header_id|>\n\n{"name": "get_weather", "parameters": {"city": "Oslo"}}<|eot_id|>' in prompt
    assert "<|start_header_id|>ipython<|end_header_id|>\n\n" in prompt
    assert prompt.endswith("<|start_header_id|>assistant<|end_header_id|>\n\n")


@pytest.mark.parametrize("name", ["qwen2.5-instruct.jinja", "llama-3.1-instruct.jinja"])
def test_a_call_written_in_the_learned_format_is_what_the_template_renders(name):
    native = load(name)
    assert native.format is not None
    written = native.format.call("get_weather", '{"city": "Oslo"}')
    assert written in native.render(HISTORY, [WEATHER])


def test_a_template_without_tools_keeps_the_backends_own_prompt():
    chatml = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
              "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")
    assert NativeTemplate.load(chatml) is None
    assert NativeTemplate.load(None) is None
    assert NativeTemplate.load("{{ tools") is None  # does not compile


def test_a_template_that_mentions_tools_but_never_renders_them_is_not_native():
    template = "{# tools are not supported #}{% for m in messages %}{{ m['content'] }}{% endfor %}"
    assert NativeTemplate.load(template) is None


def test_streamed_text_holds_back_what_could_open_a_call():
    assert _held("Let me check <tool", "<tool_call>") == 5
    assert _held("Plain text.", "<tool_call>") == 0
