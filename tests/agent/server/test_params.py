"""The usual /v1/chat/completions parameters over real HTTP with the `openai` client: `stop`,
`seed`, `max_completion_tokens`, `parallel_tool_calls`, and a clear 400 for what is not supported."""

from __future__ import annotations

import openai
import pytest

pytestmark = [pytest.mark.server, pytest.mark.local_model]

ASK = [{"role": "user", "content": "Describe the stock market in two sentences."}]
PRICE = {"type": "function", "function": {"name": "get_stock_price", "description": "Latest stock price for a ticker",
                                           "parameters": {"type": "object", "properties": {"symbol": {"type": "string"}},
                                                          "required": ["symbol"]}}}
WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "Current weather in a city",
                                             "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                                            "required": ["city"]}}}


def client(server) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(api_key="unused", base_url=server.base_url, max_retries=0, timeout=600)


@pytest.mark.parametrize("stream", [False, True])
async def test_stop_ends_the_reply_before_the_stop_text(serve, stream):
    async with client(serve) as c:
        full = (await c.chat.completions.create(model="local", messages=ASK, max_tokens=30)).choices[0].message.content
        words = full.split()
        assert len(words) >= 6, full
        stop = words[4]  # greedy decoding: the same reply again, cut before this word
        expected = full[: full.index(stop)].strip()
        if stream:
            chunks = [ch async for ch in await c.chat.completions.create(model="local", messages=ASK, max_tokens=30,
                                                                         stop=[stop, "\u2603"], stream=True)]
            text = "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)
            finish = chunks[-1].choices[0].finish_reason
        else:
            r = await c.chat.completions.create(model="local", messages=ASK, max_tokens=30, stop=stop)
            text, finish = r.choices[0].message.content, r.choices[0].finish_reason
    assert text.strip() == expected and stop not in text
    assert finish == "stop"


async def test_max_completion_tokens_caps_the_reply(serve):
    async with client(serve) as c:
        r = await c.chat.completions.create(model="local", messages=ASK, max_completion_tokens=3)
    assert r.usage.completion_tokens <= 3 and r.choices[0].finish_reason == "length"


async def test_seed_makes_sampling_reproducible(serve):
    async with client(serve) as c:
        async def sample(seed):
            r = await c.chat.completions.create(model="local", messages=ASK, max_tokens=16, temperature=1.2, seed=seed)
            return r.choices[0].message.content

        first, again = await sample(7), await sample(7)
        others = {await sample(s) for s in (1, 2, 3)}
    assert first == again
    assert len(others | {first}) > 1, "different seeds all gave the same sample"


async def test_parallel_tool_calls_false_gives_at_most_one_call(serve):
    ask = [{"role": "user", "content": "What is the price of AAPL and what is the weather in Paris?"}]
    async with client(serve) as c:
        both = await c.chat.completions.create(model="local", messages=ask, tools=[PRICE, WEATHER], tool_choice="required",
                                               max_tokens=40)
        one = await c.chat.completions.create(model="local", messages=ask, tools=[PRICE, WEATHER], tool_choice="required",
                                              max_tokens=40, parallel_tool_calls=False)
    assert len(one.choices[0].message.tool_calls) == 1
    assert one.choices[0].message.tool_calls[0].function.name == both.choices[0].message.tool_calls[0].function.name


@pytest.mark.parametrize("extra, param", [
    ({"logprobs": True}, "logprobs"), ({"top_p": 0.5}, "top_p"), ({"n": 2}, "n"), ({"presence_penalty": 1.0}, "presence_penalty"),
    ({"stop": ["a", "b", "c", "d", "e"]}, "stop"), ({"seed": "x"}, "seed"), ({"max_completion_tokens": 0}, "max_completion_tokens"),
    ({"parallel_tool_calls": "no"}, "parallel_tool_calls"),
])
async def test_unsupported_or_bad_parameters_are_a_clear_400(serve, extra, param):
    async with client(serve) as c:
        with pytest.raises(openai.BadRequestError) as info:
            await c.chat.completions.create(model="local", messages=ASK, max_tokens=4, extra_body=extra)
    assert info.value.body["param"] == param and param in info.value.body["message"]


async def test_neutral_values_of_unsupported_parameters_are_accepted(serve):
    async with client(serve) as c:
        r = await c.chat.completions.create(model="local", messages=ASK, max_tokens=4, top_p=1, presence_penalty=0,
                                            frequency_penalty=0, logprobs=False, user="someone", n=1)
    assert r.choices[0].message.content
