// The official openai client through helixagentd to the Bedrock simulator,
// which verifies every SigV4 signature, with credentials from each link of
// the AWS chain: static keys, a profile file, web identity (STS), container
// credentials and IMDSv2.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { importSdk } from '../cloudsim/sim.mjs';
import { startGatewayWithClient, stopGateway } from './gateway.mjs';

const { default: OpenAI } = await importSdk('openai');

const weather = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

let gateway;
let client;
before(async () => ({ gateway, client } = await startGatewayWithClient(OpenAI)));
after(() => stopGateway(gateway, [['wJalrXUtnFEMI', 'the AWS secret']]));

for (const provider of ['aws-bedrock', 'bedrock-profile', 'bedrock-webid', 'bedrock-ecs', 'bedrock-imds']) {
  describe(provider, () => {
    const model = `${provider}/anthropic.claude-3-sonnet`; // a short name of the default catalog

    test('text, streamed and not, and a streamed tool call', async () => {
      const messages = [{ role: 'user', content: 'Hello from the README example' }];
      const whole = await client.chat.completions.create({ model, messages });
      const text = whole.choices[0].message.content;
      assert.ok(text.length > 0);
      assert.ok(whole.usage.prompt_tokens > 0 && whole.usage.completion_tokens > 0);

      let streamed = '';
      let usage = null;
      for await (const chunk of await client.chat.completions.create({
        model, messages, stream: true, stream_options: { include_usage: true },
      })) {
        streamed += chunk.choices[0]?.delta?.content ?? '';
        if (chunk.usage) usage = chunk.usage;
      }
      assert.equal(streamed, text);
      assert.deepEqual(usage, whole.usage);

      const calls = [];
      let finish = null;
      for await (const chunk of await client.chat.completions.create({
        model, tools: [weather], stream: true, messages: [{ role: 'user', content: 'call tool get_weather please' }],
      })) {
        for (const c of chunk.choices[0]?.delta?.tool_calls ?? []) {
          const slot = (calls[c.index] ??= { id: '', name: '', arguments: '' });
          if (c.id) slot.id = c.id;
          if (c.function?.name) slot.name += c.function.name;
          if (c.function?.arguments) slot.arguments += c.function.arguments;
        }
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      assert.equal(finish, 'tool_calls');
      assert.equal(calls.length, 1);
      assert.equal(calls[0].name, 'get_weather');
      assert.ok(calls[0].id.length > 0);
      assert.equal(typeof JSON.parse(calls[0].arguments).city, 'string');
    });
  });
}

test('a Bedrock throttling exception frame mid-stream ends the stream with an error', async () => {
  await assert.rejects(async () => {
    for await (const chunk of await client.chat.completions.create({
      model: 'aws-bedrock/anthropic.claude-3-sonnet', stream: true,
      messages: [{ role: 'user', content: 'hi there [[fault:exception-frame]]' }],
    })) void chunk;
  });
});
