// helix-cloudsim over HTTP/2: every listener also speaks h2c with prior
// knowledge on its port, and with --tls-cert/--tls-key h2 over TLS (ALPN).
// Checked with node's own HTTP/2 client (frames, stream resets, concurrent
// streams on one connection, the advertised stream limit) and with the
// official @aws-sdk/client-bedrock-runtime on its default transport, which
// is HTTP/2.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, test } from 'node:test';

import { importSdk, makeTestPki, startSimulator } from './sim.mjs';

const { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand } = await importSdk(
  '@aws-sdk/client-bedrock-runtime');

const AKID = 'AKIDSIMEXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYSIMHELIXKY';

let sim;
let tlsSim;
let pki;
before(() => {
  sim = startSimulator(['--h2-max-streams', '32']);
  pki = makeTestPki();
  tlsSim = startSimulator(['--providers', 'openai,bedrock', '--tls-cert', pki.cert, '--tls-key', pki.key]);
});
after(() => {
  sim?.stop();
  tlsSim?.stop();
  pki?.remove();
});

function session(url, options = {}) {
  const s = http2.connect(url, options);
  s.on('error', () => {}); // a failed request reports it
  return s;
}

// One request on `s`: { status, headers, body, error (the stream's), code (its RST code) }.
function request(s, headers, body) {
  return new Promise((resolve) => {
    const req = s.request({ ':method': 'POST', 'content-type': 'application/json', ...headers });
    let status;
    let responseHeaders;
    let text = '';
    req.on('response', (h) => {
      status = h[':status'];
      responseHeaders = h;
    });
    req.setEncoding('utf8');
    req.on('data', (d) => { text += d; });
    req.on('close', () => resolve({ status, headers: responseHeaders, body: text, code: req.rstCode }));
    req.on('error', () => {});
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const chat = (extra = {}) => ({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello over h2' }], ...extra });
const openaiHeaders = { ':path': '/v1/chat/completions', authorization: 'Bearer sk-sim-openai' };

describe('h2c with prior knowledge', { timeout: 60_000 }, () => {
  test('every provider answers on its own port, plain and streamed', async () => {
    const s = session(sim.base('openai'));
    const plain = await request(s, openaiHeaders, chat());
    assert.equal(plain.status, 200);
    assert.match(JSON.parse(plain.body).choices[0].message.content, /^You said: Hello over h2/);
    const streamed = await request(s, openaiHeaders, chat({ stream: true }));
    assert.equal(streamed.status, 200);
    assert.match(streamed.headers['content-type'], /text\/event-stream/);
    assert.ok(streamed.body.trimEnd().endsWith('data: [DONE]'), streamed.body.slice(-80));
    assert.equal(streamed.headers['transfer-encoding'], undefined, 'no HTTP/1.1 framing headers');
    s.close();

    const a = session(sim.base('anthropic'));
    const messages = await request(a, { ':path': '/v1/messages', 'x-api-key': 'sk-sim-anthropic',
      'anthropic-version': '2023-06-01' },
    { model: 'claude-3-5-sonnet-20241022', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    assert.equal(messages.status, 200);
    assert.match(messages.body, /event: message_stop/);
    // 529 is a status POCO cannot hold: still sent as is over HTTP/2.
    const overloaded = await request(a, { ':path': '/v1/messages', 'x-api-key': 'sk-sim-anthropic',
      'anthropic-version': '2023-06-01', 'x-sim-fault': '529' },
    { model: 'claude-3-5-sonnet-20241022', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] });
    assert.equal(overloaded.status, 529);
    assert.equal(JSON.parse(overloaded.body).error.type, 'overloaded_error');
    a.close();

    const v = session(sim.base('vertex'));
    const noToken = await request(v, { ':path': '/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.0-flash:generateContent' },
      { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
    assert.equal(noToken.status, 401, 'the module behind it checks auth as over HTTP/1.1');
    v.close();
  });

  test('connection faults become stream resets, and the connection lives on', async () => {
    const s = session(sim.base('openai'));
    const before = await request(s, { ...openaiHeaders, 'x-sim-fault': 'reset-before-headers' }, chat());
    assert.equal(before.status, undefined, 'no response head');
    assert.equal(before.code, http2.constants.NGHTTP2_INTERNAL_ERROR);
    const mid = await request(s, { ...openaiHeaders, 'x-sim-fault': 'reset-mid-stream' }, chat({ stream: true }));
    assert.equal(mid.status, 200);
    assert.match(mid.body, /"content":"You"/, 'the first tokens arrived before the reset');
    assert.ok(!mid.body.includes('[DONE]'));
    assert.equal(mid.code, http2.constants.NGHTTP2_INTERNAL_ERROR);
    const ok = await request(s, openaiHeaders, chat());
    assert.equal(ok.status, 200, 'the same connection still serves');
    s.close();
  });

  test('many streams share one connection, within the advertised limit', async () => {
    const s = session(sim.base('openai'));
    await new Promise((resolve) => s.once('remoteSettings', resolve));
    assert.equal(s.remoteSettings.maxConcurrentStreams, 32);
    await fetch(`${sim.base('openai')}/__sim/stats`, { method: 'DELETE' });
    const replies = await Promise.all(Array.from({ length: 24 }, () =>
      request(s, { ...openaiHeaders, 'x-sim-token-delay-ms': '20', 'x-sim-reply-tokens': '10' }, chat({ stream: true }))));
    for (const r of replies) assert.ok(r.body.includes('[DONE]'));
    const stats = await (await fetch(`${sim.base('openai')}/__sim/stats`)).json();
    assert.ok(stats.streams_peak >= 12, `streams served at once: ${stats.streams_peak}`);
    s.close();
  });

  test('a client that reads slowly slows its stream only (flow control)', async () => {
    // A 64 KiB stream window that is not opened again until we read.
    const s = session(sim.base('openai'), { settings: { initialWindowSize: 65535 } });
    const big = { ...openaiHeaders, 'x-sim-reply-tokens': '50000' };
    const req = s.request({ ':method': 'POST', 'content-type': 'application/json', ...big });
    req.end(JSON.stringify(chat({ stream: true })));
    req.pause();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const other = await request(s, openaiHeaders, chat());
    assert.equal(other.status, 200, 'another stream is served while one is held');
    let bytes = 0;
    req.on('data', (d) => { bytes += d.length; });
    await new Promise((resolve) => { req.on('end', resolve); req.resume(); });
    assert.ok(bytes > 1_000_000, `${bytes} bytes`);
    s.close();
  });

  test('HTTP/1.1 on the same port is unchanged', async () => {
    const res = await fetch(`${sim.base('openai')}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: 'Bearer sk-sim-openai', 'content-type': 'application/json' },
      body: JSON.stringify(chat()),
    });
    assert.equal(res.status, 200);
  });
});

describe('h2 over TLS', { timeout: 60_000 }, () => {
  test('ALPN chooses h2 and the certificate verifies', async () => {
    const s = session(tlsSim.base('openai').replace('http:', 'https:'), { ca: readFileSync(pki.ca) });
    const r = await request(s, openaiHeaders, chat({ stream: true }));
    assert.equal(r.status, 200);
    assert.ok(r.body.includes('[DONE]'));
    assert.equal(s.alpnProtocol, 'h2');
    s.close();
  });

  test('a client that does not offer h2 is refused in the handshake', async () => {
    const error = await new Promise((resolve) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: tlsSim.ports.openai, ca: readFileSync(pki.ca),
        ALPNProtocols: ['http/1.1'] });
      socket.on('secureConnect', () => { socket.destroy(); resolve(null); });
      socket.on('error', resolve);
    });
    assert.ok(error, 'the handshake failed');
    assert.match(String(error.code ?? error.message), /ALERT|alert|no_application_protocol|ECONNRESET/i);
  });
});

describe('@aws-sdk/client-bedrock-runtime on its default transport (HTTP/2)', { timeout: 60_000 }, () => {
  const client = () => new BedrockRuntimeClient({
    region: 'us-east-1', endpoint: sim.base('bedrock'),
    credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, maxAttempts: 1,
  });
  const params = { modelId: 'anthropic.claude-3-sonnet-20240229-v1:0',
    messages: [{ role: 'user', content: [{ text: 'Hello Bedrock over h2' }] }] };

  test('the client really uses HTTP/2', () => {
    const c = client();
    assert.equal(c.config.requestHandler.constructor.name, 'NodeHttp2Handler');
    c.destroy();
  });

  test('Converse and ConverseStream, SigV4 checked by the simulator', async () => {
    const c = client();
    const reply = await c.send(new ConverseCommand(params));
    assert.match(reply.output.message.content[0].text, /^You said: Hello Bedrock over h2/);
    const streamed = await c.send(new ConverseStreamCommand(params));
    let text = '';
    let stop;
    for await (const ev of streamed.stream) {
      text += ev.contentBlockDelta?.delta?.text ?? '';
      stop = ev.messageStop?.stopReason ?? stop;
    }
    assert.equal(text, reply.output.message.content[0].text);
    assert.equal(stop, 'end_turn');
    const stats = await (await fetch(`${sim.base('bedrock')}/__sim/stats`)).json();
    assert.ok(stats.by_outcome['200'] >= 2, JSON.stringify(stats));
    assert.ok(stats.by_protocol['HTTP/2'] >= 2, JSON.stringify(stats.by_protocol));
    c.destroy();
  });
});
