// Fidelity of helix-cloudsim's OpenAI API, proven with the official `openai`
// npm SDK (pinned in tests/clients/package-lock.json). Run: see tests/clients/README.md.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { control, importSdk, readSse, startSimulator } from './sim.mjs';

const { default: OpenAI } = await importSdk('openai');

const KEY = 'sk-sim-openai';
const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city'],
    },
  },
};

let sim;
let base;
const client = (opts = {}) => new OpenAI({ baseURL: `${base}/v1`, apiKey: KEY, maxRetries: 0, ...opts });

before(() => {
  sim = startSimulator();
  base = sim.base('openai');
});
after(() => sim?.stop());

describe('openai chat completions', { timeout: 60_000 }, () => {
  const messages = [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Hello there, how are you today?' },
  ];

  test('non-streaming text', async () => {
    const res = await client().chat.completions.create({ model: 'gpt-4o', messages });
    assert.match(res.id, /^chatcmpl-/);
    assert.equal(res.object, 'chat.completion');
    assert.equal(res.model, 'gpt-4o');
    assert.equal(res.choices.length, 1);
    assert.equal(res.choices[0].finish_reason, 'stop');
    assert.equal(res.choices[0].message.role, 'assistant');
    assert.match(res.choices[0].message.content, /^You said: Hello there, how are you today\?/);
    // Token rule: whitespace-separated words. "You are terse." = 3, the user message = 6.
    assert.equal(res.usage.prompt_tokens, 9);
    assert.equal(res.usage.completion_tokens, 20);
    assert.equal(res.usage.total_tokens, 29);
  });

  test('streamed text equals non-streamed text, usage in the last chunk', async () => {
    const whole = await client().chat.completions.create({ model: 'gpt-4o', messages });
    const stream = await client().chat.completions.create({
      model: 'gpt-4o',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish = null;
    const chunks = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      assert.equal(chunk.object, 'chat.completion.chunk');
      if (chunk.choices.length) {
        text += chunk.choices[0].delta.content ?? '';
        finish = chunk.choices[0].finish_reason ?? finish;
      }
    }
    assert.equal(text, whole.choices[0].message.content);
    assert.equal(finish, 'stop');
    assert.equal(chunks[0].choices[0].delta.role, 'assistant');
    assert.ok(new Set(chunks.map((c) => c.id)).size === 1, 'same id on every chunk');
    const last = chunks.at(-1);
    assert.deepEqual(last.choices, []);
    assert.deepEqual(last.usage, whole.usage);
    for (const c of chunks.slice(0, -1)) assert.equal(c.usage, null);
  });

  test('stream without include_usage has no usage chunk', async () => {
    const stream = await client().chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.ok(chunks.every((c) => c.choices.length === 1 && c.usage === undefined));
  });

  test('max_completion_tokens cuts the reply (finish_reason length)', async () => {
    const res = await client().chat.completions.create({ model: 'gpt-4o', messages, max_completion_tokens: 3 });
    assert.equal(res.choices[0].finish_reason, 'length');
    assert.equal(res.usage.completion_tokens, 3);
    assert.equal(res.choices[0].message.content, 'You said: Hello');
  });

  test('x-sim-reply-tokens sets the reply length', async () => {
    const res = await client().chat.completions.create(
      { model: 'gpt-4o', messages },
      { headers: { 'x-sim-reply-tokens': '50' } },
    );
    assert.equal(res.usage.completion_tokens, 50);
    assert.equal(res.choices[0].message.content.split(/\s+/).length, 50);
  });

  test('models list', async () => {
    const ids = [];
    for await (const m of client().models.list()) ids.push(m.id);
    assert.ok(ids.includes('gpt-4o'));
    const one = await client().models.retrieve('gpt-4o');
    assert.equal(one.object, 'model');
    await assert.rejects(client().models.retrieve('no-such-model'), OpenAI.NotFoundError);
  });
});

describe('openai tool calls', { timeout: 60_000 }, () => {
  const ask = [{ role: 'user', content: "What's the weather in Paris? call tool get_weather" }];

  test('tool call, non-streaming and streamed, then the round trip', async () => {
    const res = await client().chat.completions.create({ model: 'gpt-4o', messages: ask, tools: [WEATHER_TOOL] });
    const choice = res.choices[0];
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.content, null);
    assert.equal(choice.message.tool_calls.length, 1);
    const call = choice.message.tool_calls[0];
    assert.match(call.id, /^call_/);
    assert.equal(call.type, 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'sim-city', unit: 'celsius' });

    // Streamed deltas assemble into the same call.
    const stream = await client().chat.completions.create({
      model: 'gpt-4o',
      messages: ask,
      tools: [WEATHER_TOOL],
      stream: true,
      stream_options: { include_usage: true },
    });
    const calls = [];
    let finish = null;
    let usage = null;
    let fragments = 0;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      for (const ch of chunk.choices) {
        finish = ch.finish_reason ?? finish;
        for (const d of ch.delta.tool_calls ?? []) {
          if (d.id) {
            assert.equal(d.type, 'function');
            assert.equal(d.function.arguments, '');
            calls[d.index] = { id: d.id, type: d.type, function: { name: d.function.name, arguments: '' } };
          } else {
            assert.equal(d.function.name, undefined);
            calls[d.index].function.arguments += d.function.arguments;
            fragments += 1;
          }
        }
      }
    }
    assert.ok(fragments > 1, 'arguments arrive in several fragments');
    assert.equal(finish, 'tool_calls');
    assert.deepEqual(calls, [call]);
    assert.deepEqual(usage, res.usage);

    // Round trip: the tool result comes back quoted.
    const followUp = await client().chat.completions.create({
      model: 'gpt-4o',
      tools: [WEATHER_TOOL],
      messages: [
        ...ask,
        choice.message,
        { role: 'tool', tool_call_id: call.id, content: '{"temp_c": 18, "sky": "clear"}' },
      ],
    });
    assert.equal(followUp.choices[0].finish_reason, 'stop');
    assert.equal(followUp.choices[0].message.content, 'Tool result: {"temp_c": 18, "sky": "clear"}');
  });

  test('tool_choice forces a function without a directive', async () => {
    const res = await client().chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Anything.' }],
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    assert.equal(res.choices[0].message.tool_calls[0].function.name, 'get_weather');
  });

  test('no tool call without a directive, or with tool_choice none', async () => {
    const plain = await client().chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Just talk.' }],
      tools: [WEATHER_TOOL],
    });
    assert.equal(plain.choices[0].message.tool_calls, undefined);
    const none = await client().chat.completions.create({
      model: 'gpt-4o',
      messages: ask,
      tools: [WEATHER_TOOL],
      tool_choice: 'none',
    });
    assert.equal(none.choices[0].finish_reason, 'stop');
  });
});

describe('openai errors and faults', { timeout: 60_000 }, () => {
  const messages = [{ role: 'user', content: 'hi' }];

  test('wrong key -> AuthenticationError', async () => {
    const err = await client({ apiKey: 'sk-wrong' })
      .chat.completions.create({ model: 'gpt-4o', messages })
      .catch((e) => e);
    assert.ok(err instanceof OpenAI.AuthenticationError, `got ${err}`);
    assert.equal(err.status, 401);
    assert.equal(err.code, 'invalid_api_key');
    assert.equal(err.type, 'invalid_request_error');
  });

  test('bad request -> BadRequestError', async () => {
    const err = await client().chat.completions.create({ model: 'gpt-4o', messages: [] }).catch((e) => e);
    assert.ok(err instanceof OpenAI.BadRequestError, `got ${err}`);
    assert.equal(err.param, 'messages');
  });

  test('429 fault -> RateLimitError with Retry-After', async () => {
    const err = await client()
      .chat.completions.create({ model: 'gpt-4o', messages }, { headers: { 'x-sim-fault': '429' } })
      .catch((e) => e);
    assert.ok(err instanceof OpenAI.RateLimitError, `got ${err}`);
    assert.equal(err.code, 'rate_limit_exceeded');
    assert.equal(err.headers.get('retry-after'), '2');
    assert.equal(err.headers.get('x-ratelimit-remaining-requests'), '0');
  });

  test('500 fault (prompt directive) -> InternalServerError', async () => {
    const err = await client()
      .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi [[fault:500]]' }] })
      .catch((e) => e);
    assert.ok(err instanceof OpenAI.InternalServerError, `got ${err}`);
    assert.equal(err.status, 500);
  });

  test('reset-before-headers -> APIConnectionError', async () => {
    const err = await client()
      .chat.completions.create({ model: 'gpt-4o', messages }, { headers: { 'x-sim-fault': 'reset-before-headers' } })
      .catch((e) => e);
    assert.ok(err instanceof OpenAI.APIConnectionError, `got ${err}`);
  });

  test('reset-mid-stream ends the stream with an error after some chunks', async () => {
    const stream = await client().chat.completions.create(
      { model: 'gpt-4o', messages, stream: true },
      { headers: { 'x-sim-fault': 'reset-mid-stream' } },
    );
    let text = '';
    const err = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    })().catch((e) => e);
    assert.ok(err instanceof Error, 'the stream fails');
    assert.ok(text.length > 0, 'some text arrived first');
  });

  test('malformed-json in a stream -> the SDK throws', async () => {
    const stream = await client().chat.completions.create(
      { model: 'gpt-4o', messages, stream: true },
      { headers: { 'x-sim-fault': 'malformed-json' } },
    );
    const err = await (async () => {
      for await (const chunk of stream) void chunk;
    })().catch((e) => e);
    assert.ok(err instanceof SyntaxError, `got ${err}`);
  });

  test('slow-first-byte delays the headers', async () => {
    const t0 = Date.now();
    await client().chat.completions.create(
      { model: 'gpt-4o', messages },
      { headers: { 'x-sim-fault': 'slow-first-byte', 'x-sim-ttfb-ms': '300' } },
    );
    assert.ok(Date.now() - t0 >= 290);
  });

  test('stall: some events, then nothing until the client gives up', async () => {
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'x-sim-fault': 'stall' },
      body: JSON.stringify({ model: 'gpt-4o', messages, stream: true }),
    });
    assert.equal(res.status, 200);
    const reader = res.body.getReader();
    let received = '';
    const deadline = Date.now() + 800;
    let timedOut = false;
    while (!timedOut) {
      const next = reader.read();
      const timer = new Promise((r) => setTimeout(() => r('timeout'), Math.max(0, deadline - Date.now())));
      const got = await Promise.race([next, timer]);
      if (got === 'timeout') timedOut = true;
      else if (got.done) break;
      else received += new TextDecoder().decode(got.value);
    }
    assert.ok(timedOut, 'the stream stalls instead of ending');
    assert.ok(received.includes('"content":"You"'), 'the first tokens arrived');
    assert.ok(!received.includes('[DONE]'));
    await reader.cancel();
    // The simulator notices the client leaving and frees the stream.
    let active = 1;
    for (let i = 0; i < 40 && active > 0; i += 1) {
      await new Promise((r) => setTimeout(r, 50));
      active = (await control(base, 'GET', '/__sim/stats')).body.streams_active;
    }
    assert.equal(active, 0);
  });

  test('control endpoint: the next N requests fail, stats count them', async () => {
    await control(base, 'DELETE', '/__sim/stats');
    const set = await control(base, 'POST', '/__sim/faults', { kind: '503', count: 2 });
    assert.deepEqual(set, { status: 200, body: { kind: '503', remaining: 2 } });
    for (let i = 0; i < 2; i += 1) {
      const err = await client().chat.completions.create({ model: 'gpt-4o', messages }).catch((e) => e);
      assert.ok(err instanceof OpenAI.InternalServerError, `got ${err}`);
      assert.equal(err.status, 503);
    }
    const ok = await client().chat.completions.create({ model: 'gpt-4o', messages });
    assert.equal(ok.choices[0].finish_reason, 'stop');

    await control(base, 'POST', '/__sim/faults', { kind: '500', count: -1 });
    for (let i = 0; i < 3; i += 1) {
      await assert.rejects(client().chat.completions.create({ model: 'gpt-4o', messages }), OpenAI.InternalServerError);
    }
    const cleared = await control(base, 'DELETE', '/__sim/faults');
    assert.deepEqual(cleared.body, { kind: 'none', remaining: 0 });
    await client().chat.completions.create({ model: 'gpt-4o', messages });

    const stats = (await control(base, 'GET', '/__sim/stats')).body;
    assert.equal(stats.provider, 'openai');
    assert.equal(stats.requests, 7);
    assert.equal(stats.by_route['POST /v1/chat/completions'], 7);
    assert.deepEqual(stats.by_outcome, { 200: 2, 500: 3, 503: 2 });
    assert.deepEqual(stats.faults, { 500: 3, 503: 2 });
  });

  test('unknown fault kind -> 400', async () => {
    const err = await client()
      .chat.completions.create({ model: 'gpt-4o', messages }, { headers: { 'x-sim-fault': 'bogus' } })
      .catch((e) => e);
    assert.ok(err instanceof OpenAI.BadRequestError, `got ${err}`);
  });
});

describe('openai raw wire', { timeout: 30_000 }, () => {
  test('SSE framing: data-only events, [DONE] last', async () => {
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    assert.match(res.headers.get('content-type'), /^text\/event-stream/);
    const events = await readSse(res);
    assert.ok(events.every((e) => e.event === null));
    assert.equal(events.at(-1).data, '[DONE]');
  });

  test('bad JSON -> 400 error shape', async () => {
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: '{"model":',
    });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
    assert.equal(body.error.type, 'invalid_request_error');
  });

  test('missing key -> 401 invalid_api_key', async () => {
    const res = await fetch(`${base}/v1/models`);
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, 'invalid_api_key');
  });
});

describe('openai legacy completions', { timeout: 60_000 }, () => {
  test('an instruct model: text_completion whole and streamed, the same text and usage', async () => {
    const body = { model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 7 };
    const whole = await client().completions.create(body);
    assert.match(whole.id, /^cmpl-/);
    assert.equal(whole.object, 'text_completion');
    assert.match(whole.choices[0].text, /^You said: Say this is a test/);
    assert.equal(whole.choices[0].logprobs, null);
    assert.equal(whole.usage.prompt_tokens, 5);
    assert.equal(whole.usage.completion_tokens, 7);
    let text = '';
    let usage = null;
    let finish = null;
    for await (const chunk of await client().completions.create({
      ...body, stream: true, stream_options: { include_usage: true },
    })) {
      for (const c of chunk.choices) {
        text += c.text;
        finish = c.finish_reason ?? finish;
      }
      usage = chunk.usage ?? usage;
    }
    assert.equal(text, whole.choices[0].text);
    assert.equal(finish, whole.choices[0].finish_reason);
    assert.deepEqual(usage, whole.usage);
  });

  test('prompts x n choices, echo and logprobs', async () => {
    const r = await client().completions.create({
      model: 'davinci-002', prompt: ['one two', 'three'], n: 2, echo: true, logprobs: 1, max_tokens: 3,
    });
    assert.deepEqual(r.choices.map((c) => c.index), [0, 1, 2, 3]);
    assert.ok(r.choices[0].text.startsWith('one twoYou said:'), r.choices[0].text);
    assert.ok(r.choices[3].text.startsWith('threeYou said:'), r.choices[3].text);
    for (const c of r.choices) assert.equal(c.logprobs.tokens.join(''), c.text);
    assert.equal(r.usage.prompt_tokens, 3);
    assert.equal(r.usage.completion_tokens, 12);
  });

  test('a chat model on completions, and an instruct model on chat, are 404s as at OpenAI', async () => {
    await assert.rejects(client().completions.create({ model: 'gpt-4o', prompt: 'x' }),
      (e) => e instanceof OpenAI.NotFoundError && /chat model/.test(e.message));
    await assert.rejects(client().chat.completions.create({
      model: 'gpt-3.5-turbo-instruct', messages: [{ role: 'user', content: 'x' }],
    }), (e) => e instanceof OpenAI.NotFoundError && /v1\/completions/.test(e.message));
  });

  test('a bad prompt is a 400 naming it', async () => {
    await assert.rejects(client().completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: [1, 'x'] }),
      (e) => e instanceof OpenAI.BadRequestError && e.param === 'prompt');
  });
});
