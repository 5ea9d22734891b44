"""Any MCP server's tools as finagent atomic tools (the official `mcp` SDK's client).

    async with MCPTools.stdio("uvx", ["mcp-server-time"], prefix="time_", register=True) as remote:
        ...   # remote.tools: name -> MCPTool; with register=True also in tools.registered_tools()
    async with MCPTools.http("http://127.0.0.1:8765/mcp", api_key=key) as remote: ...
"""

from ._client import MCPTools
from ._tool import MCPTool, result_value, tool_name

__all__ = ["MCPTools", "MCPTool", "result_value", "tool_name"]
