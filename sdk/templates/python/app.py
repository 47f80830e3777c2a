"""A tool plugin in Python: `/greet NAME` greets and counts greetings in the plugin's `kv`,
and the language model may call the same as the tool `greet`."""

import json

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import config, kv
from wit_world.imports.types import CommandSpec, Invocation, PluginError_InvalidInput, Reply, ToolSpec


def greet(name: str) -> str:
    greeting = config.get("greeting") or "Hello"
    count = int((kv.get("greetings") or b"0").decode()) + 1
    kv.set("greetings", str(count).encode())
    return f"{greeting}, {name}! (greeting number {count})"


class Tool(exports.Tool):
    def list_tools(self) -> list[ToolSpec]:
        parameters = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
        return [ToolSpec("greet", "Greet someone by name", json.dumps(parameters))]

    def call_tool(self, name: str, arguments: str, user_id: str) -> str:
        if name != "greet":
            raise Err(PluginError_InvalidInput(f"no tool called `{name}`"))
        try:
            return greet(str(json.loads(arguments).get("name", "stranger")))
        except (ValueError, AttributeError):
            raise Err(PluginError_InvalidInput("arguments must be a JSON object"))


class Commands(exports.Commands):
    def list_commands(self) -> list[CommandSpec]:
        return [CommandSpec("greet", "Greet someone", "/greet NAME")]

    def run(self, invocation: Invocation) -> Reply:
        return Reply(greet(invocation.args.strip() or invocation.message.user.name))
