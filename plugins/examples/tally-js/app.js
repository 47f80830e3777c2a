// Tally, in JavaScript: an observer that counts what happens, as metrics of its own on the
// host's /metrics (dcmaid_plugin_tally_js_*) and as totals in the host's kv, and answers
// `/tally` with them. Built from `wit/` alone with componentize-js.

import { increment } from 'dcmaid:bot/metrics@0.2.0';
import { get, set } from 'dcmaid:bot/kv@0.2.0';

const KINDS = ['message-received', 'reply-sent', 'command-ran', 'plugin-failed'];

// A kv error, by its case: the host's error comes as the thrown error's payload.
function kvCase(error) {
  return (error?.payload ?? error)?.tag;
}

// The total of `kind`; null when this plugin may not keep one (no kv grant).
function total(kind) {
  try {
    const stored = get(`total/${kind}`);
    return stored ? Number(new TextDecoder().decode(stored)) : 0;
  } catch (error) {
    if (kvCase(error) === 'not-granted') return null;
    throw error;
  }
}

function count(kind) {
  const now = total(kind);
  if (now !== null) {
    try {
      set(`total/${kind}`, new TextEncoder().encode(String(now + 1)));
    } catch (error) {
      // Past the operator's kv quota the totals stop growing; the metrics go on.
      if (kvCase(error) !== 'limited') throw error;
    }
  }
  increment('events', [['kind', kind]], 1);
}

function summary() {
  const totals = KINDS.map((kind) => [kind, total(kind)]);
  if (totals.some(([, count]) => count === null)) {
    return 'nothing: this plugin has no kv grant';
  }
  return totals.map(([kind, count]) => `${kind}: ${count}`).join(', ');
}

export const observer = {
  onEvent(event) {
    count(event.tag);
    if (event.tag === 'command-ran') {
      increment('commands', [['command', event.val.command]], 1);
    }
  },
  report(name) {
    if (name !== 'weekly') {
      throw { tag: 'invalid-input', val: `no report named ${name}` };
    }
    return `# Tally\n\n${summary()}\n`;
  },
};

export const commands = {
  listCommands() {
    return [{ name: 'tally', description: 'What the bot has seen so far', usage: '/tally' }];
  },
  run(invocation) {
    if (invocation.name !== 'tally') {
      throw { tag: 'invalid-input', val: `I don't know the command /${invocation.name}.` };
    }
    return { text: `So far: ${summary()}.` };
  },
};
