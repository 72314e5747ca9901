// The official openai npm client sending an 8 MiB body (server.max_body: 4MiB) to the
// gateway: it must see the 413 and its message, not "fetch
// failed" (the reply goes out while the client is still sending; the
// daemon's lingering close keeps the connection from being reset under it).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { importSdk } from '../cloudsim/sim.mjs';
import { clientKey, startGateway } from './gateway.mjs';

const { default: OpenAI } = await importSdk('openai');

let gateway;
let client;
before(async () => {
  gateway = await startGateway({
    edit: (lines) => lines.map((l) => (l.startsWith('server:') ? 'server: {listen: 127.0.0.1, port: 0, max_body: 4MiB}' : l)),
  });
  client = new OpenAI({ baseURL: gateway.baseURL, apiKey: clientKey, maxRetries: 0, timeout: 20_000 });
});
after(async () => {
  await gateway?.stop();
});

test('an 8 MiB body gets the 413 and its message', async () => {
  const huge = 'x'.repeat(8 * 1024 * 1024);
  for (let i = 0; i < 3; ++i) { // not a lucky race: every time
    await assert.rejects(
      client.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: huge }] }),
      (err) => {
        assert.equal(err.status, 413, `expected the 413, got: ${err}`);
        assert.match(err.message, /larger than this gateway accepts/);
        return true;
      });
  }
  // ...and the gateway serves the next request as usual.
  const ok = await client.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(ok.object, 'chat.completion');
});
