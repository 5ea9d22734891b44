"""`finagent serve`: an OpenAI-compatible chat-completions server for the local model.

    app = create_app(llm)          # any LLM: LlamaCppChat in `finagent serve`, ScriptedLLM in tests

Endpoints: `POST /v1/chat/completions` (tools, tool_choice auto/required/none/named, `stream`
with SSE chunks including tool-call deltas, usage), `GET /v1/models`, `GET /health`. Errors are
OpenAI-style JSON (`{"error": {"message", "type"}}`), never a traceback.
"""

from __future__ import annotations

import argparse
import sys

from ._app import create_app
from ._wire import BadRequest, parse_chat_request

__all__ = ["create_app", "run_server", "parse_chat_request", "BadRequest"]


def run_server(args: argparse.Namespace) -> int:
    """Load the model (the embedded SmolLM2 unless `--model`) and serve it with uvicorn."""
    import uvicorn

    from agent import make_llm

    llm = make_llm("local", getattr(args, "model", None))
    app = create_app(llm)
    host, port = args.host, args.port
    print(f"finagent serve: {app.state.model_name} on http://{host}:{port}/v1 (Ctrl-C stops)", file=sys.stderr, flush=True)
    config = uvicorn.Config(app, host=host, port=port, log_level="debug" if getattr(args, "debug", False) else "warning",
                            access_log=bool(getattr(args, "debug", False)))
    server = uvicorn.Server(config)
    try:
        server.run()
    except (OSError, SystemExit):  # uvicorn exits when it cannot bind
        if server.started:
            raise
        raise RuntimeError(f"cannot listen on {host}:{port} (is the port already in use?)") from None
    if not server.started:
        raise RuntimeError(f"cannot listen on {host}:{port} (is the port already in use?)")
    return 0
