"""Dice, in Python: `/roll 2d6+3` rolls dice in the usual notation and `/rolls` shows how
many times you rolled; the LLM gets the same as the tool `roll_dice`. Built from `wit/` alone
with componentize-py; state lives in the host's `kv`.
"""

import json
import random
import re

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import kv, log
from wit_world.imports.types import (
    CommandSpec,
    Invocation,
    PluginError_InvalidInput,
    Reply,
    ToolSpec,
)

NOTATION = re.compile(r"^\s*(\d*)d(\d+)\s*([+-]\s*\d+)?\s*$", re.IGNORECASE)
MAX_DICE = 100
MAX_SIDES = 1000


def parse(notation: str) -> tuple[int, int, int]:
    """`NdS+M` into (N, S, M); N defaults to 1. Raises ValueError with a reason."""
    match = NOTATION.match(notation or "1d6")
    if not match:
        raise ValueError(f"`{notation}` is not dice notation; try 2d6+3")
    count = int(match.group(1) or "1")
    sides = int(match.group(2))
    modifier = int((match.group(3) or "0").replace(" ", ""))
    if not 1 <= count <= MAX_DICE:
        raise ValueError(f"roll 1 to {MAX_DICE} dice, not {count}")
    if not 2 <= sides <= MAX_SIDES:
        raise ValueError(f"dice have 2 to {MAX_SIDES} sides, not {sides}")
    return count, sides, modifier


def roll(notation: str, user_id: str) -> str:
    """Roll, count the roll in the user's tally, and describe the result."""
    try:
        count, sides, modifier = parse(notation)
    except ValueError as reason:
        raise Err(PluginError_InvalidInput(str(reason)))
    faces = [random.randint(1, sides) for _ in range(count)]
    total = sum(faces) + modifier
    key = f"rolls/{user_id}"
    rolls = int((kv.get(key) or b"0").decode()) + 1
    kv.set(key, str(rolls).encode())
    shown = " + ".join(str(face) for face in faces)
    if modifier:
        shown += f" {'+' if modifier > 0 else '-'} {abs(modifier)}"
    return f"🎲 {notation.strip() or '1d6'}: {shown} = {total}"


class Tool(exports.Tool):
    def list_tools(self) -> list[ToolSpec]:
        parameters = {
            "type": "object",
            "properties": {"notation": {"type": "string", "description": "Dice notation, e.g. 2d6+3"}},
            "required": ["notation"],
        }
        return [ToolSpec("roll_dice", "Roll dice in NdS+M notation", json.dumps(parameters))]

    def call_tool(self, name: str, arguments: str, user_id: str) -> str:
        if name != "roll_dice":
            raise Err(PluginError_InvalidInput(f"no tool named {name}"))
        try:
            notation = json.loads(arguments).get("notation", "1d6")
        except (ValueError, AttributeError):
            raise Err(PluginError_InvalidInput("arguments must be a JSON object"))
        return roll(str(notation), user_id)


class Commands(exports.Commands):
    def list_commands(self) -> list[CommandSpec]:
        return [
            CommandSpec("roll", "Roll dice, e.g. 2d6+3", "/roll [NdS+M]"),
            CommandSpec("rolls", "How many times you rolled", "/rolls"),
        ]

    def run(self, invocation: Invocation) -> Reply:
        user = invocation.message.user.id
        if invocation.name == "roll":
            return Reply(roll(invocation.args, user))
        if invocation.name == "rolls":
            rolls = int((kv.get(f"rolls/{user}") or b"0").decode())
            return Reply(f"You rolled {rolls} time{'s' if rolls != 1 else ''}.")
        log.log(log.Level.WARN, f"unknown command {invocation.name}")
        raise Err(PluginError_InvalidInput(f"I don't know the command /{invocation.name}."))
