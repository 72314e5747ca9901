// Fidelity of helix-cloudsim's Vertex AI API, proven with the official
// `@google/genai` npm SDK in Vertex mode (pinned in tests/clients/package-lock.json)
// and its own auth layer (google-auth-library): a service-account key file the
// test generates (the SDK signs the RS256 JWT assertion itself and exchanges it
// at the simulator's /token), and the GCE metadata server (ADC). Run: see
// tests/clients/README.md.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { control, importSdk, startSimulator } from './sim.mjs';

const { GoogleGenAI, Type, ApiError, FinishReason } = await importSdk('@google/genai');

const API_KEY = 'sim-vertex-api-key';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const PROJECT = 'helix-test';
const LOCATION = 'us-central1';
const MODEL = 'gemini-2.0-flash';

const WEATHER = {
  functionDeclarations: [
    {
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: {
        type: Type.OBJECT,
        properties: {
          city: { type: Type.STRING },
          unit: { type: Type.STRING, enum: ['celsius', 'fahrenheit'] },
        },
        required: ['city'],
      },
    },
  ],
};

// A service account of the test's own: a fresh RSA key pair, never a real credential.
function makeServiceAccount(name, tokenUri) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const email = `${name}@${PROJECT}.iam.gserviceaccount.com`;
  const keyFile = {
    type: 'service_account',
    project_id: PROJECT,
    private_key_id: randomBytes(20).toString('hex'),
    private_key: privateKey,
    client_email: email,
    client_id: '1000000000000000000' + String(Math.floor(Math.random() * 10)),
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: tokenUri,
    auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(email)}`,
    universe_domain: 'googleapis.com',
  };
  return { keyFile, publicKey, email };
}

// An RS256 JWT-bearer assertion signed by hand (for the raw-HTTP checks).
function assertion(account, claims = {}) {
  const now = Math.floor(Date.now() / 1000);
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: account.keyFile.private_key_id })}.${b64({
    iss: account.email,
    scope: SCOPE,
    aud: GOOGLE_TOKEN_URL,
    iat: now,
    exp: now + 3600,
    ...claims,
  })}`;
  return `${input}.${sign('sha256', Buffer.from(input), account.keyFile.private_key).toString('base64url')}`;
}

async function exchange(base, jwt) {
  const res = await fetch(`${base}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt }),
  });
  return { status: res.status, body: await res.json() };
}

let dir;
let sim;
let base;
let account;
let keyPath;

// google-auth-library (gtoken) always posts the assertion to Google's token URL
// (it ignores the key file's token_uri; docs/providers.md, gcp-vertex): its HTTP transport
// is pointed at the simulator instead. The SDK still reads the key file, signs
// the assertion, exchanges it and caches and refreshes the token itself.
function redirectingFetch(tokenUrl, seen) {
  return (url, init) => {
    const target = String(url) === GOOGLE_TOKEN_URL ? tokenUrl : url;
    if (seen) seen.push(String(target));
    return fetch(target, init);
  };
}

function saClient(keyFilename, simBase = base, seen = undefined, headers = undefined) {
  return new GoogleGenAI({
    vertexai: true,
    project: PROJECT,
    location: LOCATION,
    httpOptions: { baseUrl: simBase, apiVersion: 'v1', headers },
    googleAuthOptions: {
      keyFilename,
      clientOptions: { transporterOptions: { fetchImplementation: redirectingFetch(`${simBase}/token`, seen) } },
    },
  });
}

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vertex-sa-'));
  // The simulator trusts this account's public key from the start
  // (--vertex-sa-public-key with {client_email, private_key_id, public_key}; a
  // bare PEM public key would be trusted for any client_email).
  account = makeServiceAccount('fidelity', 'http://127.0.0.1:1/token');
  const publicKeyPath = path.join(dir, 'fidelity.pub.json');
  writeFileSync(
    publicKeyPath,
    JSON.stringify({
      client_email: account.email,
      private_key_id: account.keyFile.private_key_id,
      public_key: account.publicKey,
    }),
  );
  sim = startSimulator(['--providers', 'vertex', '--vertex-sa-public-key', publicKeyPath]);
  base = sim.base('vertex');
  account.keyFile.token_uri = `${base}/token`;
  keyPath = path.join(dir, 'fidelity.json');
  writeFileSync(keyPath, JSON.stringify(account.keyFile));
});
after(() => {
  sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('vertex generateContent through the SDK (service-account JWT flow)', { timeout: 60_000 }, () => {
  const contents = 'Hello there, how are you today?';

  test('text reply, usage, finish reason; the SDK got its token from /token', async () => {
    await control(base, 'DELETE', '/__sim/stats');
    const seen = [];
    const ai = saClient(keyPath, base, seen);
    const res = await ai.models.generateContent({
      model: MODEL,
      contents,
      config: { systemInstruction: 'You are terse.' },
    });
    assert.match(res.text, /^You said: Hello there, how are you today\?/);
    assert.equal(res.candidates.length, 1);
    assert.equal(res.candidates[0].finishReason, FinishReason.STOP);
    assert.equal(res.candidates[0].content.role, 'model');
    // Token rule: whitespace-separated words; "You are terse." = 3, the prompt = 6.
    assert.equal(res.usageMetadata.promptTokenCount, 9);
    assert.equal(res.usageMetadata.candidatesTokenCount, 20);
    assert.equal(res.usageMetadata.totalTokenCount, 29);
    assert.equal(res.modelVersion, MODEL);
    assert.ok(res.responseId);
    assert.deepEqual(seen, [`${base}/token`], 'one token exchange, at the simulator');
    const stats = (await control(base, 'GET', '/__sim/stats')).body;
    assert.equal(stats.by_route['POST /token'], 1);
    assert.equal(
      stats.by_route[`POST /v1/projects/${PROJECT}/locations/${LOCATION}/publishers/google/models/${MODEL}:generateContent`],
      1,
    );
    // The cached token serves the next call.
    await ai.models.generateContent({ model: MODEL, contents: 'again' });
    assert.equal(seen.length, 1);
  });

  test('streamed text equals the whole text; usage and finish on the last chunk', async () => {
    const ai = saClient(keyPath);
    const whole = await ai.models.generateContent({ model: MODEL, contents });
    const stream = await ai.models.generateContentStream({ model: MODEL, contents });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.ok(chunks.length > 2, 'several chunks');
    assert.equal(chunks.map((c) => c.text ?? '').join(''), whole.text);
    const last = chunks.at(-1);
    assert.equal(last.candidates[0].finishReason, FinishReason.STOP);
    assert.equal(last.usageMetadata.totalTokenCount, whole.usageMetadata.totalTokenCount);
    assert.equal(last.usageMetadata.candidatesTokenCount, whole.usageMetadata.candidatesTokenCount);
    for (const c of chunks.slice(0, -1)) assert.equal(c.candidates[0].finishReason, undefined);
  });

  test('function call, whole and streamed, then the function response round trip', async () => {
    const ai = saClient(keyPath);
    const ask = "What's the weather in Paris? call tool get_weather";
    const res = await ai.models.generateContent({ model: MODEL, contents: ask, config: { tools: [WEATHER] } });
    assert.equal(res.functionCalls.length, 1);
    assert.equal(res.functionCalls[0].name, 'get_weather');
    assert.deepEqual(res.functionCalls[0].args, { city: 'sim-city', unit: 'celsius' });
    assert.equal(res.candidates[0].finishReason, FinishReason.STOP); // Gemini has no tool-call finish reason
    // completion tokens = the name + the args JSON ({"city":"sim-city","unit":"celsius"} is one word).
    assert.equal(res.usageMetadata.candidatesTokenCount, 2);

    const stream = await ai.models.generateContentStream({ model: MODEL, contents: ask, config: { tools: [WEATHER] } });
    const calls = [];
    for await (const chunk of stream) calls.push(...(chunk.functionCalls ?? []));
    assert.deepEqual(calls, res.functionCalls);

    const followUp = await ai.models.generateContent({
      model: MODEL,
      config: { tools: [WEATHER] },
      contents: [
        { role: 'user', parts: [{ text: ask }] },
        { role: 'model', parts: [{ functionCall: res.functionCalls[0] }] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp_c: 18 } } }] },
      ],
    });
    assert.equal(followUp.text, 'Tool result: {"temp_c":18}');
    assert.equal(followUp.functionCalls, undefined);
  });

  test('function calling mode ANY forces a call; NONE prevents it', async () => {
    const ai = saClient(keyPath);
    const forced = await ai.models.generateContent({
      model: MODEL,
      contents: 'Anything.',
      config: { tools: [WEATHER], toolConfig: { functionCallingConfig: { mode: 'ANY' } } },
    });
    assert.equal(forced.functionCalls[0].name, 'get_weather');
    const none = await ai.models.generateContent({
      model: MODEL,
      contents: 'call tool get_weather',
      config: { tools: [WEATHER], toolConfig: { functionCallingConfig: { mode: 'NONE' } } },
    });
    assert.equal(none.functionCalls, undefined);
    assert.match(none.text, /^You said:/);
  });

  test('maxOutputTokens cuts the reply (MAX_TOKENS)', async () => {
    const res = await saClient(keyPath).models.generateContent({
      model: MODEL,
      contents,
      config: { maxOutputTokens: 3 },
    });
    assert.equal(res.candidates[0].finishReason, FinishReason.MAX_TOKENS);
    assert.equal(res.text, 'You said: Hello');
    assert.equal(res.usageMetadata.candidatesTokenCount, 3);
  });

  test('countTokens', async () => {
    const res = await saClient(keyPath).models.countTokens({ model: MODEL, contents });
    assert.equal(res.totalTokens, 6);
  });
});

describe('vertex auth', { timeout: 60_000 }, () => {
  test('metadata server: ADC finds it (GCE_METADATA_HOST) and the SDK uses its token', async () => {
    const saved = { ...process.env };
    try {
      delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
      process.env.HOME = dir; // no gcloud well-known credentials file
      process.env.CLOUDSDK_CONFIG = dir;
      process.env.GCE_METADATA_HOST = new URL(base).host;
      await control(base, 'DELETE', '/__sim/stats');
      const ai = new GoogleGenAI({
        vertexai: true,
        project: PROJECT,
        location: LOCATION,
        httpOptions: { baseUrl: base, apiVersion: 'v1' },
      });
      const res = await ai.models.generateContent({ model: MODEL, contents: 'hi from a VM' });
      assert.match(res.text, /^You said: hi from a VM/);
      const stats = (await control(base, 'GET', '/__sim/stats')).body;
      assert.ok(stats.by_route['GET /computeMetadata/v1/instance/service-accounts/default/token'] >= 1);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  test('metadata server refuses requests without Metadata-Flavor and always answers with it', async () => {
    const url = `${base}/computeMetadata/v1/instance/service-accounts/default/token`;
    const refused = await fetch(url);
    assert.equal(refused.status, 403);
    const ok = await fetch(`${url}?scopes=${encodeURIComponent(SCOPE)}`, { headers: { 'Metadata-Flavor': 'Google' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('metadata-flavor'), 'Google');
    const body = await ok.json();
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3600);
    assert.match(body.access_token, /^ya29\./);
  });

  test('a key registered at run time works; an untrusted key is refused by /token', async () => {
    const late = makeServiceAccount('late', `${base}/token`);
    const latePath = path.join(dir, 'late.json');
    writeFileSync(latePath, JSON.stringify(late.keyFile));
    const stranger = makeServiceAccount('stranger', `${base}/token`);
    const strangerPath = path.join(dir, 'stranger.json');
    writeFileSync(strangerPath, JSON.stringify(stranger.keyFile));

    const refused = await saClient(strangerPath).models.generateContent({ model: MODEL, contents: 'hi' }).catch((e) => e);
    assert.ok(refused instanceof Error, `got ${refused}`);
    assert.match(String(refused.message), /invalid_grant/);

    // Trust the public half only (a JSON {client_email, public_key}).
    const reg = await control(base, 'POST', '/__vertex/service-accounts', {
      client_email: late.email,
      public_key: late.publicKey,
    });
    assert.equal(reg.status, 200);
    assert.equal(reg.body.client_email, late.email);
    const res = await saClient(latePath).models.generateContent({ model: MODEL, contents: 'hi' });
    assert.match(res.text, /^You said: hi/);
  });

  test("the simulator's own service-account key file works with the SDK", async () => {
    const res = await fetch(`${base}/__vertex/service-account`);
    const own = await res.json();
    assert.equal(own.type, 'service_account');
    assert.equal(own.token_uri, `${base}/token`);
    const ownPath = path.join(dir, 'own.json');
    writeFileSync(ownPath, JSON.stringify(own));
    const out = await saClient(ownPath).models.generateContent({ model: MODEL, contents: 'hi' });
    assert.match(out.text, /^You said: hi/);
  });

  test('token endpoint (raw): bad signature, wrong audience, long lifetime, unknown account, bad grant', async () => {
    const good = await exchange(base, assertion(account));
    assert.equal(good.status, 200);
    assert.equal(good.body.token_type, 'Bearer');
    assert.equal(good.body.expires_in, 3600);
    // aud may also be the simulator's own token URL (a plugin posting to the key file's token_uri).
    assert.equal((await exchange(base, assertion(account, { aud: `${base}/token` }))).status, 200);

    const forged = assertion(account).replace(/\.[^.]+$/, '.' + Buffer.from('x'.repeat(256)).toString('base64url'));
    assert.deepEqual((await exchange(base, forged)).body.error_description, 'Invalid JWT Signature.');
    const wrongAud = await exchange(base, assertion(account, { aud: 'https://example.com/token' }));
    assert.equal(wrongAud.status, 400);
    assert.equal(wrongAud.body.error, 'invalid_grant');
    const now = Math.floor(Date.now() / 1000);
    const tooLong = await exchange(base, assertion(account, { iat: now, exp: now + 7200 }));
    assert.match(tooLong.body.error_description, /iat and exp/);
    const noScope = await exchange(base, assertion(account, { scope: undefined }));
    assert.equal(noScope.body.error, 'invalid_scope');
    const unknown = await exchange(base, assertion({ ...account, email: 'nobody@x.iam.gserviceaccount.com' }));
    assert.equal(unknown.body.error_description, 'Invalid grant: account not found');
    const grant = await fetch(`${base}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password' }) });
    assert.equal(grant.status, 400);
    assert.equal((await grant.json()).error, 'unsupported_grant_type');
  });

  test('tokens expire: 401 ACCESS_TOKEN_EXPIRED, and the SDK refreshes a short-lived token', async () => {
    // 2 s: exp is whole seconds, so a token lives between 1 and 2 s.
    const short = startSimulator(['--providers', 'vertex', '--vertex-token-ttl-s', '2']);
    try {
      const shortBase = short.base('vertex');
      const own = await (await fetch(`${shortBase}/__vertex/service-account`)).json();
      const ownPath = path.join(dir, 'short.json');
      writeFileSync(ownPath, JSON.stringify(own));

      const minted = await exchange(shortBase, (() => {
        const now = Math.floor(Date.now() / 1000);
        const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
        const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: own.private_key_id })}.${b64({
          iss: own.client_email, scope: SCOPE, aud: GOOGLE_TOKEN_URL, iat: now, exp: now + 3600,
        })}`;
        return `${input}.${sign('sha256', Buffer.from(input), own.private_key).toString('base64url')}`;
      })());
      assert.equal(minted.body.expires_in, 2);
      await new Promise((r) => setTimeout(r, 2100));
      const url = `${shortBase}/v1/projects/${PROJECT}/locations/${LOCATION}/publishers/google/models/${MODEL}:generateContent`;
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${minted.body.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
      });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate'), /invalid_token/);
      const body = await res.json();
      assert.equal(body.error.status, 'UNAUTHENTICATED');
      assert.equal(body.error.details[0].reason, 'ACCESS_TOKEN_EXPIRED');

      // The SDK sees a token that expires within its refresh margin and mints a new one per call.
      const seen = [];
      const ai = saClient(ownPath, shortBase, seen);
      await ai.models.generateContent({ model: MODEL, contents: 'one' });
      await new Promise((r) => setTimeout(r, 2100));
      const again = await ai.models.generateContent({ model: MODEL, contents: 'two' });
      assert.match(again.text, /^You said: two/);
      assert.equal(seen.length, 2, 'the SDK refreshed its token');
    } finally {
      short.stop();
    }
  });

  test('wrong credentials fail in the SDK as against Vertex: 401 UNAUTHENTICATED, 400 bad API key', async () => {
    // A token the simulator never issued (the SDK keeps an Authorization header the caller sets).
    const ai = saClient(keyPath, base, undefined, { Authorization: 'Bearer ya29.not-a-real-token' });
    const err = await ai.models.generateContent({ model: MODEL, contents: 'hi' }).catch((e) => e);
    assert.ok(err instanceof ApiError, `got ${err}`);
    assert.equal(err.status, 401);
    assert.match(err.message, /UNAUTHENTICATED/);

    const badKey = new GoogleGenAI({ vertexai: true, apiKey: 'wrong-key', httpOptions: { baseUrl: base } });
    const keyErr = await badKey.models.generateContent({ model: MODEL, contents: 'hi' }).catch((e) => e);
    assert.ok(keyErr instanceof ApiError, `got ${keyErr}`);
    assert.equal(keyErr.status, 400);
    assert.match(keyErr.message, /API key not valid/);
  });

  test('express mode: API key, no project in the URL', async () => {
    await control(base, 'DELETE', '/__sim/stats');
    const ai = new GoogleGenAI({ vertexai: true, apiKey: API_KEY, httpOptions: { baseUrl: base } });
    const res = await ai.models.generateContent({ model: MODEL, contents: 'hi express' });
    assert.match(res.text, /^You said: hi express/);
    const stats = (await control(base, 'GET', '/__sim/stats')).body;
    assert.equal(stats.by_route[`POST /v1beta1/publishers/google/models/${MODEL}:generateContent`], 1);
  });
});

describe('vertex faults and legacy shapes', { timeout: 60_000 }, () => {
  const keyClient = () =>
    new GoogleGenAI({
      vertexai: true,
      apiKey: API_KEY,
      httpOptions: { baseUrl: base, headers: {} },
    });

  test('429 fault -> ApiError 429 RESOURCE_EXHAUSTED; 503 from the control endpoint', async () => {
    const err = await keyClient()
      .models.generateContent({ model: MODEL, contents: 'hi [[fault:429]]' })
      .catch((e) => e);
    assert.ok(err instanceof ApiError, `got ${err}`);
    assert.equal(err.status, 429);
    assert.match(err.message, /RESOURCE_EXHAUSTED/);

    await control(base, 'POST', '/__sim/faults', { kind: '503', count: 1 });
    const unavailable = await keyClient().models.generateContent({ model: MODEL, contents: 'hi' }).catch((e) => e);
    assert.ok(unavailable instanceof ApiError, `got ${unavailable}`);
    assert.equal(unavailable.status, 503);
    assert.match(unavailable.message, /UNAVAILABLE/);
  });

  test('[[fault:safety]]: finishReason SAFETY, no text (whole), some text then SAFETY (stream)', async () => {
    const res = await keyClient().models.generateContent({ model: MODEL, contents: 'tell me [[fault:safety]]' });
    assert.equal(res.candidates[0].finishReason, FinishReason.SAFETY);
    assert.equal(res.text, undefined);
    assert.ok(res.candidates[0].safetyRatings.some((r) => r.blocked));

    const stream = await keyClient().models.generateContentStream({ model: MODEL, contents: 'tell me [[fault:safety]]' });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.equal(chunks.map((c) => c.text ?? '').join(''), 'You said:');
    assert.equal(chunks.at(-1).candidates[0].finishReason, FinishReason.SAFETY);
  });

  test('[[fault:prompt-blocked]]: promptFeedback.blockReason, no candidates', async () => {
    const res = await keyClient().models.generateContent({ model: MODEL, contents: 'x [[fault:prompt-blocked]]' });
    assert.equal(res.promptFeedback.blockReason, 'SAFETY');
    assert.equal(res.candidates, undefined);
  });

  test('[[fault:permission-denied]] -> ApiError 403 PERMISSION_DENIED', async () => {
    const err = await keyClient()
      .models.generateContent({ model: MODEL, contents: 'x [[fault:permission-denied]]' })
      .catch((e) => e);
    assert.ok(err instanceof ApiError, `got ${err}`);
    assert.equal(err.status, 403);
    assert.match(err.message, /PERMISSION_DENIED/);
  });

  test('invalid request -> ApiError 400 INVALID_ARGUMENT', async () => {
    const err = await keyClient()
      .models.generateContent({ model: MODEL, contents: 'hi', config: { temperature: 3 } })
      .catch((e) => e);
    assert.ok(err instanceof ApiError, `got ${err}`);
    assert.equal(err.status, 400);
    assert.match(err.message, /temperature/);
    const unknownModel = await keyClient()
      .models.generateContent({ model: 'no-such-model', contents: 'hi' })
      .catch((e) => e);
    assert.equal(unknownModel.status, 404);
  });

  test('reset-mid-stream: the stream fails after some chunks', async () => {
    const stream = await keyClient().models.generateContentStream({
      model: MODEL,
      contents: 'hi there [[fault:reset-mid-stream]]',
    });
    let text = '';
    const err = await (async () => {
      for await (const chunk of stream) text += chunk.text ?? '';
    })().catch((e) => e);
    assert.ok(err instanceof Error, 'the stream fails');
    assert.ok(text.length > 0, 'some text arrived first');
  });

  test('streamGenerateContent without alt=sse: one JSON array, written chunk by chunk', async () => {
    const url = `${base}/v1/projects/${PROJECT}/locations/${LOCATION}/publishers/google/models/${MODEL}:streamGenerateContent`;
    const headers = { 'x-goog-api-key': API_KEY, 'content-type': 'application/json', 'x-sim-reply-tokens': '5' };
    const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hello array' }] }] });
    const res = await fetch(url, { method: 'POST', headers, body });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    const chunks = JSON.parse(await res.text());
    assert.equal(chunks.length, 5);
    const text = chunks.map((c) => c.candidates[0].content.parts[0].text).join('');
    assert.match(text, /^You said: Hello array \S+$/);
    assert.equal(chunks.at(-1).candidates[0].finishReason, 'STOP');
    assert.equal(chunks.at(-1).usageMetadata.candidatesTokenCount, 5);
    // Errors in this mode are wrapped in an array too.
    const err = await fetch(url, { method: 'POST', headers: { ...headers, 'x-sim-fault': '429' }, body });
    assert.equal(err.status, 429);
    const errBody = await err.json();
    assert.ok(Array.isArray(errBody));
    assert.equal(errBody[0].error.status, 'RESOURCE_EXHAUSTED');
  });

  test(':predict for text-bison and code-bison (legacy shapes)', async () => {
    const predict = async (model, instance) => {
      const res = await fetch(
        `${base}/v1/projects/${PROJECT}/locations/${LOCATION}/publishers/google/models/${model}:predict`,
        {
          method: 'POST',
          headers: { 'x-goog-api-key': API_KEY, 'content-type': 'application/json' },
          body: JSON.stringify({ instances: [instance], parameters: { maxOutputTokens: 4, temperature: 0.2 } }),
        },
      );
      return { status: res.status, body: await res.json() };
    };
    const text = await predict('text-bison@002', { prompt: 'Write a haiku' });
    assert.equal(text.status, 200);
    assert.equal(text.body.predictions[0].content, 'You said: Write a');
    assert.equal(text.body.predictions[0].safetyAttributes.blocked, false);
    assert.equal(text.body.metadata.tokenMetadata.inputTokenCount.totalTokens, 3);
    assert.equal(text.body.metadata.tokenMetadata.outputTokenCount.totalTokens, 4);
    const code = await predict('code-bison', { prefix: 'def add(a, b):' });
    assert.equal(code.status, 200);
    assert.match(code.body.predictions[0].content, /^You said: def/);
    const wrongField = await predict('code-bison', { prompt: 'x' });
    assert.equal(wrongField.status, 400);
    assert.equal(wrongField.body.error.status, 'INVALID_ARGUMENT');
    const gemini = await predict(MODEL, { prompt: 'x' });
    assert.equal(gemini.status, 400);
    assert.equal(gemini.body.error.status, 'FAILED_PRECONDITION');
  });
});
