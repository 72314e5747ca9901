// Fidelity of helix-cloudsim's Azure OpenAI API, proven with the official
// `openai` npm SDK's AzureOpenAI client (pinned in tests/clients/package-lock.json),
// with an api-key and with Entra bearer tokens from the simulator's
// client-credentials and managed-identity endpoints. Run: see tests/clients/README.md.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { control, importSdk, readSse, startSimulator } from './sim.mjs';

const { default: OpenAI, AzureOpenAI } = await importSdk('openai');

const KEY = 'sk-sim-azure';
const API_VERSION = '2024-10-21';
const DEPLOYMENT = 'gpt-4o';
const TENANT = 'test-tenant';
const CLIENT_ID = 'test-client-id';
const CLIENT_SECRET = 'test-client-secret';
const SCOPE = 'https://cognitiveservices.azure.com/.default';
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

const client = (opts = {}) =>
  new AzureOpenAI({ endpoint: base, apiKey: KEY, apiVersion: API_VERSION, deployment: DEPLOYMENT, maxRetries: 0, ...opts });

// Entra ID client credentials against the simulator's token endpoint (what
// @azure/identity's ClientSecretCredential posts).
async function clientCredentialsToken(simBase = base, secret = CLIENT_SECRET) {
  const res = await fetch(`${simBase}/${TENANT}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: secret, scope: SCOPE }),
  });
  return { status: res.status, body: await res.json() };
}

// Managed identity (IMDS) against the simulator (what ManagedIdentityCredential asks).
async function managedIdentityToken(simBase = base) {
  const url = `${simBase}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${encodeURIComponent('https://cognitiveservices.azure.com')}`;
  const res = await fetch(url, { headers: { Metadata: 'true' } });
  return { status: res.status, body: await res.json() };
}

before(() => {
  sim = startSimulator([
    '--providers', 'azure',
    '--azure-tenant', TENANT,
    '--azure-client-id', CLIENT_ID,
    '--azure-client-secret', CLIENT_SECRET,
  ]);
  base = sim.base('azure');
});
after(() => sim?.stop());

describe('azure chat completions (api-key)', { timeout: 60_000 }, () => {
  const messages = [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Hello there, how are you today?' },
  ];

  test('non-streaming: OpenAI shape plus prompt and content filter results', async () => {
    await control(base, 'DELETE', '/__sim/stats');
    const { data: res, response } = await client()
      .chat.completions.create({ model: DEPLOYMENT, messages })
      .withResponse();
    assert.equal(res.object, 'chat.completion');
    assert.equal(res.model, 'gpt-4o-2024-11-20', 'the underlying model, not the deployment');
    assert.match(res.choices[0].message.content, /^You said: Hello there, how are you today\?/);
    assert.equal(res.choices[0].finish_reason, 'stop');
    assert.equal(res.usage.prompt_tokens, 9);
    assert.equal(res.usage.completion_tokens, 20);
    assert.equal(res.prompt_filter_results[0].prompt_index, 0);
    assert.deepEqual(res.prompt_filter_results[0].content_filter_results.jailbreak, { filtered: false, detected: false });
    assert.deepEqual(res.choices[0].content_filter_results.violence, { filtered: false, severity: 'safe' });
    assert.ok(response.headers.get('apim-request-id'));
    const stats = (await control(base, 'GET', '/__sim/stats')).body;
    assert.equal(stats.by_route[`POST /openai/deployments/${DEPLOYMENT}/chat/completions`], 1);
  });

  test('streaming: a first chunk without choices carrying prompt_filter_results; same text; usage', async () => {
    const whole = await client().chat.completions.create({ model: DEPLOYMENT, messages });
    const stream = await client().chat.completions.create({
      model: DEPLOYMENT,
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const first = chunks[0];
    assert.deepEqual(first.choices, []);
    assert.equal(first.id, '');
    assert.equal(first.object, '');
    assert.equal(first.created, 0);
    assert.ok(first.prompt_filter_results.length === 1);
    let text = '';
    let finish = null;
    for (const c of chunks.slice(1)) {
      if (!c.choices.length) continue;
      assert.equal(c.object, 'chat.completion.chunk');
      assert.ok(c.choices[0].content_filter_results !== undefined, 'every choice carries content_filter_results');
      text += c.choices[0].delta.content ?? '';
      finish = c.choices[0].finish_reason ?? finish;
    }
    assert.equal(text, whole.choices[0].message.content);
    assert.equal(finish, 'stop');
    assert.deepEqual(chunks.at(-1).usage, whole.usage);
  });

  test("the SDK's stream helper assembles the reply despite the empty first chunk", async () => {
    const whole = await client().chat.completions.create({ model: DEPLOYMENT, messages });
    const stream = client().chat.completions.stream({ model: DEPLOYMENT, messages });
    let deltas = '';
    stream.on('content', (delta) => {
      deltas += delta;
    });
    const final = await stream.finalChatCompletion();
    assert.equal(final.choices[0].message.content, whole.choices[0].message.content);
    assert.equal(deltas, whole.choices[0].message.content);
  });

  test('tool call, non-streaming and streamed, then the round trip', async () => {
    const ask = [{ role: 'user', content: "What's the weather in Paris? call tool get_weather" }];
    const res = await client().chat.completions.create({ model: DEPLOYMENT, messages: ask, tools: [WEATHER_TOOL] });
    const choice = res.choices[0];
    assert.equal(choice.finish_reason, 'tool_calls');
    const call = choice.message.tool_calls[0];
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'sim-city', unit: 'celsius' });

    const stream = await client().chat.completions.create({
      model: DEPLOYMENT,
      messages: ask,
      tools: [WEATHER_TOOL],
      stream: true,
    });
    let args = '';
    let name = null;
    for await (const chunk of stream) {
      for (const ch of chunk.choices) {
        for (const d of ch.delta?.tool_calls ?? []) {
          name = d.function?.name ?? name;
          args += d.function?.arguments ?? '';
        }
      }
    }
    assert.equal(name, 'get_weather');
    assert.equal(args, call.function.arguments);

    const followUp = await client().chat.completions.create({
      model: DEPLOYMENT,
      tools: [WEATHER_TOOL],
      messages: [...ask, choice.message, { role: 'tool', tool_call_id: call.id, content: '{"temp_c": 18}' }],
    });
    assert.equal(followUp.choices[0].message.content, 'Tool result: {"temp_c": 18}');
  });

  test('deployment taken from the request model when the client names none', async () => {
    const res = await client({ deployment: undefined }).chat.completions.create({ model: 'gpt-4o-mini', messages });
    assert.equal(res.model, 'gpt-4o-mini-2024-07-18');
  });

  test('v1 surface: the stock OpenAI client with the key as bearer', async () => {
    const v1 = new OpenAI({ baseURL: `${base}/openai/v1/`, apiKey: KEY, maxRetries: 0 });
    const res = await v1.chat.completions.create({ model: DEPLOYMENT, messages });
    assert.match(res.choices[0].message.content, /^You said:/);
    assert.ok(res.prompt_filter_results);
  });
});

describe('azure Entra ID tokens', { timeout: 60_000 }, () => {
  const messages = [{ role: 'user', content: 'hi with a token' }];

  test('client credentials token through azureADTokenProvider (stream and not)', async () => {
    let calls = 0;
    const provider = async () => {
      calls += 1;
      const { status, body } = await clientCredentialsToken();
      assert.equal(status, 200);
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, 3600);
      return body.access_token;
    };
    const c = new AzureOpenAI({
      endpoint: base,
      azureADTokenProvider: provider,
      apiVersion: API_VERSION,
      deployment: DEPLOYMENT,
      maxRetries: 0,
    });
    const res = await c.chat.completions.create({ model: DEPLOYMENT, messages });
    assert.match(res.choices[0].message.content, /^You said: hi with a token/);
    const stream = await c.chat.completions.create({ model: DEPLOYMENT, messages, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    assert.equal(text, res.choices[0].message.content);
    assert.ok(calls >= 1);
  });

  test('managed identity token through azureADTokenProvider', async () => {
    const c = new AzureOpenAI({
      endpoint: base,
      azureADTokenProvider: async () => {
        const { status, body } = await managedIdentityToken();
        assert.equal(status, 200);
        assert.equal(body.resource, 'https://cognitiveservices.azure.com');
        assert.equal(typeof body.expires_in, 'string', 'IMDS writes numbers as strings');
        return body.access_token;
      },
      apiVersion: API_VERSION,
      deployment: DEPLOYMENT,
      maxRetries: 0,
    });
    const res = await c.chat.completions.create({ model: DEPLOYMENT, messages });
    assert.match(res.choices[0].message.content, /^You said:/);
  });

  test('token endpoints refuse bad requests with Entra / IMDS errors', async () => {
    const bad = await clientCredentialsToken(base, 'wrong-secret');
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error, 'invalid_client');
    assert.deepEqual(bad.body.error_codes, [7000215]);
    const scope = await fetch(`${base}/${TENANT}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        scope: 'https://cognitiveservices.azure.com',
      }),
    });
    assert.equal(scope.status, 400);
    assert.equal((await scope.json()).error, 'invalid_scope');
    const tenant = await fetch(`${base}/other-tenant/oauth2/v2.0/token`, { method: 'POST', body: 'grant_type=client_credentials' });
    assert.equal(tenant.status, 400);
    const noHeader = await fetch(`${base}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x`);
    assert.equal(noHeader.status, 400);
    assert.equal((await noHeader.json()).error_description, 'Required metadata header not specified');
  });

  test('a token for another audience, a forged token, an expired token -> AuthenticationError', async () => {
    const otherAudience = await fetch(
      `${base}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${encodeURIComponent('https://management.azure.com/')}`,
      { headers: { Metadata: 'true' } },
    ).then((r) => r.json());
    for (const token of [otherAudience.access_token, 'eyJhbGciOiJIUzI1NiJ9.e30.forged']) {
      const c = new AzureOpenAI({
        endpoint: base,
        azureADTokenProvider: async () => token,
        apiVersion: API_VERSION,
        deployment: DEPLOYMENT,
        maxRetries: 0,
      });
      const err = await c.chat.completions.create({ model: DEPLOYMENT, messages }).catch((e) => e);
      assert.ok(err instanceof OpenAI.AuthenticationError, `got ${err}`);
      assert.equal(err.status, 401);
    }

    const short = startSimulator([
      '--providers', 'azure', '--azure-tenant', TENANT, '--azure-client-id', CLIENT_ID,
      '--azure-client-secret', CLIENT_SECRET, '--azure-token-ttl-s', '2', // exp is whole seconds: 1 to 2 s
    ]);
    try {
      const shortBase = short.base('azure');
      const { body } = await clientCredentialsToken(shortBase);
      assert.equal(body.expires_in, 2);
      const c = new AzureOpenAI({
        endpoint: shortBase,
        azureADTokenProvider: async () => body.access_token, // a provider that never refreshes
        apiVersion: API_VERSION,
        deployment: DEPLOYMENT,
        maxRetries: 0,
      });
      await c.chat.completions.create({ model: DEPLOYMENT, messages });
      await new Promise((r) => setTimeout(r, 2100));
      const err = await c.chat.completions.create({ model: DEPLOYMENT, messages }).catch((e) => e);
      assert.ok(err instanceof OpenAI.AuthenticationError, `got ${err}`);
      assert.equal(err.code, '401');
    } finally {
      short.stop();
    }
  });
});

describe('azure errors and faults', { timeout: 60_000 }, () => {
  const messages = [{ role: 'user', content: 'hi' }];

  test('wrong key -> AuthenticationError (code "401")', async () => {
    const err = await client({ apiKey: 'wrong' }).chat.completions.create({ model: DEPLOYMENT, messages }).catch((e) => e);
    assert.ok(err instanceof OpenAI.AuthenticationError, `got ${err}`);
    assert.equal(err.status, 401);
    assert.equal(err.code, '401');
    assert.match(err.message, /invalid subscription key/);
  });

  test('content filter -> BadRequestError code content_filter with innererror', async () => {
    const err = await client()
      .chat.completions.create({ model: DEPLOYMENT, messages: [{ role: 'user', content: 'bad [[fault:content-filter]]' }] })
      .catch((e) => e);
    assert.ok(err instanceof OpenAI.BadRequestError, `got ${err}`);
    assert.equal(err.code, 'content_filter');
    assert.equal(err.param, 'prompt');
    assert.equal(err.error.innererror.code, 'ResponsibleAIPolicyViolation');
    assert.equal(err.error.innererror.content_filter_result.violence.filtered, true);
  });

  test('output filter: finish_reason content_filter after two tokens (whole and streamed)', async () => {
    const ask = [{ role: 'user', content: 'story [[fault:content-filter-output]]' }];
    const res = await client().chat.completions.create({ model: DEPLOYMENT, messages: ask });
    assert.equal(res.choices[0].finish_reason, 'content_filter');
    assert.equal(res.choices[0].message.content, 'You said:');
    assert.equal(res.choices[0].content_filter_results.violence.filtered, true);
    assert.equal(res.usage.completion_tokens, 2);
    const stream = await client().chat.completions.create({ model: DEPLOYMENT, messages: ask, stream: true });
    let text = '';
    let finish = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(text, 'You said:');
    assert.equal(finish, 'content_filter');
  });

  test('429 -> RateLimitError with retry-after and retry-after-ms', async () => {
    const err = await client()
      .chat.completions.create({ model: DEPLOYMENT, messages }, { headers: { 'x-sim-fault': '429' } })
      .catch((e) => e);
    assert.ok(err instanceof OpenAI.RateLimitError, `got ${err}`);
    assert.equal(err.code, '429');
    assert.equal(err.headers.get('retry-after'), '2');
    assert.equal(err.headers.get('retry-after-ms'), '2000');
    assert.match(err.message, new RegExp(`API version ${API_VERSION}`));
  });

  test('500 and 503 faults', async () => {
    const e500 = await client()
      .chat.completions.create({ model: DEPLOYMENT, messages: [{ role: 'user', content: 'x [[fault:500]]' }] })
      .catch((e) => e);
    assert.ok(e500 instanceof OpenAI.InternalServerError, `got ${e500}`);
    await control(base, 'POST', '/__sim/faults', { kind: '503', count: 1 });
    const e503 = await client().chat.completions.create({ model: DEPLOYMENT, messages }).catch((e) => e);
    assert.ok(e503 instanceof OpenAI.InternalServerError, `got ${e503}`);
    assert.equal(e503.status, 503);
  });

  test('unknown api-version -> BadRequestError; missing api-version -> 404 Resource not found', async () => {
    const err = await client({ apiVersion: '2020-01-01' })
      .chat.completions.create({ model: DEPLOYMENT, messages })
      .catch((e) => e);
    assert.ok(err instanceof OpenAI.BadRequestError, `got ${err}`);
    assert.match(err.message, /API version not supported/);

    const raw = await fetch(`${base}/openai/deployments/${DEPLOYMENT}/chat/completions`, {
      method: 'POST',
      headers: { 'api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ messages }),
    });
    assert.equal(raw.status, 404);
    assert.deepEqual(await raw.json(), { error: { code: '404', message: 'Resource not found' } });
  });

  test('reset-mid-stream and malformed-json break the stream in the SDK', async () => {
    for (const fault of ['reset-mid-stream', 'malformed-json']) {
      const stream = await client().chat.completions.create(
        { model: DEPLOYMENT, messages, stream: true },
        { headers: { 'x-sim-fault': fault } },
      );
      const err = await (async () => {
        for await (const chunk of stream) void chunk;
      })().catch((e) => e);
      assert.ok(err instanceof Error, `${fault}: got ${err}`);
    }
  });

  test('raw SSE framing: data-only events, prompt filter chunk first, [DONE] last', async () => {
    const res = await fetch(`${base}/openai/deployments/${DEPLOYMENT}/chat/completions?api-version=${API_VERSION}`, {
      method: 'POST',
      headers: { 'api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ messages, stream: true }),
    });
    assert.match(res.headers.get('content-type'), /^text\/event-stream/);
    const events = await readSse(res);
    assert.ok(events.every((e) => e.event === null));
    assert.deepEqual(JSON.parse(events[0].data).choices, []);
    assert.equal(events.at(-1).data, '[DONE]');
  });
});

describe('azure legacy completions (an instruct deployment)', { timeout: 60_000 }, () => {
  const instruct = () => client({ deployment: 'gpt-35-turbo-instruct' });

  test('completions.create whole and streamed: the same text, content filter results', async () => {
    const whole = await instruct().completions.create({ model: 'gpt-35-turbo-instruct', prompt: 'Hello there', max_tokens: 6 });
    assert.equal(whole.object, 'text_completion');
    assert.match(whole.choices[0].text, /^You said: Hello there/);
    assert.ok(whole.prompt_filter_results, JSON.stringify(whole));
    assert.ok(whole.choices[0].content_filter_results, JSON.stringify(whole.choices[0]));
    let text = '';
    for await (const chunk of await instruct().completions.create({
      model: 'gpt-35-turbo-instruct', prompt: 'Hello there', max_tokens: 6, stream: true,
    })) {
      for (const c of chunk.choices) text += c.text;
    }
    assert.equal(text, whole.choices[0].text);
  });

  test('a chat deployment refuses completions, an instruct deployment refuses chat (OperationNotSupported)', async () => {
    await assert.rejects(client().completions.create({ model: DEPLOYMENT, prompt: 'x' }),
      (e) => e instanceof OpenAI.BadRequestError && e.code === 'OperationNotSupported');
    await assert.rejects(instruct().chat.completions.create({
      model: 'gpt-35-turbo-instruct', messages: [{ role: 'user', content: 'x' }],
    }), (e) => e instanceof OpenAI.BadRequestError && e.code === 'OperationNotSupported');
  });
});
