"""Dice, in Python: `/roll 2d6+3` rolls dice in the usual notation and `/rolls` shows how
many times you rolled; the LLM gets the same as the tool `roll_dice`. `/trueroll 2d6` asks
random.org for the numbers instead, through the host's `wasi:http` (which its allowlist
guards). Built from `wit/` alone with componentize-py; state lives in the host's `kv`.
"""

import json
import random
import re
from urllib.parse import urlsplit

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import config, kv, log, outgoing_handler, streams
from wit_world.imports import wasi_http_types as http
from wit_world.imports.dcmaid_bot_types import (
    CommandSpec,
    Invocation,
    PluginError_InvalidInput,
    PluginError_Limited,
    PluginError_Unavailable,
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
    note = count_roll(f"rolls/{user_id}")
    shown = " + ".join(str(face) for face in faces)
    if modifier:
        shown += f" {'+' if modifier > 0 else '-'} {abs(modifier)}"
    return f"🎲 {notation.strip() or '1d6'}: {shown} = {total}{note}"


def kv_refusal(error: Err) -> str:
    """Why the tally cannot be kept, for a kv error the user should hear about; re-raises
    the others."""
    if isinstance(error.value, kv.KvError_NotGranted):
        return "this plugin has no kv grant"
    if isinstance(error.value, kv.KvError_Limited):
        raise Err(PluginError_Limited(error.value.value))
    raise error


def count_roll(key: str) -> str:
    """One more roll under `key`; a note for the reply when the count cannot be kept."""
    try:
        rolls = int((kv.get(key) or b"0").decode()) + 1
        kv.set(key, str(rolls).encode())
        return ""
    except Err as error:
        return f" (not counted: {kv_refusal(error)})"


def refused(host: str, code: http.ErrorCode) -> Err:
    """The plugin error for a request that got no response."""
    if isinstance(code, http.ErrorCode_HttpRequestDenied):
        return Err(PluginError_InvalidInput(f"I'm not allowed to reach {host}."))
    return Err(PluginError_Unavailable(f"{host} failed: {type(code).__name__}"))


def http_get(url: str) -> tuple[int, bytes]:
    """GET `url` through wasi:http: the status and the body. Raises Err(PluginError) when
    the host denies the request or it fails."""
    parts = urlsplit(url)
    request = http.OutgoingRequest(http.Fields.from_list([]))
    request.set_scheme(http.Scheme_Https() if parts.scheme == "https" else http.Scheme_Http())
    request.set_authority(parts.netloc)
    request.set_path_with_query((parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
    try:
        pending = outgoing_handler.handle(request, None)
    except Err as error:
        raise refused(parts.netloc, error.value)
    # Child resources are dropped before their parents: the pollable before the future,
    # the stream before the body, the body before the response.
    with pending:
        with pending.subscribe() as ready:
            ready.block()
        outcome = pending.get()
    if outcome is None or isinstance(outcome, Err):
        raise Err(PluginError_Unavailable(f"{parts.netloc}: no response"))
    if isinstance(outcome.value, Err):
        raise refused(parts.netloc, outcome.value.value)
    with outcome.value.value as response:
        status = response.status()
        with response.consume() as body, body.stream() as stream:
            chunks = []
            while True:
                try:
                    chunks.append(stream.blocking_read(65536))
                except Err as error:
                    if isinstance(error.value, streams.StreamError_Closed):
                        break
                    raise Err(PluginError_Unavailable(f"{parts.netloc}: the response broke off"))
    return status, b"".join(chunks)


def true_roll(notation: str) -> str:
    """Roll with numbers from random.org's integer generator."""
    try:
        count, sides, modifier = parse(notation)
    except ValueError as reason:
        raise Err(PluginError_InvalidInput(str(reason)))
    base = config.get("random_org_url") or "https://www.random.org/integers/"
    url = f"{base}?num={count}&min=1&max={sides}&col=1&base=10&format=plain&rnd=new"
    status, body = http_get(url)
    if status != 200:
        raise Err(PluginError_Unavailable(f"random.org answered {status}"))
    faces = [int(line) for line in body.decode().split()]
    total = sum(faces) + modifier
    return f"🎲 {notation.strip() or '1d6'} (random.org): {' + '.join(map(str, faces))} = {total}"


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
            CommandSpec("trueroll", "Roll with random.org's numbers", "/trueroll [NdS+M]"),
        ]

    def run(self, invocation: Invocation) -> Reply:
        user = invocation.message.user.id
        if invocation.name == "roll":
            return Reply(roll(invocation.args, user))
        if invocation.name == "trueroll":
            return Reply(true_roll(invocation.args))
        if invocation.name == "rolls":
            try:
                rolls = int((kv.get(f"rolls/{user}") or b"0").decode())
            except Err as error:
                return Reply(f"I keep no count: {kv_refusal(error)}.")
            return Reply(f"You rolled {rolls} time{'s' if rolls != 1 else ''}.")
        log.log(log.Level.WARN, f"unknown command {invocation.name}")
        raise Err(PluginError_InvalidInput(f"I don't know the command /{invocation.name}."))
