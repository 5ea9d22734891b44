"""`finagent serve`: an OpenAI-compatible chat-completions server for the local model.

    app = create_app(llm, api_key=None, max_body_bytes=..., max_queue=16)   # any LLM

Endpoints: `POST /v1/chat/completions` (tools, tool_choice auto/required/none/named,
`response_format` json_object/json_schema under a grammar, `stop`, `seed`,
`max_completion_tokens`, `parallel_tool_calls`, `stream` with SSE chunks including tool-call
deltas, usage), `GET /v1/models`, `GET /health`. Errors are OpenAI-style JSON
(`{"error": {"message", "type", "param", "code"}}`), never a traceback. A client that disconnects
stops its generation; `BearerAuth` and `BodyLimit` are plain ASGI middleware any app can reuse.
"""

from __future__ import annotations

import argparse
import sys

from agent._serving import run_uvicorn

from ._app import DEFAULT_MAX_BODY, DEFAULT_MAX_QUEUE, create_app
from ._auth import BearerAuth, api_key_from, exposure_warning
from ._limits import BodyLimit, Gate, QueueFull
from ._wire import BadRequest, parse_chat_request

__all__ = ["create_app", "run_server", "parse_chat_request", "BadRequest", "BearerAuth", "BodyLimit", "Gate",
           "QueueFull", "api_key_from", "exposure_warning"]


def run_server(args: argparse.Namespace) -> int:
    """Load the model (the embedded SmolLM2 unless `--model`) and serve it with uvicorn."""
    from agent import make_llm

    host, port = args.host, args.port
    api_key = api_key_from(getattr(args, "api_key", None))
    warning = exposure_warning(host, api_key)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    from agent._monitor import instrument

    llm = instrument(make_llm("local", getattr(args, "model", None)), "serve")  # a `chat` span per request
    app = create_app(llm, api_key=api_key, max_body_bytes=getattr(args, "max_body_bytes", None) or DEFAULT_MAX_BODY,
                     max_queue=DEFAULT_MAX_QUEUE if getattr(args, "max_queue", None) is None else args.max_queue)
    print(f"finagent serve: {app.state.model_name} on http://{host}:{port}/v1"
          f"{' (API key required)' if api_key else ''} (Ctrl-C stops)", file=sys.stderr, flush=True)
    return run_uvicorn(app, host, port, debug=bool(getattr(args, "debug", False)))
