// helixagentd speaking HTTP/2 to the providers, through every bundled
// plugin, with the official openai client in front: upstream.http2 on
// against the simulators' h2c listeners, plain and streamed, and
// upstream.http2 auto against a TLS simulator, where ALPN chooses h2. Each
// simulator listener counts the protocol of every request it served.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import http2 from 'node:http2';
import { after, before, describe, test } from 'node:test';

import { importSdk, makeTestPki, startSimulator } from '../cloudsim/sim.mjs';
import { clientKey, startGateway } from './gateway.mjs';

const { default: OpenAI } = await importSdk('openai');

const messages = [{ role: 'user', content: 'Hello through HTTP/2' }];

// provider/model, the simulator listener behind it.
const providers = [
  ['openai/gpt-4o', 'openai'],
  ['anthropic/claude-3-5-sonnet-20241022', 'anthropic'],
  ['azure-openai/gpt-4o', 'azure'],
  ['aws-bedrock/anthropic.claude-3-sonnet', 'bedrock'],
  ['vertex-token/gemini-1.5-pro', 'vertex'], // a fixed token: no token request on the side
];

async function stats(base) {
  return (await fetch(`${base}/__sim/stats`)).json();
}

// GET over HTTP/2 with TLS (the TLS listeners speak nothing else).
async function h2Json(origin, path, ca) {
  const session = http2.connect(origin, { ca });
  try {
    return await new Promise((resolve, reject) => {
      const req = session.request({ ':path': path });
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d) => { body += d; });
      req.on('end', () => resolve(JSON.parse(body)));
      req.on('error', reject);
      req.end();
    });
  } finally {
    session.close();
  }
}

async function plainAndStreamed(client, model) {
  const { data, response } = await client.chat.completions.create({ model, messages }).withResponse();
  const text = data.choices[0].message.content;
  assert.match(text, /^You said: Hello through HTTP\/2/, model);
  assert.equal(response.headers.get('x-helix-provider'), model.split('/')[0]);
  const stream = await client.chat.completions.create({ model, messages, stream: true });
  let streamed = '';
  for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? '';
  assert.equal(streamed, text, `${model}: the stream carries the same reply`);
}

describe('upstream.http2: on, h2c to every provider', { timeout: 120_000 }, () => {
  let gateway;
  let client;
  before(async () => {
    gateway = await startGateway({ http2: 'on' });
    client = new OpenAI({ baseURL: gateway.baseURL, apiKey: clientKey, maxRetries: 0, timeout: 20_000 });
    // The start-up's own calls (the Vertex key file and token, over HTTP/1.1) are not counted.
    for (const [, sim] of providers) await fetch(`${gateway.sim.base(sim)}/__sim/stats`, { method: 'DELETE' });
  });
  after(async () => gateway?.stop());

  for (const [model, sim] of providers) {
    test(`${model}: plain and streamed over HTTP/2`, async () => {
      await plainAndStreamed(client, model);
      const s = await stats(gateway.sim.base(sim));
      assert.deepEqual(s.by_protocol, { 'HTTP/2': 2 }, `${sim}: ${JSON.stringify(s.by_protocol)}`);
    });
  }

  test('concurrent streams to one provider share one upstream connection', async () => {
    await fetch(`${gateway.sim.base('openai')}/__sim/stats`, { method: 'DELETE' });
    const slow = new OpenAI({ baseURL: gateway.baseURL, apiKey: clientKey, maxRetries: 0, timeout: 20_000,
      defaultHeaders: { 'x-sim-token-delay-ms': '20' } });
    await Promise.all(Array.from({ length: 10 }, () => plainAndStreamed(slow, 'openai/gpt-4o')));
    const s = await stats(gateway.sim.base('openai'));
    assert.deepEqual(s.by_protocol, { 'HTTP/2': 20 });
  });
});

// One past the highest descriptor number the process has open.
function descriptorsInUse(pid) {
  return Math.max(...readdirSync(`/proc/${pid}/fd`).map(Number)) + 1;
}

describe('upstream.http2: on, the open-file limit', { timeout: 120_000 }, () => {
  let gateway;
  before(async () => {
    // Every reply streams 20 tokens 60 ms apart: 1.2 s, within the openai plugin's 2 s.
    gateway = await startGateway({ http2: 'on', simArgs: ['--token-delay-ms', '60', '--reply-tokens', '20'] });
  });
  after(async () => gateway?.stop());

  test('streams sharing an upstream connection need one descriptor each, not two', async () => {
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: clientKey, maxRetries: 0, timeout: 20_000 });
    await plainAndStreamed(client, 'openai/gpt-4o'); // the upstream connection is open
    // Room for 200 client sockets, the two upstream connections they need
    // (100 streams each), the daemon's reserve of 8 and the next
    // connection's 2, and a few to spare: over HTTP/1.1 that would be about
    // 110 streams (the daemon's own descriptors besides connections are
    // fewer than 20).
    const streams = 200;
    const limit = descriptorsInUse(gateway.pid) + streams + 2 + 8 + 2 + 3;
    execFileSync('prlimit', ['--pid', String(gateway.pid), `--nofile=${limit}:${limit}`]);
    await fetch(`${gateway.sim.base('openai')}/__sim/stats`, { method: 'DELETE' });
    const one = async () => {
      const stream = await client.chat.completions.create({ model: 'openai/gpt-4o', messages, stream: true });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      return text;
    };
    const texts = await Promise.all(Array.from({ length: streams }, one));
    for (const text of texts) assert.match(text, /^You said: Hello through HTTP\/2/);
    const s = await stats(gateway.sim.base('openai'));
    assert.equal(s.streams_peak, streams, `streams held at once upstream: ${JSON.stringify(s)}`);
  });
});

describe('upstream.http2: auto over TLS, where ALPN chooses h2', { timeout: 120_000 }, () => {
  let pki;
  let tlsSim;
  let gateway;
  let client;
  before(async () => {
    pki = makeTestPki();
    tlsSim = startSimulator(['--providers', 'openai,bedrock', '--tls-cert', pki.cert, '--tls-key', pki.key]);
    gateway = await startGateway({
      http2: 'auto',
      edit: (lines) => {
        const at = lines.findIndex((l) => l.startsWith('providers:'));
        return [
          ...lines.slice(0, at).map((l) => (l.startsWith('upstream:') ? `upstream: {http2: auto, ca_file: ${pki.ca}}` : l)),
          '  openai-tls:',
          '    library: helix_openai',
          '    settings:',
          `      base_url: https://127.0.0.1:${tlsSim.ports.openai}/v1`,
          '      api_key: sk-sim-openai',
          '  bedrock-tls:',
          '    library: helix_aws_bedrock',
          '    settings:',
          `      endpoint: https://127.0.0.1:${tlsSim.ports.bedrock}`,
          '      region: us-east-1',
          '      access_key_id: AKIDSIMEXAMPLE',
          '      secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSIMHELIXKY"',
          ...lines.slice(at),
        ];
      },
    });
    client = new OpenAI({ baseURL: gateway.baseURL, apiKey: clientKey, maxRetries: 0, timeout: 20_000 });
  });
  after(async () => {
    await gateway?.stop();
    tlsSim?.stop();
    pki?.remove();
  });

  test('openai and aws-bedrock over TLS speak h2 (the certificate checked, SigV4 over :authority)', async () => {
    await plainAndStreamed(client, 'openai-tls/gpt-4o');
    await plainAndStreamed(client, 'bedrock-tls/anthropic.claude-3-sonnet');
    for (const sim of ['openai', 'bedrock']) {
      const s = await h2Json(`https://127.0.0.1:${tlsSim.ports[sim]}`, '/__sim/stats', readFileSync(pki.ca));
      assert.deepEqual(s.by_protocol, { 'HTTP/2': 2 }, `${sim}: ${JSON.stringify(s.by_protocol)}`);
    }
  });

  test('auto keeps plain http:// providers on HTTP/1.1', async () => {
    await fetch(`${gateway.sim.base('openai')}/__sim/stats`, { method: 'DELETE' });
    await plainAndStreamed(client, 'openai/gpt-4o');
    assert.deepEqual((await stats(gateway.sim.base('openai'))).by_protocol, { 'HTTP/1.1': 2 });
  });
});
