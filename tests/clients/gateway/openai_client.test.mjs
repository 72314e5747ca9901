// The official openai npm client, unchanged but for baseURL and key, used
// against helixagentd in front of the simulators: an OpenAI client works
// against the gateway with nothing changed but the base URL and the key.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { importSdk } from '../cloudsim/sim.mjs';
import { clientKey, startGatewayWithClient, stopGateway } from './gateway.mjs';
import { collectStream } from './stream.mjs';

const { default: OpenAI } = await importSdk('openai');

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] },
  },
};

let gateway;
let client;
before(async () => ({ gateway, client } = await startGatewayWithClient(OpenAI)));
after(() => stopGateway(gateway, [[clientKey, 'the client key'], ['sk-sim-openai', 'a provider key']]));

for (const model of ['openai/gpt-4o', 'anthropic/claude-3-5-sonnet-20241022']) {
  describe(model, () => {
    const messages = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Tell me about the gateway please' },
    ];

    test('non-streaming and streaming give the same text and usage', async () => {
      const whole = await client.chat.completions.create({ model, messages });
      assert.equal(whole.object, 'chat.completion');
      assert.equal(whole.model, model);
      const text = whole.choices[0].message.content;
      assert.ok(text.length > 0);
      assert.equal(whole.choices[0].finish_reason, 'stop');
      assert.ok(whole.usage.prompt_tokens > 0 && whole.usage.completion_tokens > 0);

      const stream = await client.chat.completions.create({
        model, messages, stream: true, stream_options: { include_usage: true },
      });
      const streamed = await collectStream(stream);
      assert.equal(streamed.text, text);
      assert.equal(streamed.finish, 'stop');
      assert.equal(streamed.ids.size, 1, 'every chunk carries the same id');
      assert.deepEqual(streamed.usage, whole.usage);
    });

    test('a tool call round trip, streamed and not', async () => {
      const ask = [{ role: 'user', content: 'call tool get_weather for Paris' }];
      const whole = await client.chat.completions.create({ model, messages: ask, tools: [weatherTool] });
      const choice = whole.choices[0];
      assert.equal(choice.finish_reason, 'tool_calls');
      assert.equal(choice.message.tool_calls.length, 1);
      const call = choice.message.tool_calls[0];
      assert.equal(call.type, 'function');
      assert.equal(call.function.name, 'get_weather');
      const args = JSON.parse(call.function.arguments);
      assert.equal(typeof args.city, 'string');

      const streamed = await collectStream(
        await client.chat.completions.create({ model, messages: ask, tools: [weatherTool], stream: true }),
      );
      assert.equal(streamed.finish, 'tool_calls');
      assert.equal(streamed.toolCalls.length, 1);
      assert.equal(streamed.toolCalls[0].name, 'get_weather');
      assert.deepEqual(JSON.parse(streamed.toolCalls[0].arguments), args);
      assert.ok(streamed.toolCalls[0].id.length > 0);

      const answer = await client.chat.completions.create({
        model,
        tools: [weatherTool],
        messages: [
          ...ask,
          { role: 'assistant', content: null, tool_calls: [call] },
          { role: 'tool', tool_call_id: call.id, content: 'sunny, 21 C' },
        ],
      });
      assert.match(answer.choices[0].message.content, /sunny, 21 C/);
    });
  });
}

test('models.list shows provider/model ids', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  assert.ok(ids.includes('openai/gpt-4o'), ids.join(', '));
  assert.ok(ids.some((id) => id.startsWith('anthropic/')), ids.join(', '));
});

test('a wrong key is an AuthenticationError', async () => {
  const bad = new OpenAI({ baseURL: gateway.baseURL, apiKey: 'sk-wrong', maxRetries: 0 });
  await assert.rejects(
    bad.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    (e) => e instanceof OpenAI.AuthenticationError && e.status === 401,
  );
});

test('a bad body is a BadRequestError naming the field', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'wizard', content: 'hi' }] }),
    (e) => e instanceof OpenAI.BadRequestError && e.param === 'messages[0].role',
  );
});

test('an unknown model is a NotFoundError', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'openai/gpt-17', messages: [{ role: 'user', content: 'hi' }] }),
    (e) => e instanceof OpenAI.NotFoundError && e.status === 404,
  );
});

test('an upstream 429 reaches the client as a RateLimitError', async () => {
  await assert.rejects(
    client.chat.completions.create({
      model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi [[fault:429]]' }],
    }),
    (e) => e instanceof OpenAI.RateLimitError && e.status === 429,
  );
});

test("Anthropic's 529 overloaded reaches the client as a retryable 5xx", async () => {
  await assert.rejects(
    client.chat.completions.create({
      model: 'anthropic/claude-3-5-sonnet-20241022', messages: [{ role: 'user', content: 'hi [[fault:529]]' }],
    }),
    (e) => e instanceof OpenAI.InternalServerError && e.status === 503,
  );
});
