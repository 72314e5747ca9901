// POST /v1/embeddings end to end, raw HTTP against helixagentd in front of
// the simulators: batches larger than a provider's per-call limit are split
// into several upstream calls and come back whole, in input order, with the
// usage summed; a failing part fails the request with no partial data; bad
// input gets OpenAI's error JSON naming the field; GET /v1/models says which
// endpoints each model serves; and a failing provider is failed over.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { control } from '../cloudsim/sim.mjs';
import { isSimEmbedding, withEmbeddingModels, words } from './embeddings.mjs';
import { clientKey, startGateway } from './gateway.mjs';

let gateway;
before(async () => {
  gateway = await startGateway({ edit: withEmbeddingModels });
});
after(async () => {
  await gateway?.stop();
});

async function embed(body) {
  const res = await fetch(`${gateway.baseURL}/embeddings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

async function upstreamRequests(provider) {
  return (await control(gateway.sim.base(provider), 'GET', '/__sim/stats')).body.requests;
}

const texts = (n, tag) => Array.from({ length: n }, (_, i) => `${tag} text number ${i} ${'w '.repeat(i % 5)}`.trim());

// [model, inputs, per-call limit, native size]
for (const [model, n, limit, size] of [
  ['aws-bedrock/amazon.titan-embed-text-v2', 5, 1, 1024],
  ['aws-bedrock/cohere.embed-english-v3', 200, 96, 1024],
  ['gcp-vertex/text-embedding-005', 260, 250, 768],
  ['gcp-vertex/gemini-embedding-001', 3, 1, 3072],
]) {
  test(`${model}: ${n} inputs go up in ${Math.ceil(n / limit)} calls and come back in order`, async () => {
    const provider = model.split('/')[0] === 'aws-bedrock' ? 'bedrock' : 'vertex';
    const input = texts(n, model);
    const before = await upstreamRequests(provider);
    const r = await embed({ model, input });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    // (the Vertex listener also counts its token endpoint)
    assert.ok((await upstreamRequests(provider)) >= before + Math.ceil(n / limit));
    assert.equal(r.body.data.length, n);
    r.body.data.forEach((item, i) => {
      assert.equal(item.index, i);
      assert.ok(isSimEmbedding(item.embedding, input[i], size), `input ${i} got another vector`);
    });
    assert.equal(r.body.usage.prompt_tokens, words(input));
    assert.equal(r.headers.get('x-helix-attempts'), '1');
  });
}

test('a failing part fails the whole request: no partial list', async () => {
  const input = texts(100, 'part');
  input[96] = '[[fault:500]] first of the second part'; // the simulator reads a part's first text
  const r = await embed({ model: 'aws-bedrock/cohere.embed-english-v3', input });
  assert.ok(r.status >= 500, `${r.status} ${JSON.stringify(r.body)}`);
  assert.ok(r.body.error?.message, JSON.stringify(r.body));
  assert.equal(r.body.data, undefined);
});

test('bad input gets OpenAI error JSON naming the field', async () => {
  const m = 'openai/text-embedding-3-small';
  for (const [body, status, param, code] of [
    [{ model: m }, 400, 'input', 'missing_required_parameter'],
    [{ model: m, input: [] }, 400, 'input', 'empty_array'],
    [{ model: m, input: ['a', ''] }, 400, 'input[1]', 'empty_string'],
    [{ model: m, input: ['a', 3] }, 400, 'input[1]', 'invalid_type'],
    [{ model: m, input: Array(2049).fill('x') }, 400, 'input', 'array_above_max_length'],
    [{ model: m, input: 'x', dimensions: 0 }, 400, 'dimensions', 'integer_below_min_value'],
    [{ model: m, input: 'x', encoding_format: 'int8' }, 400, 'encoding_format', 'invalid_value'],
    [{ input: 'x' }, 400, 'model', 'missing_required_parameter'],
    [{ model: 'nope', input: 'x' }, 404, 'model', 'model_not_found'],
    [{ model: 'openai/gpt-4o', input: 'x' }, 400, 'model', 'unsupported_model'],
    [{ model: 'anthropic/claude-3-5-sonnet-20241022', input: 'x' }, 400, 'model', 'unsupported_model'],
    // Token ids reach only providers that take them: Bedrock says so.
    [{ model: 'aws-bedrock/amazon.titan-embed-text-v2', input: [1, 2] }, 400, 'input', 'invalid_value'],
    // Titan v2 offers 256, 512 or 1024.
    [{ model: 'aws-bedrock/amazon.titan-embed-text-v2', input: 'x', dimensions: 300 }, 400, 'dimensions', 'invalid_value'],
  ]) {
    const r = await embed(body);
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body.error.type, 'invalid_request_error');
    assert.equal(r.body.error.param, param, JSON.stringify(r.body));
    assert.equal(r.body.error.code, code, JSON.stringify(r.body));
  }
  const malformed = await embed('{"model":');
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.error.param, null);
});

test('the upstream refuses what the model cannot do, with its message', async () => {
  // ada-002 has a fixed size: OpenAI (the simulator) says so, the client sees it.
  const r = await embed({ model: 'openai/text-embedding-3-small', input: 'x', dimensions: 5000 });
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.equal(r.body.error.param, 'dimensions');
});

test('token ids pass to OpenAI', async () => {
  const r = await embed({ model: 'openai/text-embedding-3-small', input: [[1, 2, 3], [4]] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(isSimEmbedding(r.body.data[0].embedding, '1 2 3', 1536));
  assert.equal(r.body.usage.prompt_tokens, 4);
});

test('GET /v1/models lists the endpoints each model serves', async () => {
  const res = await fetch(`${gateway.baseURL}/models`, { headers: { authorization: `Bearer ${clientKey}` } });
  const { data } = await res.json();
  const byId = Object.fromEntries(data.map((m) => [m.id, m.endpoints]));
  assert.deepEqual(byId['openai/text-embedding-3-small'], ['embeddings']);
  assert.deepEqual(byId['gcp-vertex/gemini-embedding-001'], ['embeddings']);
  assert.deepEqual(byId['openai/gpt-4o'], ['chat.completions', 'responses', 'completions']);
  assert.deepEqual(byId['anthropic/claude-3-5-sonnet-20241022'], ['chat.completions', 'responses', 'completions']);
});

test('chat on an embeddings model is refused, naming /v1/embeddings', async () => {
  const res = await fetch(`${gateway.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openai/text-embedding-3-small', messages: [{ role: 'user', content: 'hi' }] }),
  });
  const body = await res.json();
  assert.equal(res.status, 400);
  assert.equal(body.error.param, 'model');
  assert.match(body.error.message, /\/v1\/embeddings/);
});

test('a failing provider is failed over to the next one serving the model', async () => {
  const openai = gateway.sim.base('openai');
  assert.equal((await control(openai, 'POST', '/__sim/faults', { kind: '503', count: -1 })).status, 200);
  try {
    const r = await embed({ model: 'text-embedding-3-small', input: ['fail', 'over'] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.headers.get('x-helix-provider'), 'azure-openai');
    assert.equal(r.headers.get('x-helix-attempts'), '2');
    assert.ok(isSimEmbedding(r.body.data[1].embedding, 'over', 1536));
  } finally {
    await control(openai, 'DELETE', '/__sim/faults');
  }
});
