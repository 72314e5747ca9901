// Fidelity of helix-cloudsim's Bedrock Runtime, proven with the official
// `@aws-sdk/client-bedrock-runtime` npm SDK (pinned in tests/clients/package-lock.json):
// requests signed by the SDK (SigV4) and verified by the simulator, every
// ConverseStream event and exception frame parsed by the SDK, and temporary
// credentials from the simulator's STS / IMDS / container endpoints.
//
// Transport: since 3.798.0 the Bedrock Runtime client defaults to
// NodeHttp2Handler (HTTP/2, h2c prior knowledge for http:// endpoints,
// aws/aws-sdk-js-v3#7041); here the client is given the SDK's own HTTP/1.1
// handler, as OpenTelemetry's Bedrock tests do, and http2.test.mjs runs the
// default HTTP/2 transport. Everything above the transport is the SDK's default.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { control, importSdk, startSimulator } from './sim.mjs';

const sdk = await importSdk('@aws-sdk/client-bedrock-runtime');
const { NodeHttpHandler } = await importSdk('@smithy/node-http-handler');
const {
  BedrockRuntimeClient,
  BedrockRuntimeServiceException,
  ConverseCommand,
  ConverseStreamCommand,
  InternalServerException,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  ModelStreamErrorException,
  ModelTimeoutException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} = sdk;

const AKID = 'AKIDSIMEXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYSIMHELIXKY';
const CLAUDE = 'anthropic.claude-3-sonnet-20240229-v1:0';
const OPUS = 'anthropic.claude-3-opus-20240229-v1:0';
const LLAMA = 'meta.llama3-70b-instruct-v1:0';
const TITAN = 'amazon.titan-text-express-v1';
const WEATHER_TOOL = {
  toolSpec: {
    name: 'get_weather',
    description: 'Current weather for a city',
    inputSchema: {
      json: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] },
    },
  },
};

let sim;
let base;
const decoder = new TextDecoder();

function client(opts = {}) {
  return new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: base,
    credentials: { accessKeyId: AKID, secretAccessKey: SECRET },
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
    ...opts,
  });
}

// Records the raw HTTP response headers of every call of `c`.
function captureHeaders(c) {
  const seen = [];
  c.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      seen.push(out.response.headers);
      return out;
    },
    { step: 'deserialize', name: 'captureHeaders' },
  );
  return seen;
}

// Sends x-sim-fault (added before signing, so it is a signed header too).
function withFaultHeader(c, kind) {
  c.middlewareStack.add(
    (next) => async (args) => {
      args.request.headers['x-sim-fault'] = kind;
      return next(args);
    },
    { step: 'build', name: 'simFault' },
  );
  return c;
}

const userMessage = (text) => ({ role: 'user', content: [{ text }] });

async function collect(stream) {
  const events = [];
  for await (const ev of stream) events.push(ev);
  return events;
}

// Iterates a stream until it throws; returns [events, error].
async function collectUntilError(stream) {
  const events = [];
  try {
    for await (const ev of stream) events.push(ev);
  } catch (e) {
    return [events, e];
  }
  return [events, null];
}

before(() => {
  sim = startSimulator(['--providers', 'bedrock']);
  base = sim.base('bedrock');
});
after(() => sim?.stop());

describe('bedrock converse', { timeout: 60_000 }, () => {
  const params = {
    modelId: CLAUDE,
    system: [{ text: 'You are terse.' }],
    messages: [userMessage('Hello there, how are you today?')],
  };

  test('Converse: text, stop reason, honest usage, metrics, request id', async () => {
    const c = client();
    const headers = captureHeaders(c);
    const r = await c.send(new ConverseCommand(params));
    assert.equal(r.output.message.role, 'assistant');
    assert.equal(r.output.message.content.length, 1);
    assert.match(r.output.message.content[0].text, /^You said: Hello there, how are you today\?/);
    assert.equal(r.stopReason, 'end_turn');
    // Token rule: whitespace-separated words; system 3 + user 6.
    assert.deepEqual(r.usage, { inputTokens: 9, outputTokens: 20, totalTokens: 29 });
    assert.equal(typeof r.metrics.latencyMs, 'number');
    assert.match(r.$metadata.requestId, /^[0-9a-f-]{36}$/);
    assert.equal(r.$metadata.httpStatusCode, 200);
    assert.equal(headers[0]['content-type'], 'application/json');
    assert.ok(headers[0].date, 'a Date header (the SDK corrects clock skew with it)');
  });

  test('ConverseStream: every event type parsed, same text and usage as Converse', async () => {
    const whole = await client().send(new ConverseCommand(params));
    const c = client();
    const headers = captureHeaders(c);
    const r = await c.send(new ConverseStreamCommand(params));
    const events = await collect(r.stream);
    assert.equal(headers[0]['content-type'], 'application/vnd.amazon.eventstream');
    for (const ev of events) assert.equal(Object.keys(ev).length, 1, JSON.stringify(ev));
    const kinds = events.map((ev) => Object.keys(ev)[0]);
    assert.equal(kinds[0], 'messageStart');
    assert.equal(events[0].messageStart.role, 'assistant');
    // Text blocks start with their first delta: no contentBlockStart.
    assert.ok(!kinds.includes('contentBlockStart'));
    assert.equal(kinds.filter((k) => k === 'contentBlockDelta').length, 20);
    assert.deepEqual(kinds.slice(-3), ['contentBlockStop', 'messageStop', 'metadata']);
    const text = events
      .filter((ev) => ev.contentBlockDelta)
      .map((ev) => {
        assert.equal(ev.contentBlockDelta.contentBlockIndex, 0);
        return ev.contentBlockDelta.delta.text;
      })
      .join('');
    assert.equal(text, whole.output.message.content[0].text);
    assert.equal(events.at(-2).messageStop.stopReason, 'end_turn');
    assert.deepEqual(events.at(-1).metadata.usage, whole.usage);
    assert.equal(typeof events.at(-1).metadata.metrics.latencyMs, 'number');
  });

  test('inferenceConfig.maxTokens cuts the reply (max_tokens)', async () => {
    const r = await client().send(new ConverseCommand({ ...params, inferenceConfig: { maxTokens: 4 } }));
    assert.equal(r.stopReason, 'max_tokens');
    assert.equal(r.usage.outputTokens, 4);
  });

  test('the default catalog models and a percent-encoded inference profile ARN', async () => {
    for (const modelId of [
      OPUS,
      LLAMA,
      TITAN,
      `arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.${CLAUDE}`,
    ]) {
      const r = await client().send(new ConverseCommand({ modelId, messages: [userMessage('Hi from a test')] }));
      assert.match(r.output.message.content[0].text, /^You said: Hi from a test/, modelId);
    }
  });

  test('an unknown model id -> ValidationException', async () => {
    const err = await client()
      .send(new ConverseCommand({ modelId: 'acme.unknown-model-v1', messages: [userMessage('hi')] }))
      .catch((e) => e);
    assert.ok(err instanceof ValidationException, `got ${err}`);
    assert.equal(err.message, 'The provided model identifier is invalid.');
    assert.equal(err.$metadata.httpStatusCode, 400);
  });

  test('an invalid conversation -> ValidationException with Bedrock\'s message', async () => {
    const err = await client()
      .send(new ConverseCommand({ modelId: CLAUDE, messages: [userMessage('a'), userMessage('b')] }))
      .catch((e) => e);
    assert.ok(err instanceof ValidationException, `got ${err}`);
    assert.match(err.message, /must alternate between user and assistant roles/);
  });
});

describe('bedrock tool use', { timeout: 60_000 }, () => {
  const ask = userMessage('Weather in Paris? call tool get_weather');
  const params = { modelId: CLAUDE, messages: [ask], toolConfig: { tools: [WEATHER_TOOL] } };

  test('Converse toolUse, ConverseStream toolUse (contentBlockStart + input deltas), toolResult round trip', async () => {
    const r = await client().send(new ConverseCommand(params));
    assert.equal(r.stopReason, 'tool_use');
    const use = r.output.message.content[0].toolUse;
    assert.match(use.toolUseId, /^tooluse_/);
    assert.equal(use.name, 'get_weather');
    assert.deepEqual(use.input, { city: 'sim-city', days: 42 });
    assert.deepEqual(r.usage, { inputTokens: 6, outputTokens: 2, totalTokens: 8 });

    const s = await client().send(new ConverseStreamCommand(params));
    const events = await collect(s.stream);
    const kinds = events.map((ev) => Object.keys(ev)[0]);
    assert.deepEqual(kinds.slice(0, 2), ['messageStart', 'contentBlockStart']);
    assert.deepEqual(events[1].contentBlockStart, {
      contentBlockIndex: 0,
      start: { toolUse: { toolUseId: use.toolUseId, name: 'get_weather' } },
    });
    const input = events
      .filter((ev) => ev.contentBlockDelta)
      .map((ev) => ev.contentBlockDelta.delta.toolUse.input)
      .join('');
    assert.deepEqual(JSON.parse(input), use.input);
    assert.ok(events.filter((ev) => ev.contentBlockDelta).length > 1, 'input arrives in fragments');
    assert.deepEqual(kinds.slice(-3), ['contentBlockStop', 'messageStop', 'metadata']);
    assert.equal(events.at(-2).messageStop.stopReason, 'tool_use');
    assert.deepEqual(events.at(-1).metadata.usage, r.usage);

    const followUp = await client().send(
      new ConverseCommand({
        ...params,
        messages: [
          ask,
          r.output.message,
          { role: 'user', content: [{ toolResult: { toolUseId: use.toolUseId, content: [{ text: '18 degrees, clear' }] } }] },
        ],
      }),
    );
    assert.equal(followUp.stopReason, 'end_turn');
    assert.equal(followUp.output.message.content[0].text, 'Tool result: 18 degrees, clear');
  });

  test('toolChoice {tool} forces the tool', async () => {
    const r = await client().send(
      new ConverseCommand({
        modelId: CLAUDE,
        messages: [userMessage('anything')],
        toolConfig: { tools: [WEATHER_TOOL], toolChoice: { tool: { name: 'get_weather' } } },
      }),
    );
    assert.equal(r.output.message.content[0].toolUse.name, 'get_weather');
  });
});

describe('bedrock invoke (model-native bodies)', { timeout: 60_000 }, () => {
  const invoke = async (modelId, body) => {
    const r = await client().send(
      new InvokeModelCommand({ modelId, contentType: 'application/json', accept: 'application/json', body: JSON.stringify(body) }),
    );
    assert.equal(r.contentType, 'application/json');
    return JSON.parse(decoder.decode(r.body));
  };
  const invokeStream = async (modelId, body) => {
    const r = await client().send(
      new InvokeModelWithResponseStreamCommand({ modelId, contentType: 'application/json', body: JSON.stringify(body) }),
    );
    const chunks = [];
    for await (const ev of r.body) {
      assert.ok(ev.chunk, JSON.stringify(ev));
      chunks.push(JSON.parse(decoder.decode(ev.chunk.bytes)));
    }
    return chunks;
  };
  const claudeBody = {
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: 100,
    system: 'Be brief.',
    messages: [{ role: 'user', content: 'Hello claude on bedrock' }],
  };

  test('claude: Anthropic messages body, stream of Anthropic events with invocation metrics', async () => {
    const msg = await invoke(CLAUDE, claudeBody);
    assert.match(msg.id, /^msg_bdrk_/);
    assert.equal(msg.type, 'message');
    assert.equal(msg.model, 'claude-3-sonnet-20240229');
    assert.match(msg.content[0].text, /^You said: Hello claude on bedrock/);
    assert.equal(msg.stop_reason, 'end_turn');
    assert.equal(msg.usage.input_tokens, 6);
    assert.equal(msg.usage.output_tokens, 20);

    const chunks = await invokeStream(CLAUDE, claudeBody);
    assert.equal(chunks[0].type, 'message_start');
    assert.equal(chunks.at(-1).type, 'message_stop');
    const text = chunks.filter((c) => c.type === 'content_block_delta').map((c) => c.delta.text).join('');
    assert.equal(text, msg.content[0].text);
    const metrics = chunks.at(-1)['amazon-bedrock-invocationMetrics'];
    assert.equal(metrics.inputTokenCount, 6);
    assert.equal(metrics.outputTokenCount, 20);
    assert.equal(typeof metrics.invocationLatency, 'number');
  });

  test('llama: prompt/generation', async () => {
    const prompt =
      '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHello llama<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n';
    const out = await invoke(LLAMA, { prompt, max_gen_len: 6, temperature: 0.5 });
    assert.match(out.generation, /^You said: Hello llama/);
    assert.equal(out.generation_token_count, 6);
    assert.equal(out.stop_reason, 'length');
    assert.equal(typeof out.prompt_token_count, 'number');
    const chunks = await invokeStream(LLAMA, { prompt, max_gen_len: 6 });
    assert.equal(chunks.map((c) => c.generation).join(''), out.generation);
    assert.equal(chunks.at(-1).stop_reason, 'length');
    assert.ok(chunks.at(-1)['amazon-bedrock-invocationMetrics']);
  });

  test('titan: inputText/results', async () => {
    const out = await invoke(TITAN, { inputText: 'User: Hello titan\nBot:', textGenerationConfig: { maxTokenCount: 50 } });
    assert.equal(out.inputTextTokenCount, 4);
    assert.equal(out.results[0].completionReason, 'FINISH');
    assert.equal(out.results[0].tokenCount, 20);
    assert.match(out.results[0].outputText, /^You said: Hello titan/);
    const chunks = await invokeStream(TITAN, { inputText: 'User: Hello titan\nBot:' });
    assert.equal(chunks.map((c) => c.outputText).join(''), out.results[0].outputText);
    assert.equal(chunks.at(-1).completionReason, 'FINISH');
  });

  test('a native body Bedrock rejects -> ValidationException', async () => {
    const err = await client()
      .send(new InvokeModelCommand({ modelId: CLAUDE, body: JSON.stringify({ max_tokens: 5, messages: [] }) }))
      .catch((e) => e);
    assert.ok(err instanceof ValidationException, `got ${err}`);
    assert.match(err.message, /required key \[anthropic_version\] not found/);
  });
});

describe('bedrock SigV4', { timeout: 60_000 }, () => {
  const params = { modelId: CLAUDE, messages: [userMessage('hi')] };

  test('a wrong secret key -> InvalidSignatureException (403)', async () => {
    const err = await client({ credentials: { accessKeyId: AKID, secretAccessKey: 'not-the-secret' } })
      .send(new ConverseCommand(params))
      .catch((e) => e);
    assert.ok(err instanceof BedrockRuntimeServiceException, `got ${err}`);
    assert.equal(err.name, 'InvalidSignatureException');
    assert.equal(err.$fault, 'client');
    assert.equal(err.$metadata.httpStatusCode, 403);
    assert.match(err.message, /^The request signature we calculated does not match the signature you provided/);
  });

  test('an unknown access key -> UnrecognizedClientException', async () => {
    const err = await client({ credentials: { accessKeyId: 'AKIDNOBODY', secretAccessKey: SECRET } })
      .send(new ConverseCommand(params))
      .catch((e) => e);
    assert.equal(err.name, 'UnrecognizedClientException');
    assert.equal(err.message, 'The security token included in the request is invalid.');
  });

  test('a scope for another region -> InvalidSignatureException', async () => {
    const err = await client({ region: 'eu-west-1' }).send(new ConverseCommand(params)).catch((e) => e);
    assert.equal(err.name, 'InvalidSignatureException');
    assert.match(err.message, /eu-west-1/);
  });

  test('more than 5 minutes of clock skew -> "Signature expired"; the SDK corrects it from Date and retries', async () => {
    const err = await client({ systemClockOffset: -10 * 60_000 }).send(new ConverseCommand(params)).catch((e) => e);
    assert.equal(err.name, 'InvalidSignatureException');
    assert.match(err.message, /^Signature expired/);
    const c = client({ systemClockOffset: -10 * 60_000, maxAttempts: 2 });
    const r = await c.send(new ConverseCommand(params));
    assert.equal(r.stopReason, 'end_turn');
    assert.equal(r.$metadata.attempts, 2);
    assert.ok(Math.abs(c.config.systemClockOffset) < 60_000, `offset now ${c.config.systemClockOffset}`);
  });

  test('an unsigned request -> 403 MissingAuthenticationTokenException in AWS\'s JSON shape', async () => {
    const res = await fetch(`${base}/model/${encodeURIComponent(CLAUDE)}/converse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    assert.equal(res.status, 403);
    assert.match(res.headers.get('x-amzn-errortype'), /^MissingAuthenticationTokenException:/);
    assert.ok(res.headers.get('x-amzn-requestid'));
    assert.deepEqual(await res.json(), { message: 'Missing Authentication Token' });
  });
});

describe('bedrock temporary credentials', { timeout: 60_000 }, () => {
  const params = { modelId: CLAUDE, messages: [userMessage('hi')] };
  const xml = (doc, name) => doc.match(new RegExp(`<${name}>([^<]*)</${name}>`))?.[1];

  async function assumeRoleWithWebIdentity(at = base) {
    const res = await fetch(`${at}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: new URLSearchParams({
        Action: 'AssumeRoleWithWebIdentity',
        Version: '2011-06-15',
        RoleArn: 'arn:aws:iam::123456789012:role/helix-test',
        RoleSessionName: 'fidelity',
        WebIdentityToken: 'eyJhbGciOiJSUzI1NiJ9.e30.test',
      }),
    });
    assert.equal(res.status, 200);
    const doc = await res.text();
    return {
      accessKeyId: xml(doc, 'AccessKeyId'),
      secretAccessKey: xml(doc, 'SecretAccessKey'),
      sessionToken: xml(doc, 'SessionToken'),
      expiration: new Date(xml(doc, 'Expiration')),
    };
  }

  test('STS credentials (raw fetch) sign Converse and ConverseStream; the session token is required', async () => {
    const creds = await assumeRoleWithWebIdentity();
    assert.match(creds.accessKeyId, /^ASIA/);
    assert.ok(creds.expiration > new Date());
    const r = await client({ credentials: creds }).send(new ConverseCommand(params));
    assert.equal(r.stopReason, 'end_turn');
    const s = await client({ credentials: creds }).send(new ConverseStreamCommand(params));
    assert.equal((await collect(s.stream)).at(-1).metadata.usage.inputTokens, 1);

    const { sessionToken, ...withoutToken } = creds;
    const err = await client({ credentials: withoutToken }).send(new ConverseCommand(params)).catch((e) => e);
    assert.equal(err.name, 'UnrecognizedClientException');
    const wrong = await client({ credentials: { ...creds, sessionToken: `${sessionToken}x` } })
      .send(new ConverseCommand(params))
      .catch((e) => e);
    assert.equal(wrong.name, 'UnrecognizedClientException');
  });

  test('IMDSv2 credentials (raw fetch: token PUT, role, credentials)', async () => {
    const unauthorized = await fetch(`${base}/latest/meta-data/iam/security-credentials/`);
    assert.equal(unauthorized.status, 401);
    const token = await (
      await fetch(`${base}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' } })
    ).text();
    const h = { 'x-aws-ec2-metadata-token': token };
    const role = await (await fetch(`${base}/latest/meta-data/iam/security-credentials/`, { headers: h })).text();
    const doc = await (await fetch(`${base}/latest/meta-data/iam/security-credentials/${role}`, { headers: h })).json();
    assert.equal(doc.Code, 'Success');
    const creds = { accessKeyId: doc.AccessKeyId, secretAccessKey: doc.SecretAccessKey, sessionToken: doc.Token };
    const r = await client({ credentials: creds }).send(new ConverseCommand(params));
    assert.equal(r.stopReason, 'end_turn');
  });

  // The SDK's own default credential chain (no credentials option) finding the simulator.
  const chainCases = {
    'IMDSv2 (AWS_EC2_METADATA_SERVICE_ENDPOINT)': () => ({ AWS_EC2_METADATA_SERVICE_ENDPOINT: base }),
    'container full URI with an authorization token': () => ({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${base}/v1/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: 'sim-container-token',
    }),
    'web identity token file + STS (AWS_ENDPOINT_URL_STS)': (dir) => {
      const file = path.join(dir, 'token');
      writeFileSync(file, 'eyJhbGciOiJSUzI1NiJ9.e30.test');
      return {
        AWS_WEB_IDENTITY_TOKEN_FILE: file,
        AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/helix-test',
        AWS_ROLE_SESSION_NAME: 'fidelity',
        AWS_ENDPOINT_URL_STS: base,
        AWS_REGION: 'us-east-1',
      };
    },
  };
  for (const [name, envFor] of Object.entries(chainCases)) {
    test(`the SDK's default credential chain: ${name}`, async () => {
      const saved = { ...process.env };
      const dir = mkdtempSync(path.join(tmpdir(), 'bedrock-chain-'));
      try {
        for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
        process.env.AWS_CONFIG_FILE = path.join(dir, 'no-config');
        process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dir, 'no-credentials');
        Object.assign(process.env, envFor(dir));
        const c = new BedrockRuntimeClient({
          region: 'us-east-1',
          endpoint: base,
          requestHandler: new NodeHttpHandler(),
          maxAttempts: 1,
        });
        const r = await c.send(new ConverseCommand(params));
        assert.equal(r.stopReason, 'end_turn');
        const creds = await c.config.credentials();
        assert.match(creds.accessKeyId, /^ASIA/);
        assert.ok(creds.sessionToken);
        assert.ok(creds.expiration > new Date());
      } finally {
        for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
        Object.assign(process.env, saved);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test('expired temporary credentials -> ExpiredTokenException', async () => {
    const short = startSimulator(['--providers', 'bedrock', '--aws-credentials-ttl-s', '1']);
    try {
      const at = short.base('bedrock');
      const creds = await assumeRoleWithWebIdentity(at);
      await new Promise((r) => setTimeout(r, 1500));
      const err = await client({ endpoint: at, credentials: creds }).send(new ConverseCommand(params)).catch((e) => e);
      assert.equal(err.name, 'ExpiredTokenException');
      assert.equal(err.$metadata.httpStatusCode, 403);
    } finally {
      short.stop();
    }
  });
});

describe('bedrock faults', { timeout: 60_000 }, () => {
  const faulty = (kind, text = 'Hello there friend') => ({
    modelId: CLAUDE,
    messages: [userMessage(`${text} [[fault:${kind}]]`)],
  });

  test('429 -> ThrottlingException with Bedrock\'s shape; the SDK retries it', async () => {
    const err = await client().send(new ConverseCommand(faulty('429'))).catch((e) => e);
    assert.ok(err instanceof ThrottlingException, `got ${err}`);
    assert.equal(err.$metadata.httpStatusCode, 429);
    assert.match(err.message, /^Too many requests/);

    // Programmed on the fault board for one request: the SDK's standard retry gets through.
    await control(base, 'POST', '/__sim/faults', { kind: '429', count: 1 });
    const r = await client({ maxAttempts: 3 }).send(new ConverseCommand({ modelId: CLAUDE, messages: [userMessage('hi')] }));
    assert.equal(r.$metadata.attempts, 2);
  });

  test('500 -> InternalServerException, 503 -> ServiceUnavailableException (x-sim-fault header)', async () => {
    const params = { modelId: CLAUDE, messages: [userMessage('hi')] };
    const e500 = await withFaultHeader(client(), '500').send(new ConverseCommand(params)).catch((e) => e);
    assert.ok(e500 instanceof InternalServerException, `got ${e500}`);
    assert.equal(e500.$fault, 'server');
    const e503 = await withFaultHeader(client(), '503').send(new ConverseStreamCommand(params)).catch((e) => e);
    assert.ok(e503 instanceof ServiceUnavailableException, `got ${e503}`);
    assert.equal(e503.$metadata.httpStatusCode, 503);
  });

  const exceptionFrames = {
    throttlingException: ThrottlingException,
    modelStreamErrorException: ModelStreamErrorException,
    serviceUnavailableException: ServiceUnavailableException,
    internalServerException: InternalServerException,
    validationException: ValidationException,
  };
  for (const [member, ExceptionClass] of Object.entries(exceptionFrames)) {
    test(`ConverseStream exception frame ${member} -> ${ExceptionClass.name} mid-stream`, async () => {
      const s = await client().send(new ConverseStreamCommand(faulty(`exception-frame:${member}`)));
      const [events, err] = await collectUntilError(s.stream);
      assert.ok(err instanceof ExceptionClass, `got ${err}`);
      assert.match(err.message, /\(simulated\)$/);
      if (member === 'modelStreamErrorException') assert.equal(err.originalStatusCode, 500);
      assert.deepEqual(
        events.map((ev) => Object.keys(ev)[0]),
        ['messageStart', 'contentBlockDelta', 'contentBlockDelta'],
      );
    });
  }

  test('exception-frame (default: throttlingException) on InvokeModelWithResponseStream, and modelTimeoutException', async () => {
    const body = JSON.stringify({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'hi [[fault:exception-frame]]' }],
    });
    let r = await client().send(new InvokeModelWithResponseStreamCommand({ modelId: CLAUDE, body }));
    let [, err] = await collectUntilError(r.body);
    assert.ok(err instanceof ThrottlingException, `got ${err}`);
    r = await client().send(
      new InvokeModelWithResponseStreamCommand({
        modelId: CLAUDE,
        body: body.replace('exception-frame', 'exception-frame:modelTimeoutException'),
      }),
    );
    [, err] = await collectUntilError(r.body);
    assert.ok(err instanceof ModelTimeoutException, `got ${err}`);
  });

  test('bad-crc: the SDK rejects the frame with the wrong message CRC', async () => {
    const s = await client().send(new ConverseStreamCommand(faulty('bad-crc')));
    const [events, err] = await collectUntilError(s.stream);
    assert.ok(err, 'the stream must fail');
    assert.match(String(err.message), /checksum/i);
    assert.equal(events.filter((ev) => ev.contentBlockDelta).length, 2);
  });

  test('malformed-json: a well-framed event whose JSON is cut short fails in the SDK', async () => {
    const s = await client().send(new ConverseStreamCommand(faulty('malformed-json')));
    const [events, err] = await collectUntilError(s.stream);
    assert.ok(err, 'the stream must fail');
    assert.equal(events.filter((ev) => ev.contentBlockDelta).length, 2);
  });

  test('reset-mid-stream and reset-before-headers fail the call', async () => {
    const s = await client().send(new ConverseStreamCommand(faulty('reset-mid-stream')));
    const [events, err] = await collectUntilError(s.stream);
    assert.ok(err, 'the stream must fail');
    assert.ok(events.length >= 1);
    const e = await client().send(new ConverseCommand(faulty('reset-before-headers'))).catch((x) => x);
    assert.ok(e instanceof Error);
    assert.ok(!(e instanceof BedrockRuntimeServiceException), `a transport error, got ${e.name}`);
  });

  test('stats count the calls', async () => {
    const { status, body } = await control(base, 'GET', '/__sim/stats');
    assert.equal(status, 200);
    assert.equal(body.provider, 'bedrock');
    assert.ok(body.by_route[`POST /model/${encodeURIComponent(CLAUDE)}/converse-stream`] > 0);
    assert.ok(body.faults['429'] >= 2);
  });
});
