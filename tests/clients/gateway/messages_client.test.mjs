// The official @anthropic-ai/sdk against helixagentd's POST /v1/messages and
// /v1/messages/count_tokens in front of the simulator's Anthropic API:
// messages.create, messages.stream, messages.countTokens, tools with the
// tool_result round trip, a history with thinking blocks, the client key as
// x-api-key and as a bearer token, and errors in Anthropic's shape that the
// SDK raises as its own classes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { importSdk } from '../cloudsim/sim.mjs';
import { clientKey, startGateway } from './gateway.mjs';

const { default: Anthropic } = await importSdk('@anthropic-ai/sdk');

const model = 'anthropic/claude-sonnet-4-20250514';
const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

let gateway;
let client;
let root;
before(async () => {
  gateway = await startGateway();
  root = gateway.baseURL.replace(/\/v1$/, '');
  client = new Anthropic({ baseURL: root, apiKey: clientKey, maxRetries: 0, timeout: 30_000 });
});
after(async () => {
  await gateway?.stop();
});

const params = {
  model,
  max_tokens: 1024,
  system: 'You are terse.',
  messages: [{ role: 'user', content: 'Hello there, how are you today?' }],
};

// tool_use (whole and streamed, the input JSON the same), then the tool_result round trip.
async function toolLoop(modelName) {
  const ask = { role: 'user', content: 'Weather in Paris? call tool get_weather' };
  const call = { ...params, model: modelName, tools: [WEATHER_TOOL], messages: [ask] };
  const msg = await client.messages.create(call);
  assert.equal(msg.stop_reason, 'tool_use');
  const block = msg.content.find((b) => b.type === 'tool_use');
  assert.equal(block.name, 'get_weather');
  assert.equal(typeof block.input, 'object');
  const stream = client.messages.stream(call);
  let partial = '';
  stream.on('inputJson', (delta) => {
    partial += delta;
  });
  const final = await stream.finalMessage();
  assert.deepEqual(JSON.parse(partial), block.input);
  assert.deepEqual(final.content.find((b) => b.type === 'tool_use').input, block.input);
  assert.equal(final.stop_reason, 'tool_use');
  const followUp = await client.messages.create({
    ...call,
    messages: [
      ask,
      { role: 'assistant', content: msg.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: block.id, content: '18 degrees, clear' }] },
    ],
  });
  assert.equal(followUp.content[0].text, 'Tool result: 18 degrees, clear');
  return { ask, call, msg, block };
}

describe('anthropic through the gateway', { timeout: 60_000 }, () => {
  test('messages.create: the message as Anthropic sent it, model named as asked', async () => {
    const { data: msg, response } = await client.messages.create(params).withResponse();
    assert.match(msg.id, /^msg_/);
    assert.equal(msg.type, 'message');
    assert.equal(msg.model, model);
    assert.equal(msg.stop_reason, 'end_turn');
    assert.match(msg.content[0].text, /^You said: Hello there, how are you today\?/);
    assert.equal(msg.usage.input_tokens, 9);
    assert.equal(msg.usage.output_tokens, 20);
    assert.equal(response.headers.get('x-helix-provider'), 'anthropic');
  });

  test('messages.stream: the same text and final message, every event type in order', async () => {
    const whole = await client.messages.create(params);
    const stream = client.messages.stream(params);
    let text = '';
    const types = [];
    stream.on('text', (t) => {
      text += t;
    });
    stream.on('streamEvent', (e) => types.push(e.type));
    const final = await stream.finalMessage();
    assert.equal(text, whole.content[0].text);
    assert.deepEqual(final.content, whole.content);
    assert.equal(final.model, model);
    assert.deepEqual(final.usage, whole.usage);
    assert.equal(types[0], 'message_start');
    assert.deepEqual(types.slice(-2), ['message_delta', 'message_stop']);
  });

  test('the SSE on the wire: named events, no [DONE]', async () => {
    const res = await fetch(`${root}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': clientKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ ...params, stream: true }),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/event-stream/);
    const text = await res.text();
    assert.ok(!text.includes('[DONE]'));
    const events = text.split('\n\n').filter((e) => e.trim() !== '');
    for (const e of events) {
      const name = /^event: (.*)$/m.exec(e)?.[1];
      const data = /^data: (.*)$/m.exec(e)?.[1];
      assert.equal(JSON.parse(data).type, name);
    }
    assert.ok(events.some((e) => e.startsWith('event: ping')));
  });

  test('tools: tool_use, streamed input JSON, then the tool_result round trip', async () => {
    await toolLoop(model);
  });

  test('thinking: a history with signed thinking blocks and cache_control is accepted', async () => {
    // The simulator signs its thinking and refuses made-up signatures, as
    // Anthropic does: the history carries the blocks it returned.
    const thinking = { type: 'enabled', budget_tokens: 1024 };
    const first = await client.messages.create({
      ...params, max_tokens: 2048, thinking,
      messages: [{ role: 'user', content: 'First question ANTHROPIC_MAGIC_STRING_TRIGGER_REDACTED_THINKING' }],
    });
    const signed = first.content.filter((b) => b.type === 'thinking' || b.type === 'redacted_thinking');
    assert.deepEqual(signed.map((b) => b.type), ['thinking', 'redacted_thinking']);
    const msg = await client.messages.create({
      ...params,
      max_tokens: 2048,
      thinking,
      system: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: 'First question ANTHROPIC_MAGIC_STRING_TRIGGER_REDACTED_THINKING' },
        {
          role: 'assistant',
          content: [...signed, { type: 'text', text: 'First answer' }],
        },
        { role: 'user', content: 'Second question' },
      ],
    }, { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14' } });
    assert.equal(msg.type, 'message');
    assert.equal(msg.model, model);
  });

  test('messages.countTokens: served by Anthropic, equal to what create counts', async () => {
    const whole = await client.messages.create(params);
    const { model: m, system, messages } = params;
    const count = await client.messages.countTokens({ model: m, system, messages });
    assert.equal(count.input_tokens, whole.usage.input_tokens);
  });

  test('the client key as a bearer token works too', async () => {
    const res = await fetch(`${root}/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    assert.equal(res.status, 200);
  });

  test('errors come in Anthropic shape, as the SDK classes', async () => {
    await assert.rejects(client.messages.create({ model, messages: params.messages }), (e) => {
      assert.ok(e instanceof Anthropic.BadRequestError, String(e));
      assert.equal(e.error.type, 'error');
      assert.equal(e.error.error.type, 'invalid_request_error');
      assert.match(e.error.error.message, /^max_tokens: /);
      return true;
    });
    await assert.rejects(
      client.messages.create({ ...params, messages: [{ role: 'user', content: [{ type: 'image' }] }] }),
      (e) => e instanceof Anthropic.BadRequestError && /^messages\.0\.content\.0\.source: /.test(e.error.error.message),
    );
    await assert.rejects(client.messages.create({ ...params, model: 'no-such-model' }),
      (e) => e instanceof Anthropic.NotFoundError && e.error.error.type === 'not_found_error');
    const wrong = new Anthropic({ baseURL: root, apiKey: 'sk-wrong', maxRetries: 0 });
    await assert.rejects(wrong.messages.create(params),
      (e) => e instanceof Anthropic.AuthenticationError && e.error.error.type === 'authentication_error');
  });
});

describe('a translated provider (openai/gpt-4o) in the Messages shape', { timeout: 60_000 }, () => {
  const translated = { ...params, model: 'openai/gpt-4o' };

  test('messages.create and messages.stream give the same text and usage', async () => {
    const msg = await client.messages.create(translated);
    assert.equal(msg.type, 'message');
    assert.equal(msg.model, 'openai/gpt-4o');
    assert.equal(msg.stop_reason, 'end_turn');
    assert.match(msg.content[0].text, /^You said: Hello there, how are you today\?/);
    assert.ok(msg.usage.input_tokens > 0 && msg.usage.output_tokens > 0);
    const final = await client.messages.stream(translated).finalMessage();
    assert.deepEqual(final.content, msg.content);
    assert.equal(final.stop_reason, 'end_turn');
    assert.equal(final.usage.output_tokens, msg.usage.output_tokens);
  });

  test('tools: tool_use blocks with their input, streamed and not, and the tool_result round trip', async () => {
    await toolLoop('openai/gpt-4o');
  });

  test('countTokens is an estimate, and says so', async () => {
    const { data, response } = await client.messages
      .countTokens({ model: 'openai/gpt-4o', messages: params.messages })
      .withResponse();
    assert.ok(data.input_tokens > 0);
    assert.equal(response.headers.get('x-helix-token-count'), 'estimate');
  });

  test('what has no chat form is a 400 naming the field', async () => {
    // (Documents have one now: chat's file parts, see media_client.test.mjs.)
    const result = { type: 'search_result', source: 'https://example.com/a', title: 'a', content: [{ type: 'text', text: 'x' }] };
    await assert.rejects(
      client.messages.create({ ...translated, messages: [{ role: 'user', content: [result] }] }),
      (e) => e instanceof Anthropic.BadRequestError && /^messages\.0\.content\.0\.type: /.test(e.error.error.message),
    );
  });
});

// Claude behind a cloud's own API (Bedrock's InvokeModel, Vertex's
// rawPredict), in the Messages shape: the simulator checks each body as the
// cloud does, refusing members it does not take.
function claudeUpstream(title, modelName, provider) {
  describe(title, { timeout: 60_000 }, () => {
    const upstream = { ...params, model: modelName };

    test('messages.create and messages.stream: the same message, model named as asked', async () => {
      const { data: msg, response } = await client.messages.create(upstream).withResponse();
      assert.equal(msg.type, 'message');
      assert.equal(msg.model, upstream.model);
      assert.match(msg.content[0].text, /^You said: Hello there, how are you today\?/);
      assert.equal(response.headers.get('x-helix-provider'), provider);
      const stream = client.messages.stream(upstream);
      const types = [];
      stream.on('streamEvent', (e) => types.push(e.type));
      const final = await stream.finalMessage();
      assert.deepEqual(final.content, msg.content);
      assert.equal(final.model, upstream.model);
      assert.equal(final.usage.output_tokens, msg.usage.output_tokens);
      assert.equal(types[0], 'message_start');
      assert.equal(types.at(-1), 'message_stop');
    });

    test('tools and a history with thinking blocks go through (the simulator checks the body)', async () => {
      const { ask, call } = await toolLoop(upstream.model);
      // With thinking on, the tool call's turn is signed by the simulator and must come back as it was.
      const thinking = { type: 'enabled', budget_tokens: 1024 };
      const msg = await client.messages.create({ ...call, thinking, max_tokens: 2048 });
      assert.equal(msg.content[0].type, 'thinking');
      const block = msg.content.find((b) => b.type === 'tool_use');
      const followUp = await client.messages.create({
        ...call,
        thinking,
        max_tokens: 2048,
        messages: [
          ask,
          { role: 'assistant', content: msg.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: block.id, content: '18 degrees, clear' }] },
        ],
      }, { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14' } });
      assert.equal(followUp.content.find((b) => b.type === 'text').text, 'Tool result: 18 degrees, clear');
    });

    test('members the cloud refuses stay out of its body (the simulator refuses them)', async () => {
      const extra = { ...upstream, service_tier: 'auto', container: 'container_1', not_a_field: 1, metadata: { user_id: 'u-1' } };
      const msg = await client.messages.create(extra);
      assert.match(msg.content[0].text, /^You said: Hello there/);
      const final = await client.messages.stream(extra).finalMessage();
      assert.deepEqual(final.content, msg.content);
    });

    test('countTokens is the estimate here', async () => {
      const { response } = await client.messages.countTokens({ model: upstream.model, messages: params.messages }).withResponse();
      assert.equal(response.headers.get('x-helix-token-count'), 'estimate');
    });
  });
}

claudeUpstream('Claude on aws-bedrock through InvokeModel, in the Messages shape',
  'aws-bedrock/anthropic.claude-3-sonnet', 'aws-bedrock');
claudeUpstream('Claude on gcp-vertex through rawPredict, in the Messages shape',
  'vertex-claude/claude-sonnet-4-5@20250929', 'vertex-claude');
