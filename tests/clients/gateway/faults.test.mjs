// Upstream faults through helixagentd with the official openai client: each
// fault the simulators can produce, with a healthy fallback and without one,
// streamed and not. Before the first byte reaches the client a fault is
// invisible with a fallback and a clear OpenAI error without one; after it,
// the stream ends with an SSE error event. Never a hang, and nothing (file
// descriptors, threads, memory) left behind in the daemon. The same cases
// run over HTTP/1.1 and, with HELIX_TEST_UPSTREAM_HTTP2=on (ctest
// gateway_faults_http2), over HTTP/2 to the simulators' h2c listeners, where
// a connection reset is a stream reset (RST_STREAM).
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';

import { control, importSdk } from '../cloudsim/sim.mjs';
import { daemonResources } from './daemon_resources.mjs';
import { clientKey, startGateway } from './gateway.mjs';

const { default: OpenAI } = await importSdk('openai');

// A port nothing listens on: bound, read, and released again.
async function closedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let gateway;
let client;
before(async () => {
  const refusedPort = await closedPort();
  gateway = await startGateway({
    edit: (lines) => {
      const at = lines.findIndex((l) => l.startsWith('providers:'));
      const bedrockEndpoint = lines[lines.indexOf('  aws-bedrock:') + 3]; // the simulator's, as aws-bedrock has it
      assert.match(bedrockEndpoint, /^ {6}endpoint: http/);
      return [
        ...lines.slice(0, at).map((l) => {
          // Retry-After 2 s is not waited for; two attempts keep a stall case short.
          if (l.startsWith('router:')) {
            return 'router: {circuit_failures: 1000, circuit_failure_rate: 0, max_retry_wait: 1s, max_attempts: 2}';
          }
          if (l.startsWith('server:')) return 'server: {listen: 127.0.0.1, port: 0, keep_alive_timeout: 1s}';
          return l;
        }),
        '  openai-refused:',
        '    library: helix_openai',
        '    connect_timeout: 2s',
        '    settings:',
        `      base_url: http://127.0.0.1:${refusedPort}/v1`,
        '      api_key: sk-sim-openai',
        '  bedrock-fast:',
        '    library: helix_aws_bedrock',
        '    timeout: 2s', // a stalled stream is noticed within the tests' patience
        '    settings:',
        bedrockEndpoint,
        '      region: us-east-1',
        '      access_key_id: AKIDSIMEXAMPLE',
        '      secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSIMHELIXKY"',
        ...lines.slice(at),
        'aliases:',
        '  fb-openai: [openai/gpt-4o, azure-openai/gpt-4o]',
        '  fb-refused: [openai-refused/gpt-4o, azure-openai/gpt-4o]',
        '  fb-bedrock: [bedrock-fast/anthropic.claude-3-sonnet, anthropic/claude-3-5-sonnet-20241022]',
      ];
    },
  });
  client = new OpenAI({ baseURL: gateway.baseURL, apiKey: clientKey, maxRetries: 0, timeout: 20_000 });
});
after(async () => gateway?.stop());

const messages = [{ role: 'user', content: 'Tell me something long enough to stream.' }];

// primary: the failing provider; fallbackAlias routes to it first, then to a
// healthy provider of another simulator listener; alone: the primary only.
// before: the fault strikes before any byte of the reply (so a streamed
// request can still fail over); status: what a client without a fallback
// gets for a non-streamed request.
const openaiPrimary = { sim: 'openai', alone: 'openai/gpt-4o', fallbackAlias: 'fb-openai', fallback: 'azure-openai' };
const bedrockPrimary = {
  sim: 'bedrock', alone: 'bedrock-fast/anthropic.claude-3-sonnet', fallbackAlias: 'fb-bedrock', fallback: 'anthropic',
};
const cases = [
  { name: 'connection refused', alone: 'openai-refused/gpt-4o', fallbackAlias: 'fb-refused', fallback: 'azure-openai',
    before: true, status: 502, message: /connection refused/i },
  { name: 'reset before headers', ...openaiPrimary, kind: 'reset-before-headers', before: true, status: 502 },
  { name: '5xx storm', ...openaiPrimary, kind: '500', before: true, status: 503 },
  { name: '503 storm', ...openaiPrimary, kind: '503', before: true, status: 503 },
  { name: '429 storm with Retry-After', ...openaiPrimary, kind: '429', before: true, status: 429, retryAfter: '2' },
  { name: 'reset mid-stream', ...openaiPrimary, kind: 'reset-mid-stream', before: false, status: 502 },
  { name: 'stalled stream', ...openaiPrimary, kind: 'stall', before: false, status: 504 },
  { name: 'malformed frame (SSE data that is not JSON)', ...openaiPrimary, kind: 'malformed-json', before: false, status: 502 },
  // Bedrock's event-stream faults exist only in streams: a non-streamed call is unaffected.
  { name: 'wrong CRC (event stream)', ...bedrockPrimary, kind: 'bad-crc', before: false, status: 200 },
  { name: 'malformed frame (event stream)', ...bedrockPrimary, kind: 'malformed-frame', before: false, status: 200 },
];

async function withFault(c, body) {
  if (!c.kind) return body();
  const base = gateway.sim.base(c.sim);
  assert.equal((await control(base, 'POST', '/__sim/faults', { kind: c.kind, count: -1 })).status, 200);
  try {
    return await body();
  } finally {
    await control(base, 'DELETE', '/__sim/faults');
  }
}

async function streamText(model) {
  const stream = await client.chat.completions.create({ model, messages, stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  return text;
}

// A stream that broke after its first byte: some content, then an error
// event the client raises, and the stream is over.
async function brokenStream(model) {
  const stream = await client.chat.completions.create({ model, messages, stream: true });
  let text = '';
  let error;
  try {
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  } catch (e) {
    error = e;
  }
  return { text, error };
}

function assertOpenAiError(error, status) {
  assert.ok(error instanceof OpenAI.APIError, `expected an APIError, got ${error}`);
  assert.equal(error.status, status, error.message);
  assert.ok(error.error?.message?.length > 0, 'the error names what failed');
  assert.ok(error.error?.type, 'the error has an OpenAI type');
}

async function runCase(c) {
  const started = Date.now();
  await withFault(c, async () => {
    // With a healthy fallback, not streamed: the fault never shows.
    const { data, response } = await client.chat.completions
      .create({ model: c.fallbackAlias, messages })
      .withResponse();
    assert.ok(data.choices[0].message.content.length > 0);
    const servedByPrimary = c.status === 200;
    assert.equal(response.headers.get('x-helix-provider'), servedByPrimary ? c.alone.split('/')[0] : c.fallback);

    // With a healthy fallback, streamed.
    if (c.before) {
      assert.ok((await streamText(c.fallbackAlias)).length > 0);
    } else {
      const { text, error } = await brokenStream(c.fallbackAlias);
      assert.ok(text.length > 0, 'the first tokens reached the client');
      assert.ok(error instanceof OpenAI.APIError, `the stream ended with an error event, got ${error}`);
      assert.ok(error.error?.message?.length > 0, 'an error event, not a broken connection');
    }

    // Without a fallback, not streamed: a clear OpenAI error (or the reply,
    // for a fault that only exists in streams).
    if (c.status === 200) {
      const reply = await client.chat.completions.create({ model: c.alone, messages });
      assert.ok(reply.choices[0].message.content.length > 0);
    } else {
      const error = await client.chat.completions.create({ model: c.alone, messages }).then(
        () => assert.fail('expected an error'),
        (e) => e,
      );
      assertOpenAiError(error, c.status);
      if (c.message) assert.match(error.error.message, c.message);
      if (c.retryAfter) assert.equal(error.headers?.get('retry-after'), c.retryAfter);
    }

    // Without a fallback, streamed.
    if (c.before) {
      const error = await streamText(c.alone).then(() => assert.fail('expected an error'), (e) => e);
      assertOpenAiError(error, c.status);
    } else {
      const { text, error } = await brokenStream(c.alone);
      assert.ok(text.length > 0);
      assert.ok(error instanceof OpenAI.APIError, `the stream ended with an error event, got ${error}`);
      assert.ok(error.error?.message?.length > 0, 'an error event, not a broken connection');
    }
  });
  return Date.now() - started;
}

for (const c of cases) {
  test(`upstream ${c.name}: fallback hides it before the first byte, else a clear error`, async () => {
    const took = await runCase(c);
    assert.ok(took < 20_000, `took ${took} ms`);
  });
}

// Idle client connections close after keep_alive_timeout (1 s here).
async function settled() {
  await new Promise((resolve) => setTimeout(resolve, 1500));
  return daemonResources(gateway);
}

test('the whole matrix again leaves no file descriptor, thread or memory behind', async (t) => {
  const before = await settled(); // after one pass of every case (warm pools and threads)
  for (const c of cases) await runCase(c);
  const afterwards = await settled();
  const summary = (r) => `${r.fds} fds (${r.pooledUpstream} pooled upstream), ${r.threads} threads, ${r.rssKiB} KiB RSS`;
  t.diagnostic(`daemon before: ${summary(before)}; after: ${summary(afterwards)}`);
  // A leak per request would show as dozens: each pass makes ~40 requests.
  // Idle upstream connections are kept for reuse: one or two per simulator
  // listener here, as the requests come one at a time.
  assert.ok(afterwards.otherFds <= before.otherFds + 1,
    `file descriptors ${JSON.stringify(before.fdKinds)} -> ${JSON.stringify(afterwards.fdKinds)}`);
  assert.ok(afterwards.pooledUpstream <= 2 * Object.keys(gateway.sim.ports).length, JSON.stringify(afterwards.fdKinds));
  assert.ok(afterwards.threads <= before.threads + 2, `threads ${before.threads} -> ${afterwards.threads}`);
  if (afterwards.underAddressSanitizer) {
    // Its quarantine keeps freed memory resident, so RSS says nothing here;
    // LeakSanitizer checks every allocation when the daemon stops (stop()
    // fails on its report).
    t.diagnostic('RSS not compared: the daemon runs under AddressSanitizer');
  } else {
    assert.ok(afterwards.rssKiB <= before.rssKiB + 4096, `RSS ${before.rssKiB} KiB -> ${afterwards.rssKiB} KiB`);
  }
});

// The matrix really ran over the protocol asked for: each simulator listener
// the daemon called counts the protocol of every request it served.
test('every upstream call used the configured protocol', async () => {
  const expected = gateway.http2 === 'on' ? 'HTTP/2' : 'HTTP/1.1';
  for (const name of ['openai', 'azure', 'anthropic', 'bedrock']) {
    const stats = await (await fetch(`${gateway.sim.base(name)}/__sim/stats`)).json();
    if (name === 'openai' || name === 'bedrock') assert.ok(stats.requests > 0, `${name} was called`);
    if (stats.requests === 0) continue;
    assert.deepEqual(Object.keys(stats.by_protocol), [expected], `${name}: ${JSON.stringify(stats.by_protocol)}`);
  }
});
