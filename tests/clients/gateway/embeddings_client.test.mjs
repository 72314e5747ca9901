// The official openai client's embeddings.create against helixagentd in
// front of the simulators, for every provider that serves embeddings: floats
// and base64 (explicit, and the SDK's own default, which asks for base64 and
// decodes it), dimensions, and a bad input the SDK raises as BadRequestError.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { importSdk } from '../cloudsim/sim.mjs';
import { embeddingModels, fromBase64, isSimEmbedding, withEmbeddingModels, words } from './embeddings.mjs';
import { startGatewayWithClient, stopGateway } from './gateway.mjs';

const { default: OpenAI } = await importSdk('openai');

let gateway;
let client;
before(async () => ({ gateway, client } = await startGatewayWithClient(OpenAI, { edit: withEmbeddingModels, timeout: 30_000 })));
after(() => stopGateway(gateway));

const input = ['the quick brown fox', 'jumps over', 'the lazy dog today'];

for (const [model, size, dimensions] of embeddingModels) {
  describe(model, () => {
    test('float: one vector per input, in input order, with usage', async () => {
      const { data: reply, response } = await client.embeddings
        .create({ model, input, encoding_format: 'float' })
        .withResponse();
      assert.equal(reply.object, 'list');
      assert.equal(reply.model, model);
      assert.equal(reply.data.length, input.length);
      reply.data.forEach((item, i) => {
        assert.equal(item.object, 'embedding');
        assert.equal(item.index, i);
        assert.ok(isSimEmbedding(item.embedding, input[i], size), `input ${i} got another input's vector`);
      });
      assert.equal(reply.usage.prompt_tokens, words(input));
      assert.equal(reply.usage.total_tokens, words(input));
      assert.equal(response.headers.get('x-helix-provider'), model.split('/')[0]);
    });

    test('base64 decodes to the same float32 values; the SDK default does too', async () => {
      const floats = await client.embeddings.create({ model, input, encoding_format: 'float' });
      const b64 = await client.embeddings.create({ model, input, encoding_format: 'base64' });
      assert.equal(b64.data.length, input.length);
      b64.data.forEach((item, i) => {
        assert.equal(typeof item.embedding, 'string');
        assert.deepEqual(fromBase64(item.embedding), floats.data[i].embedding.map(Math.fround));
      });
      const byDefault = await client.embeddings.create({ model, input: input[1] });
      assert.equal(byDefault.data.length, 1);
      assert.ok(isSimEmbedding(Array.from(byDefault.data[0].embedding), input[1], size));
    });

    if (dimensions) {
      test(`dimensions: ${dimensions}`, async () => {
        const reply = await client.embeddings.create({ model, input, dimensions, encoding_format: 'float' });
        reply.data.forEach((item, i) => assert.ok(isSimEmbedding(item.embedding, input[i], dimensions)));
      });
    }
  });
}

test('a bad input is a BadRequestError naming the field', async () => {
  await assert.rejects(client.embeddings.create({ model: 'openai/text-embedding-3-small', input: '' }), (e) => {
    assert.ok(e instanceof OpenAI.BadRequestError, String(e));
    assert.equal(e.status, 400);
    assert.equal(e.param, 'input');
    assert.equal(e.code, 'empty_string');
    return true;
  });
  await assert.rejects(client.embeddings.create({ model: 'anthropic/claude-3-5-sonnet-20241022', input: 'x' }), (e) => {
    assert.ok(e instanceof OpenAI.BadRequestError, String(e));
    assert.equal(e.param, 'model');
    assert.equal(e.code, 'unsupported_model');
    return true;
  });
  await assert.rejects(client.embeddings.create({ model: 'no-such-embedder', input: 'x' }), OpenAI.NotFoundError);
});
