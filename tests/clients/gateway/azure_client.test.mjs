// The official openai client through helixagentd to the Azure OpenAI
// simulator, with each way the azure-openai plugin authenticates.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { importSdk } from '../cloudsim/sim.mjs';
import { clientKey, startGatewayWithClient, stopGateway } from './gateway.mjs';
import { collectStream } from './stream.mjs';

const { default: OpenAI } = await importSdk('openai');

const lookup = {
  type: 'function',
  function: { name: 'lookup', description: 'Look a word up', parameters: { type: 'object', properties: { word: { type: 'string' } } } },
};

let gateway;
let client;
before(async () => ({ gateway, client } = await startGatewayWithClient(OpenAI)));
after(() => stopGateway(gateway, ['sk-sim-azure', 'sim-client-secret', clientKey].map((secret) => [secret, 'a secret'])));

const streamed = async (params) => collectStream(await client.chat.completions.create({ ...params, stream: true }));

for (const provider of ['azure-openai', 'azure-entra', 'azure-mi']) {
  describe(provider, () => {
    const model = `${provider}/gpt-4o`;

    test('text, streamed and not, with the filter results kept', async () => {
      const messages = [{ role: 'user', content: 'Describe the deployment please' }];
      const whole = await client.chat.completions.create({ model, messages });
      const text = whole.choices[0].message.content;
      assert.ok(text.length > 0);
      assert.ok(Array.isArray(whole.prompt_filter_results), JSON.stringify(whole));
      assert.ok(whole.choices[0].content_filter_results, JSON.stringify(whole.choices[0]));
      const s = await streamed({ model, messages });
      assert.equal(s.text, text);
      assert.equal(s.finish, 'stop');
    });

    test('a streamed tool call', async () => {
      const s = await streamed({ model, tools: [lookup], messages: [{ role: 'user', content: 'call tool lookup now' }] });
      assert.equal(s.finish, 'tool_calls');
      assert.equal(s.toolCalls.length, 1);
      assert.equal(s.toolCalls[0].name, 'lookup');
      assert.ok(s.toolCalls[0].id.length > 0);
      assert.equal(typeof JSON.parse(s.toolCalls[0].arguments), 'object');
    });
  });
}

test('a content-filter refusal is a BadRequestError with code content_filter', async () => {
  await assert.rejects(
    client.chat.completions.create({
      model: 'azure-openai/gpt-4o', messages: [{ role: 'user', content: 'hi [[fault:content-filter]]' }],
    }),
    (e) => e instanceof OpenAI.BadRequestError && e.code === 'content_filter',
  );
});

test('an output filter ends the choice with finish_reason content_filter', async () => {
  const whole = await client.chat.completions.create({
    model: 'azure-openai/gpt-4o', messages: [{ role: 'user', content: 'tell me [[fault:content-filter-output]]' }],
  });
  assert.equal(whole.choices[0].finish_reason, 'content_filter');
});
