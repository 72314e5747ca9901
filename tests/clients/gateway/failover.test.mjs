// Fail-over with the simulators' per-provider fault board: the primary
// provider (openai) fails in each way, the fallback (azure-openai, which also
// serves gpt-4o) answers, and the client sees no failure.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { control, importSdk } from '../cloudsim/sim.mjs';
import { clientKey, startGateway } from './gateway.mjs';

const { default: OpenAI } = await importSdk('openai');

let gateway;
let client;
before(async () => {
  gateway = await startGateway();
  client = new OpenAI({ baseURL: gateway.baseURL, apiKey: clientKey, maxRetries: 0, timeout: 30_000 });
});
after(async () => gateway?.stop());

const messages = [{ role: 'user', content: 'Is anybody there?' }];

for (const kind of ['503', '429', 'reset-before-headers', 'slow-first-byte']) {
  test(`primary ${kind} -> the fallback serves, streamed and not`, async () => {
    const openai = gateway.sim.base('openai');
    assert.equal((await control(openai, 'POST', '/__sim/faults', { kind, count: -1 })).status, 200);
    try {
      const { data, response } = await client.chat.completions.create({ model: 'gpt-4o', messages }).withResponse();
      assert.ok(data.choices[0].message.content.length > 0);
      assert.equal(response.headers.get('x-helix-provider'), 'azure-openai');
      assert.equal(response.headers.get('x-helix-attempts'), '2');

      const stream = await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      assert.equal(text, data.choices[0].message.content);
    } finally {
      await control(openai, 'DELETE', '/__sim/faults');
    }
  });
}
