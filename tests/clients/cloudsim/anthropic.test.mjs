// Fidelity of helix-cloudsim's Anthropic Messages API, proven with the
// official `@anthropic-ai/sdk` npm SDK (pinned in tests/clients/package-lock.json).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { control, importSdk, readSse, startSimulator } from './sim.mjs';

const { default: Anthropic } = await importSdk('@anthropic-ai/sdk');

const KEY = 'sk-sim-anthropic';
const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: {
    type: 'object',
    properties: { city: { type: 'string' }, days: { type: 'integer' } },
    required: ['city'],
  },
};

let sim;
let base;
const client = (opts = {}) => new Anthropic({ baseURL: base, apiKey: KEY, maxRetries: 0, ...opts });

before(() => {
  sim = startSimulator();
  base = sim.base('anthropic');
});
after(() => sim?.stop());

describe('anthropic messages', { timeout: 60_000 }, () => {
  const params = {
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    system: 'You are terse.',
    messages: [{ role: 'user', content: 'Hello there, how are you today?' }],
  };

  test('non-streaming text', async () => {
    const msg = await client().messages.create(params);
    assert.match(msg.id, /^msg_/);
    assert.equal(msg.type, 'message');
    assert.equal(msg.role, 'assistant');
    assert.equal(msg.model, 'claude-sonnet-4-5');
    assert.equal(msg.stop_reason, 'end_turn');
    assert.equal(msg.content.length, 1);
    assert.equal(msg.content[0].type, 'text');
    assert.match(msg.content[0].text, /^You said: Hello there, how are you today\?/);
    // Token rule: whitespace-separated words; system 3 + user 6.
    assert.equal(msg.usage.input_tokens, 9);
    assert.equal(msg.usage.output_tokens, 20);
  });

  test('streamed text equals non-streamed text, same usage', async () => {
    const whole = await client().messages.create(params);
    const stream = client().messages.stream(params);
    let text = '';
    stream.on('text', (t) => {
      text += t;
    });
    const final = await stream.finalMessage();
    assert.equal(text, whole.content[0].text);
    assert.deepEqual(final.content, whole.content);
    assert.equal(final.stop_reason, 'end_turn');
    assert.deepEqual(final.usage, whole.usage);
  });

  test('raw stream with create({stream:true}) yields every event type in order', async () => {
    const stream = await client().messages.create({ ...params, stream: true });
    const types = [];
    for await (const ev of stream) types.push(ev.type);
    assert.equal(types[0], 'message_start');
    assert.equal(types[1], 'content_block_start');
    assert.ok(types.filter((t) => t === 'content_block_delta').length === 20);
    assert.deepEqual(types.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
  });

  test('SSE framing on the wire: named events, a ping, type repeated in data', async () => {
    const res = await fetch(`${base}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ ...params, stream: true }),
    });
    assert.match(res.headers.get('content-type'), /^text\/event-stream/);
    assert.match(res.headers.get('request-id'), /^req_/);
    const events = await readSse(res);
    for (const ev of events) assert.equal(JSON.parse(ev.data).type, ev.event);
    assert.ok(events.some((e) => e.event === 'ping'));
    const delta = JSON.parse(events.find((e) => e.event === 'message_delta').data);
    assert.equal(delta.delta.stop_reason, 'end_turn');
    assert.equal(delta.usage.output_tokens, 20);
  });

  test('max_tokens cuts the reply (stop_reason max_tokens)', async () => {
    const msg = await client().messages.create({ ...params, max_tokens: 4 });
    assert.equal(msg.stop_reason, 'max_tokens');
    assert.equal(msg.usage.output_tokens, 4);
  });

  test('models list', async () => {
    const ids = [];
    for await (const m of client().models.list()) ids.push(m.id);
    assert.ok(ids.includes('claude-sonnet-4-5-20250929'));
  });
});

describe('anthropic tool use', { timeout: 60_000 }, () => {
  const ask = { role: 'user', content: 'Weather in Paris? call tool get_weather' };

  test('tool_use, non-streaming and streamed, then the tool_result round trip', async () => {
    const params = { model: 'claude-sonnet-4-5', max_tokens: 1024, tools: [WEATHER_TOOL], messages: [ask] };
    const msg = await client().messages.create(params);
    assert.equal(msg.stop_reason, 'tool_use');
    const block = msg.content.find((b) => b.type === 'tool_use');
    assert.ok(block, 'a tool_use block');
    assert.match(block.id, /^toolu_/);
    assert.equal(block.name, 'get_weather');
    assert.deepEqual(block.input, { city: 'sim-city', days: 42 });

    const stream = client().messages.stream(params);
    let partial = '';
    stream.on('inputJson', (delta) => {
      partial += delta;
    });
    const final = await stream.finalMessage();
    assert.deepEqual(final.content, msg.content);
    assert.deepEqual(JSON.parse(partial), block.input);
    assert.equal(final.stop_reason, 'tool_use');
    assert.deepEqual(final.usage, msg.usage);

    const followUp = await client().messages.create({
      ...params,
      messages: [
        ask,
        { role: 'assistant', content: msg.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: block.id, content: '18 degrees, clear' }] },
      ],
    });
    assert.equal(followUp.stop_reason, 'end_turn');
    assert.equal(followUp.content[0].text, 'Tool result: 18 degrees, clear');
  });

  test('tool_choice {type:"tool"} forces the tool', async () => {
    const msg = await client().messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'tool', name: 'get_weather' },
      messages: [{ role: 'user', content: 'anything' }],
    });
    assert.equal(msg.content[0].type, 'tool_use');
  });
});

describe('anthropic errors and faults', { timeout: 60_000 }, () => {
  const params = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };

  test('wrong key -> AuthenticationError', async () => {
    const err = await client({ apiKey: 'sk-wrong' }).messages.create(params).catch((e) => e);
    assert.ok(err instanceof Anthropic.AuthenticationError, `got ${err}`);
    assert.equal(err.status, 401);
    assert.equal(err.error.type, 'error');
    assert.equal(err.error.error.type, 'authentication_error');
  });

  test('x-api-key auth with API version 2023-06-01 (what the gateway sends)', async () => {
    const send = (key) =>
      fetch(`${base}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify(params),
      });
    const ok = await send(KEY);
    assert.equal(ok.status, 200);
    assert.equal((await ok.json()).type, 'message');
    const bad = await send('sk-wrong');
    assert.equal(bad.status, 401);
    assert.deepEqual((await bad.json()).error, { type: 'authentication_error', message: 'invalid x-api-key' });
  });

  test('missing anthropic-version -> 400 invalid_request_error', async () => {
    const res = await fetch(`${base}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, 'invalid_request_error');
    assert.match(body.error.message, /anthropic-version/);
  });

  test('invalid request -> BadRequestError', async () => {
    const err = await client()
      .messages.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e) => e);
    assert.ok(err instanceof Anthropic.BadRequestError, `got ${err}`);
    assert.equal(err.error.error.type, 'invalid_request_error');
  });

  test('429 fault -> RateLimitError with retry-after', async () => {
    const err = await client()
      .messages.create(params, { headers: { 'x-sim-fault': '429' } })
      .catch((e) => e);
    assert.ok(err instanceof Anthropic.RateLimitError, `got ${err}`);
    assert.equal(err.error.error.type, 'rate_limit_error');
    assert.equal(err.headers.get('retry-after'), '2');
  });

  test('500 fault -> InternalServerError (api_error)', async () => {
    const err = await client()
      .messages.create(params, { headers: { 'x-sim-fault': '500' } })
      .catch((e) => e);
    assert.ok(err instanceof Anthropic.InternalServerError, `got ${err}`);
    assert.equal(err.status, 500);
    assert.equal(err.error.error.type, 'api_error');
  });

  test('529 fault (prompt directive) -> overloaded_error', async () => {
    const err = await client()
      .messages.create({ ...params, messages: [{ role: 'user', content: 'hi [[fault:529]]' }] })
      .catch((e) => e);
    assert.ok(err instanceof Anthropic.InternalServerError, `got ${err}`);
    assert.equal(err.status, 529);
    assert.equal(err.error.error.type, 'overloaded_error');
  });

  test('reset-mid-stream fails the stream after some text', async () => {
    const stream = client().messages.stream(params, { headers: { 'x-sim-fault': 'reset-mid-stream' } });
    let text = '';
    stream.on('text', (t) => {
      text += t;
    });
    await assert.rejects(stream.finalMessage());
    assert.ok(text.length > 0);
  });

  test('malformed-json in a stream -> the SDK throws', async () => {
    const stream = await client().messages.create({ ...params, stream: true }, { headers: { 'x-sim-fault': 'malformed-json' } });
    const err = await (async () => {
      for await (const ev of stream) void ev;
    })().catch((e) => e);
    assert.ok(err instanceof SyntaxError, `got ${err}`);
  });

  test('control endpoint: next request overloaded, stats count it', async () => {
    await control(base, 'DELETE', '/__sim/stats');
    await control(base, 'POST', '/__sim/faults', { kind: '529', count: 1 });
    await assert.rejects(client().messages.create(params), Anthropic.InternalServerError);
    const ok = await client().messages.create(params);
    assert.equal(ok.stop_reason, 'end_turn');
    const stats = (await control(base, 'GET', '/__sim/stats')).body;
    assert.equal(stats.provider, 'anthropic');
    assert.equal(stats.requests, 2);
    assert.deepEqual(stats.by_outcome, { 200: 1, 529: 1 });
  });
});
