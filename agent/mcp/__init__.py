"""finagent as an MCP server: the orchestrations' data steps and the atomic tools over MCP.

    finagent mcp                      # stdio (what MCP clients such as Claude Desktop start)
    finagent mcp --http --port 8765   # streamable HTTP on 127.0.0.1, optionally behind --api-key
"""

from ._auth import exposure_warning, protect
from ._catalog import Catalog, error_result, orchestration_text
from ._server import build_server, http_app, progress_message, run_mcp, serve_stdio

__all__ = [
    "Catalog", "build_server", "serve_stdio", "http_app", "run_mcp", "protect", "exposure_warning",
    "error_result", "orchestration_text", "progress_message",
]
