// Documents and images through helixagentd with the official openai client
// (and plain fetch for /v1/messages), in front of the simulators: PDF and
// text documents inline reach Bedrock Converse, Vertex (Gemini) and
// Anthropic in their own forms, and images and documents by URL are fetched
// by the gateway for the providers that take bytes only, from a local
// server the configuration trusts (media_fetch.private_hosts). The
// simulators keep what they received (/__sim/stats "media"), so each test
// compares the bytes that arrived with the ones served. The refusals: a
// loopback host the operator did not name (by name, as an IPv4-mapped,
// unspecified or numeric address), a redirect to the metadata address or to
// a loopback name, credentials in the URL, too big (declared or while
// reading), too slow, the wrong content type, an encoded body, too many
// URLs, a host outside media_fetch.allow_hosts, fetching turned off; each
// fails with its check taken out (the URL would be fetched, or refused for
// another reason than the one asserted).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';

import { importSdk } from '../cloudsim/sim.mjs';
import { clientKey, startGateway } from './gateway.mjs';

const { default: OpenAI } = await importSdk('openai');

// A small PNG and a small PDF (the simulators check base64, not the pixels).
const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const secret = 'INTERNAL-PAGE-TEXT-3b9f'; // what no error may repeat

let server;
let origin;
let gateway;
let client;
let root;

function serve(req, res) {
  const send = (status, type, body, headers = {}) => {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };
  switch (req.url) {
    case '/cat.png': return send(200, 'image/png', png);
    case '/doc.pdf': return send(200, 'application/pdf; qs=0.9', pdf);
    case '/big.png': return send(200, 'image/png', Buffer.alloc(200_000, 1));
    case '/big-chunked.png': // no Content-Length: the limit applies while reading
      res.writeHead(200, { 'Content-Type': 'image/png' });
      for (let i = 0; i < 20; i++) res.write(Buffer.alloc(10_000, 2));
      return res.end();
    case '/huge-declared.png': // refused on its Content-Length, not after waiting for the body
      res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': 50_000_000 });
      res.write(png.subarray(0, 4));
      return setTimeout(() => res.destroy(), 4_000);
    case '/gzip.png': return send(200, 'image/png', png, { 'Content-Encoding': 'gzip' });
    case '/slow.png': // the head, then nothing for longer than media_fetch.timeout
      res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length });
      res.write(png.subarray(0, 4));
      return setTimeout(() => res.end(png.subarray(4)), 4_000);
    case '/page.html': return send(200, 'text/html', `<p>${secret}</p>`);
    case '/missing.png': return send(404, 'text/plain', secret);
    case '/to-cat': return send(302, 'text/plain', secret, { Location: '/cat.png' });
    case '/to-metadata': return send(302, 'text/plain', '', { Location: 'http://169.254.169.254/latest/meta-data/' });
    case '/to-localhost': // from the trusted 127.0.0.1:port to a loopback name it does not trust
      return send(302, 'text/plain', '', { Location: `http://localhost:${server.address().port}/cat.png` });
    case '/to-file': return send(302, 'text/plain', '', { Location: 'file:///etc/passwd' });
    case '/loop': return send(302, 'text/plain', '', { Location: '/loop' });
    default: return send(404, 'text/plain', 'no');
  }
}

before(async () => {
  server = createServer(serve);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  gateway = await startGateway({
    edit: (lines) => [...lines, 'media_fetch:', '  timeout: 1500ms', '  max_bytes: 100000', '  max_urls: 2',
      `  private_hosts: ["127.0.0.1:${server.address().port}"]`],
  });
  client = new OpenAI({ baseURL: gateway.baseURL, apiKey: clientKey, maxRetries: 0, timeout: 20_000 });
  root = gateway.baseURL.replace(/\/v1$/, '');
});
after(async () => {
  await gateway?.stop();
  server?.close();
});

async function media(provider) {
  const stats = await (await fetch(`${gateway.sim.base(provider)}/__sim/stats`)).json();
  return stats.media;
}
async function resetStats(provider) {
  await fetch(`${gateway.sim.base(provider)}/__sim/stats`, { method: 'DELETE' });
}
const text = (t) => ({ type: 'text', text: t });
const fileData = (type, bytes, filename) =>
  ({ type: 'file', file: { file_data: `data:${type};base64,${bytes.toString('base64')}`, ...(filename ? { filename } : {}) } });
const ask = (model, parts) => client.chat.completions.create({ model, messages: [{ role: 'user', content: parts }] });

describe('documents inline', () => {
  test('a PDF reaches Bedrock Converse as a document block with a name Bedrock allows', async () => {
    await resetStats('bedrock');
    const r = await ask('aws-bedrock/anthropic.claude-3-haiku', [text('Summarise it'), fileData('application/pdf', pdf, 'Q3 report_v2.pdf')]);
    assert.equal(r.choices[0].finish_reason, 'stop');
    const [doc] = await media('bedrock');
    assert.deepEqual({ kind: doc.kind, type: doc.type, name: doc.name, sha256: doc.sha256 },
      { kind: 'document', type: 'pdf', name: 'Q3 report-v2', sha256: sha256(pdf) });
  });

  test('a PDF reaches Gemini as inlineData, a gs:// file as fileData (not fetched)', async () => {
    await resetStats('vertex');
    const r = await ask('gcp-vertex/gemini-2.0-flash', [text('Compare'), fileData('application/pdf', pdf),
      { type: 'file', file: { file_id: 'gs://helix-bucket/other.pdf' } }]);
    assert.ok(r.choices[0].message.content.length > 0);
    const got = await media('vertex');
    assert.deepEqual(got.map((m) => [m.type, m.sha256 ?? m.uri]),
      [['application/pdf', sha256(pdf)], ['application/pdf', 'gs://helix-bucket/other.pdf']]);
  });

  test('PDF and text documents reach Anthropic as document blocks, from the Responses API too', async () => {
    await resetStats('anthropic');
    await ask('anthropic/claude-3-5-sonnet-20241022', [text('Read'), fileData('application/pdf', pdf, 'a.pdf'),
      fileData('text/plain', Buffer.from('plain words'))]);
    const res = await fetch(`${gateway.baseURL}/responses`, {
      method: 'POST', headers: { Authorization: `Bearer ${clientKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'anthropic/claude-3-5-sonnet-20241022', input: [{ role: 'user', content: [
        { type: 'input_text', text: 'Read' },
        { type: 'input_file', filename: 'b.pdf', file_data: `data:application/pdf;base64,${pdf.toString('base64')}` }] }] }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const got = await media('anthropic');
    assert.deepEqual(got.map((m) => [m.kind, m.type, m.name, m.sha256]), [
      ['document', 'application/pdf', 'a.pdf', sha256(pdf)],
      ['document', 'text/plain', '', sha256(Buffer.from('plain words'))],
      ['document', 'application/pdf', 'b.pdf', sha256(pdf)]]);
  });

  test('/v1/messages document blocks reach Gemini translated and Claude on Bedrock as sent', async () => {
    await resetStats('vertex');
    await resetStats('bedrock');
    for (const model of ['gcp-vertex/gemini-2.0-flash', 'aws-bedrock/anthropic.claude-3-haiku']) {
      const res = await fetch(`${root}/v1/messages`, {
        method: 'POST', headers: { 'x-api-key': clientKey, 'anthropic-version': '2023-06-01', 'Content-Type': 'application/json' },
        body: JSON.stringify({ model, max_tokens: 50, messages: [{ role: 'user', content: [
          { type: 'document', title: 'r.pdf', source: { type: 'base64', media_type: 'application/pdf', data: pdf.toString('base64') } },
          { type: 'text', text: 'Summarise' }] }] }),
      });
      assert.equal(res.status, 200, await res.clone().text());
    }
    assert.equal((await media('vertex'))[0].sha256, sha256(pdf));
    assert.equal((await media('bedrock'))[0].sha256, sha256(pdf));
  });

  test('a document type a provider does not take is a 400 naming the part', async () => {
    await assert.rejects(ask('aws-bedrock/anthropic.claude-3-haiku', [text('x'), fileData('application/zip', Buffer.from('PK'))]),
      (e) => e instanceof OpenAI.BadRequestError && e.param === 'messages[0].content[1]' && /docx/.test(e.message));
    await assert.rejects(ask('anthropic/claude-3-5-sonnet-20241022', [text('x'), fileData('text/csv', Buffer.from('a,b'))]),
      (e) => e instanceof OpenAI.BadRequestError && e.param === 'messages[0].content[1]');
  });
});

describe('images and documents by URL', () => {
  test('an image URL is fetched by the gateway for Bedrock, which takes bytes only', async () => {
    await resetStats('bedrock');
    await ask('aws-bedrock/anthropic.claude-3-haiku', [text('What is it?'), { type: 'image_url', image_url: { url: `${origin}/cat.png` } }]);
    const [image] = await media('bedrock');
    assert.deepEqual([image.kind, image.type, image.sha256], ['image', 'png', sha256(png)]);
  });

  test('a PDF by URL (after a redirect) reaches Gemini inline; Anthropic gets the URL itself', async () => {
    await resetStats('vertex');
    await ask('gcp-vertex/gemini-2.0-flash', [text('Read'), { type: 'file', file: { file_url: `${origin}/doc.pdf` } },
      { type: 'image_url', image_url: { url: `${origin}/to-cat` } }]);
    const got = await media('vertex');
    assert.deepEqual(got.map((m) => [m.type, m.sha256]), [['application/pdf', sha256(pdf)], ['image/png', sha256(png)]]);
    await resetStats('anthropic');
    await ask('anthropic/claude-3-5-sonnet-20241022', [text('Read'), { type: 'file', file: { file_url: `${origin}/doc.pdf` } }]);
    assert.equal((await media('anthropic'))[0].uri, `${origin}/doc.pdf`);
  });

  const refused = async (url, pattern, kind = 'image', { via = client, param = 'messages[0].content[1]' } = {}) => {
    const part = kind === 'image' ? { type: 'image_url', image_url: { url } } : { type: 'file', file: { file_url: url } };
    await assert.rejects(via.chat.completions.create({ model: 'aws-bedrock/anthropic.claude-3-haiku',
      messages: [{ role: 'user', content: [text('x'), part] }] }), (e) => {
      assert.ok(e instanceof OpenAI.BadRequestError, String(e));
      assert.equal(e.param, param);
      assert.match(e.message, pattern);
      assert.ok(!e.message.includes(secret), e.message);
      return true;
    });
  };

  test('a loopback host the operator did not name is refused', async () => {
    await refused(`http://localhost:${server.address().port}/cat.png`, /loopback/);
    await refused(`http://[::ffff:127.0.0.1]:${server.address().port}/cat.png`, /loopback/);
    // Linux connects 0.0.0.0 to the host itself; 2130706433 is 127.0.0.1 to the resolver.
    await refused(`http://0.0.0.0:${server.address().port}/cat.png`, /resolves to an unspecified address/);
    await refused(`http://2130706433:${server.address().port}/cat.png`, /resolves to a loopback address/);
  });
  test('credentials in the URL are refused, even for a trusted host', async () => {
    await refused(`http://user:secret@127.0.0.1:${server.address().port}/cat.png`, /holds credentials/);
  });
  test('a redirect to the metadata address is refused', async () => {
    await refused(`${origin}/to-metadata`, /169\.254\.169\.254' resolves to a link-local address/);
  });
  test('each redirect target is checked as the first URL was', async () => {
    await refused(`${origin}/to-localhost`, /the host 'localhost' resolves to a loopback address/);
    await refused(`${origin}/to-file`, /redirects without a usable Location/);
  });
  test('redirects without end are refused', async () => {
    await refused(`${origin}/loop`, /redirects more than 3 times/);
  });
  test('too big, by Content-Length or while reading', async () => {
    await refused(`${origin}/big.png`, /max_bytes, 100000 bytes/);
    await refused(`${origin}/big-chunked.png`, /max_bytes/);
    // A declared Content-Length over the limit is refused at once, long before media_fetch.timeout.
    await refused(`${origin}/huge-declared.png`, /max_bytes, 100000 bytes/);
  });
  test('a body sent encoded (Content-Encoding) is refused', async () => {
    await refused(`${origin}/gzip.png`, /sent it encoded \(Content-Encoding: gzip\)/);
  });
  test('more URLs in one request than media_fetch.max_urls', async () => {
    const image = { type: 'image_url', image_url: { url: `${origin}/cat.png` } };
    await assert.rejects(ask('aws-bedrock/anthropic.claude-3-haiku', [text('x'), image, image, image]),
      (e) => e instanceof OpenAI.BadRequestError && e.param === 'messages[0].content[3]' && /media_fetch.max_urls, 2\)/.test(e.message));
  });
  test('too slow', async () => {
    const started = Date.now();
    await refused(`${origin}/slow.png`, /within 1500ms \(media_fetch.timeout\)/);
    assert.ok(Date.now() - started < 3_900, 'the fetch stopped at its timeout');
  });
  test('the wrong content type, a failed answer, another scheme', async () => {
    await refused(`${origin}/page.html`, /content type is 'text\/html'/);
    await refused(`${origin}/missing.png`, /answered HTTP 404/);
    await refused(`${origin}/cat.png`, /not a document type/, 'document');
    await refused('ftp://127.0.0.1/cat.png', /image_url/, 'image', { param: 'messages[0].content[1].image_url.url' });
    await refused('file:///etc/passwd', /expected an https:\/\/, http:\/\//, 'document',
      { param: 'messages[0].content[1].file.file_url' });
  });

  test('with media_fetch.allow_hosts, only the hosts named are fetched, and still only at public addresses', async () => {
    const port = server.address().port;
    const listed = await startGateway({ edit: (lines) => [...lines, 'media_fetch:', '  timeout: 1500ms',
      `  allow_hosts: ["localhost:${port}"]`] });
    try {
      const via = new OpenAI({ baseURL: listed.baseURL, apiKey: clientKey, maxRetries: 0, timeout: 20_000 });
      await refused(`${origin}/cat.png`, /the host '127\.0\.0\.1' is not one this gateway fetches from \(media_fetch.allow_hosts\)/,
        'image', { via });
      await refused(`http://localhost:${port}/cat.png`, /the host 'localhost' resolves to a loopback address/, 'image', { via });
    } finally {
      await listed.stop();
    }
  });
});

test('with media_fetch.enabled false, a URL for a bytes-only provider is a clear 400', async () => {
  const off = await startGateway({ edit: (lines) => [...lines, 'media_fetch: {enabled: false}'] });
  try {
    const c = new OpenAI({ baseURL: off.baseURL, apiKey: clientKey, maxRetries: 0, timeout: 20_000 });
    await assert.rejects(c.chat.completions.create({ model: 'gcp-vertex/gemini-2.0-flash', messages: [{ role: 'user', content: [
      text('x'), { type: 'image_url', image_url: { url: `${origin}/cat.png` } }] }] }),
    (e) => e instanceof OpenAI.BadRequestError && e.param === 'messages[0].content[1]' && /media_fetch.enabled/.test(e.message));
  } finally {
    await off.stop();
  }
});
