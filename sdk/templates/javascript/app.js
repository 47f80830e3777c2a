// A tool plugin in JavaScript: `/greet NAME` greets and counts greetings in the plugin's
// `kv`, and the language model may call the same as the tool `greet`.

import { get as setting } from 'dcmaid:bot/config@0.2.0';
import { get, set } from 'dcmaid:bot/kv@0.2.0';

function greet(name) {
  const greeting = setting('greeting') ?? 'Hello';
  const stored = get('greetings');
  const count = (stored ? Number(new TextDecoder().decode(stored)) : 0) + 1;
  set('greetings', new TextEncoder().encode(String(count)));
  return `${greeting}, ${name}! (greeting number ${count})`;
}

export const tool = {
  listTools() {
    const parameters = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] };
    return [{ name: 'greet', description: 'Greet someone by name', parameters: JSON.stringify(parameters) }];
  },
  callTool(name, args, userId) {
    if (name !== 'greet') {
      throw { tag: 'invalid-input', val: `no tool called \`${name}\`` };
    }
    let parsed;
    try {
      parsed = JSON.parse(args);
    } catch {
      throw { tag: 'invalid-input', val: 'arguments must be a JSON object' };
    }
    return greet(String(parsed.name ?? 'stranger'));
  },
};

export const commands = {
  listCommands() {
    return [{ name: 'greet', description: 'Greet someone', usage: '/greet NAME' }];
  },
  run(invocation) {
    return { text: greet(invocation.args.trim() || invocation.message.user.name) };
  },
};
