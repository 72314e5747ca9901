// Reasoning that round-trips, with the official openai client: thinking on,
// several tool-calling turns, each assistant message sent back exactly as the
// client got it (the non-streamed message, or the one assembled from a
// stream). The simulators sign their thinking and refuse a turn whose
// signature is missing or altered, so a gateway that loses a byte fails here.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { importSdk } from '../cloudsim/sim.mjs';
import { clientKey, startGateway } from './gateway.mjs';
import { collectStream } from './stream.mjs';

const { default: OpenAI } = await importSdk('openai');

const tools = ['lookup', 'get_weather'].map((name) => ({
  type: 'function',
  function: { name, parameters: { type: 'object', properties: { city: { type: 'string' } } } },
}));

let gateway;
let client;
// Gemini 2.5 (thinking budget) and 3 (thinking level, signatures required) on the Vertex simulator.
const geminiModels = (lines) => {
  const at = lines.indexOf('  gcp-vertex:');
  lines.splice(at + 3, 0, '      models: [gemini-2.5-flash, gemini-3-pro-preview]');
  return lines;
};

before(async () => {
  gateway = await startGateway({ edit: geminiModels });
  client = new OpenAI({ baseURL: gateway.baseURL, apiKey: clientKey, maxRetries: 0, timeout: 20_000 });
});
after(async () => {
  await gateway?.stop();
});

// One assistant turn: the message as the client would send it back.
async function turn(model, messages, stream) {
  const request = { model, messages, tools, reasoning_effort: 'low' };
  if (!stream) {
    const whole = await client.chat.completions.create(request);
    return { message: whole.choices[0].message, finish: whole.choices[0].finish_reason };
  }
  const s = await collectStream(await client.chat.completions.create({ ...request, stream: true }));
  const message = { role: 'assistant', content: s.text || null, reasoning_content: s.reasoning,
    reasoning_details: s.reasoningDetails };
  if (s.toolCalls.length > 0) {
    message.tool_calls = s.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  }
  return { message, finish: s.finish };
}

const models = ['anthropic/claude-3-7-sonnet-20250219', 'aws-bedrock/anthropic.claude-3-sonnet',
  'gcp-vertex/gemini-2.5-flash', 'gcp-vertex/gemini-3-pro-preview'];

for (const model of models) {
  for (const stream of [false, true]) {
    describe(`${model}${stream ? ', streamed' : ''}`, () => {
      test('a thinking tool loop of three turns passes with every signature sent back', async () => {
        const messages = [{ role: 'user', content: 'call tool lookup please' }];
        let t = await turn(model, messages, stream);
        assert.equal(t.finish, 'tool_calls');
        assert.match(t.message.reasoning_content, /^Thinking about: call tool lookup please\./);
        const signed = model.startsWith('gcp-vertex/')
          ? (d) => d.type === 'reasoning.encrypted' && d.id === t.message.tool_calls[0].id
          : (d) => d.type === 'reasoning.text' && d.signature?.length > 0;
        assert.ok(t.message.reasoning_details.some(signed), JSON.stringify(t.message.reasoning_details));
        messages.push(t.message, { role: 'tool', tool_call_id: t.message.tool_calls[0].id,
          content: 'found it; now call tool get_weather' });

        t = await turn(model, messages, stream);
        assert.equal(t.finish, 'tool_calls');
        assert.equal(t.message.tool_calls[0].function.name, 'get_weather');
        messages.push(t.message, { role: 'tool', tool_call_id: t.message.tool_calls[0].id, content: 'sunny' });

        t = await turn(model, messages, stream);
        assert.equal(t.finish, 'stop');
        assert.match(t.message.content, /^Tool result: .*sunny/);
        assert.match(t.message.reasoning_content, /The tool has answered/);

        // The answer's own signature goes back too, in a new user turn.
        messages.push(t.message, { role: 'user', content: 'thanks' });
        t = await turn(model, messages, stream);
        assert.equal(t.finish, 'stop');
      });

      test('an altered or dropped signature is refused by the provider', async () => {
        const messages = [{ role: 'user', content: 'call tool lookup please' }];
        const t = await turn(model, messages, stream);
        const result = { role: 'tool', tool_call_id: t.message.tool_calls[0].id, content: 'sunny' };
        const altered = structuredClone(t.message);
        const signed = altered.reasoning_details.find((d) => d.signature || d.id);
        if (signed.signature) signed.text = `${signed.text} (edited)`;
        else signed.data = `x${signed.data}`;
        await assert.rejects(turn(model, [...messages, altered, result], stream),
          (e) => e.status === 400 && /signature/.test(e.message), 'altered');
        if (model === 'gcp-vertex/gemini-2.5-flash') return; // Gemini 2.5 does not require its signatures back
        const dropped = { ...t.message, reasoning_details: undefined };
        await assert.rejects(turn(model, [...messages, dropped, result], stream),
          (e) => e.status === 400 && /thinking|thought_signature/.test(e.message), 'dropped');
      });
    });
  }
}

test('redacted thinking comes back as reasoning.encrypted and is accepted back', async () => {
  const model = 'anthropic/claude-3-7-sonnet-20250219';
  const messages = [{ role: 'user', content: 'call tool lookup ANTHROPIC_MAGIC_STRING_TRIGGER_REDACTED_THINKING' }];
  const t = await turn(model, messages, false);
  assert.ok(t.message.reasoning_details.some((d) => d.type === 'reasoning.encrypted' && d.data.length > 0));
  messages.push(t.message, { role: 'tool', tool_call_id: t.message.tool_calls[0].id, content: 'sunny' });
  const next = await turn(model, messages, true);
  assert.equal(next.finish, 'stop');
});

// Structured output where the provider answers through a forced tool: the
// message content is JSON that fits the schema, streamed and not.
for (const model of ['anthropic/claude-3-7-sonnet-20250219', 'aws-bedrock/anthropic.claude-3-sonnet']) {
  test(`${model}: response_format json_schema and json_object give JSON content`, async () => {
    const response_format = {
      type: 'json_schema',
      json_schema: { name: 'city', schema: { type: 'object', properties: { name: { type: 'string' }, population: { type: 'integer' } } } },
    };
    const messages = [{ role: 'user', content: 'Name a city' }];
    const whole = await client.chat.completions.create({ model, messages, response_format });
    assert.equal(whole.choices[0].finish_reason, 'stop');
    assert.equal(whole.choices[0].message.tool_calls, undefined);
    assert.deepEqual(JSON.parse(whole.choices[0].message.content), { name: 'sim-name', population: 42 });
    const s = await collectStream(await client.chat.completions.create({ model, messages, response_format, stream: true }));
    assert.equal(s.finish, 'stop');
    assert.deepEqual(JSON.parse(s.text), { name: 'sim-name', population: 42 });
    const object = await client.chat.completions.create({ model, messages, response_format: { type: 'json_object' } });
    assert.equal(typeof JSON.parse(object.choices[0].message.content), 'object');
  });
}
