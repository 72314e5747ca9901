// Fidelity of helix-cloudsim's Vertex AI OpenAI-compatible endpoint (Llama
// as a service), proven the way Google documents it: the official `openai`
// npm client with its base URL at the project's endpoints/openapi and, as its
// API key, an access token google-auth-library got for a service account
// (the simulator's own key file, whose token_uri is the simulator). Its
// errors are Google's, in a one-element array.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { importSdk, readSse, startSimulator } from './sim.mjs';

const { default: OpenAI } = await importSdk('openai');
const { GoogleAuth } = await importSdk('google-auth-library');

const MODEL = 'meta/llama-3.3-70b-instruct-maas';
const lookup = {
  type: 'function',
  function: { name: 'lookup', description: 'Look a word up', parameters: { type: 'object', properties: { word: { type: 'string' } }, required: ['word'] } },
};

let sim;
let token;
let base;
let client;
before(async () => {
  sim = startSimulator(['--providers', 'vertex']);
  const credentials = await (await fetch(`${sim.base('vertex')}/__vertex/service-account`)).json();
  // gtoken posts to Google's token URL whatever the key's token_uri says: its transport goes to the simulator.
  const toSim = (url, init) =>
    fetch(String(url) === 'https://oauth2.googleapis.com/token' ? `${sim.base('vertex')}/token` : url, init);
  const auth = new GoogleAuth({ credentials, scopes: 'https://www.googleapis.com/auth/cloud-platform',
    clientOptions: { transporterOptions: { fetchImplementation: toSim } } });
  token = await auth.getAccessToken();
  assert.match(token, /^ya29\./);
  base = `${sim.base('vertex')}/v1/projects/helix-test/locations/us-central1/endpoints/openapi`;
  client = new OpenAI({ baseURL: base, apiKey: token, maxRetries: 0, timeout: 20_000 });
});
after(() => sim?.stop());

const post = (body, headers = {}) =>
  fetch(`${base}/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('Vertex AI OpenAI-compatible endpoint through the openai client', { timeout: 60_000 }, () => {
  test('a completion and its stream agree, the stream with its usage chunk', async () => {
    const messages = [{ role: 'user', content: 'Explain quantum computing in simple terms' }];
    const whole = await client.chat.completions.create({ model: MODEL, messages });
    assert.equal(whole.object, 'chat.completion');
    assert.equal(whole.model, MODEL);
    assert.match(whole.choices[0].message.content, /quantum computing/);
    assert.equal(whole.choices[0].finish_reason, 'stop');
    assert.ok(whole.usage.prompt_tokens > 0 && whole.usage.completion_tokens > 0, JSON.stringify(whole.usage));

    const stream = await client.chat.completions.create({ model: MODEL, messages, stream: true,
      stream_options: { include_usage: true } });
    let text = '';
    let finish;
    let usage;
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      if (chunk.choices[0]?.delta?.content) text += chunk.choices[0].delta.content;
      if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, whole.choices[0].message.content);
    assert.equal(finish, 'stop');
    assert.equal(usage.completion_tokens, whole.usage.completion_tokens);
  });

  test('a tool call, and its result sent back', async () => {
    const ask = { role: 'user', content: 'What does serendipity mean? call tool lookup' };
    const first = await client.chat.completions.create({ model: MODEL, messages: [ask], tools: [lookup] });
    assert.equal(first.choices[0].finish_reason, 'tool_calls');
    const call = first.choices[0].message.tool_calls[0];
    assert.equal(call.function.name, 'lookup');
    assert.equal(typeof JSON.parse(call.function.arguments).word, 'string');
    const second = await client.chat.completions.create({
      model: MODEL,
      tools: [lookup],
      messages: [ask, first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: 'a happy accident' }],
    });
    assert.equal(second.choices[0].finish_reason, 'stop');
    assert.ok(second.choices[0].message.content.length > 0);
  });

  test('a streamed response ends with data: [DONE]', async () => {
    const res = await post({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /text\/event-stream/);
    const events = await readSse(res);
    assert.equal(events.at(-1).data, '[DONE]');
  });

  test("errors are Google's, in an array: a refused token, an unknown model, a bare id, quota", async () => {
    const wrong = await post({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }, { Authorization: 'Bearer ya29.forged' });
    assert.equal(wrong.status, 401);
    const [refused] = await wrong.json();
    assert.equal(refused.error.status, 'UNAUTHENTICATED');
    await assert.rejects(
      new OpenAI({ baseURL: base, apiKey: 'ya29.forged', maxRetries: 0 }).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }),
      (e) => e instanceof OpenAI.AuthenticationError,
    );

    const unknown = await post({ model: 'meta/llama-9-instruct-maas', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(unknown.status, 404);
    const [missing] = await unknown.json();
    assert.equal(missing.error.status, 'NOT_FOUND');
    assert.match(missing.error.message, /publishers\/meta\/models\/llama-9-instruct-maas/);
    await assert.rejects(
      client.chat.completions.create({ model: 'meta/llama-9-instruct-maas', messages: [{ role: 'user', content: 'hi' }] }),
      (e) => e instanceof OpenAI.NotFoundError,
    );

    const bare = await post({ model: 'llama-3.3-70b-instruct-maas', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(bare.status, 400);
    assert.equal((await bare.json())[0].error.status, 'INVALID_ARGUMENT');

    const invalid = await post({ model: MODEL, messages: [] });
    assert.equal(invalid.status, 400);
    assert.equal((await invalid.json())[0].error.status, 'INVALID_ARGUMENT');

    const quota = await post({ model: MODEL, messages: [{ role: 'user', content: 'hi [[fault:429]]' }] });
    assert.equal(quota.status, 429);
    const [exhausted] = await quota.json();
    assert.equal(exhausted.error.status, 'RESOURCE_EXHAUSTED');
    await assert.rejects(
      client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi [[fault:429]]' }] }),
      (e) => e instanceof OpenAI.RateLimitError,
    );
  });
});
