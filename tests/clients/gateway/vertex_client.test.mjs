// helixagentd in front of the Vertex AI simulator, which checks every access
// token it is shown and every JWT assertion signed for it: a plain curl-style
// request as raw HTTP, then the official openai client, with each way the
// gcp-vertex plugin authenticates; and tokens that expire or are revoked
// while requests keep coming.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { importSdk } from '../cloudsim/sim.mjs';
import { curl, curlBothWays, lookupTool as lookup, startGatewayWithClient, stopGateway } from './gateway.mjs';
import { collectStream } from './stream.mjs';

const { default: OpenAI } = await importSdk('openai');

const streamed = async (client, params) =>
  collectStream(await client.chat.completions.create({ ...params, stream: true }));

describe('through the gateway', () => {
  let gateway;
  let client;
  before(async () => ({ gateway, client } = await startGatewayWithClient(OpenAI)));
  after(() => stopGateway(gateway, [['ya29.', 'an access token'], ['PRIVATE KEY', 'a private key']]));

  describe('Claude on Vertex (rawPredict) through chat completions', () => {
    const model = 'vertex-claude/claude-sonnet-4-5@20250929';

    test('a completion and its stream agree', async () => {
      const messages = [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'Explain quantum computing in simple terms' }];
      const { data: whole, response } = await client.chat.completions.create({ model, messages }).withResponse();
      assert.equal(response.headers.get('x-helix-provider'), 'vertex-claude');
      assert.equal(whole.model, model);
      assert.match(whole.choices[0].message.content, /^You said: Explain quantum computing/);
      assert.equal(whole.choices[0].finish_reason, 'stop');
      assert.ok(whole.usage.prompt_tokens > 0 && whole.usage.completion_tokens > 0, JSON.stringify(whole.usage));
      const { text, finish } = await streamed(client, { model, messages });
      assert.equal(text, whole.choices[0].message.content);
      assert.equal(finish, 'stop');
    });

    test('a tool call and its result', async () => {
      const ask = { role: 'user', content: 'What does serendipity mean? call tool lookup' };
      const first = await client.chat.completions.create({ model, messages: [ask], tools: [lookup] });
      assert.equal(first.choices[0].finish_reason, 'tool_calls');
      const call = first.choices[0].message.tool_calls[0];
      assert.equal(call.function.name, 'lookup');
      const second = await client.chat.completions.create({
        model,
        tools: [lookup],
        messages: [ask, first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: 'a happy accident' }],
      });
      assert.match(second.choices[0].message.content, /a happy accident/);
    });
  });

  for (const provider of ['gcp-vertex', 'vertex-metadata', 'vertex-token']) {
    describe(provider, () => {
      const model = `${provider}/gemini-1.5-pro`;

      test('the curl example, streamed and not', async () => {
        const messages = [{ role: 'user', content: 'Explain quantum computing in simple terms' }];
        const { whole } = await curlBothWays(gateway.baseURL, provider, { model, messages });
        const text = whole.choices[0].message.content;
        assert.ok(text.length > 0);
        const s = await streamed(client, { model, messages });
        assert.equal(s.text, text);
        assert.equal(s.finish, 'stop');
      });

      test('a streamed tool call, and its result sent back', async () => {
        const messages = [{ role: 'user', content: 'call tool lookup now' }];
        const s = await streamed(client, { model, tools: [lookup], messages });
        assert.equal(s.finish, 'tool_calls');
        assert.equal(s.toolCalls.length, 1);
        assert.equal(s.toolCalls[0].name, 'lookup');
        assert.ok(s.toolCalls[0].id.startsWith('call_'), s.toolCalls[0].id);
        assert.equal(typeof JSON.parse(s.toolCalls[0].arguments).word, 'string');
        const answer = await client.chat.completions.create({
          model,
          tools: [lookup],
          messages: [
            ...messages,
            { role: 'assistant', content: null, tool_calls: [{ id: s.toolCalls[0].id, type: 'function', function: { name: 'lookup', arguments: s.toolCalls[0].arguments } }] },
            { role: 'tool', tool_call_id: s.toolCalls[0].id, content: '{"definition":"a word"}' },
          ],
        });
        assert.equal(answer.choices[0].finish_reason, 'stop');
        assert.ok(answer.choices[0].message.content.length > 0);
      });
    });
  }

  test('text-bison through :predict, and a stream of it as one chunk', async () => {
    const messages = [{ role: 'user', content: 'Write a haiku about gateways' }];
    const whole = await client.chat.completions.create({ model: 'gcp-vertex/text-bison', messages });
    assert.ok(whole.choices[0].message.content.length > 0);
    assert.ok(whole.usage.prompt_tokens > 0);
    const s = await streamed(client, { model: 'gcp-vertex/code-bison', messages });
    assert.ok(s.text.length > 0);
    assert.equal(s.finish, 'stop');
  });

  test('Google errors become OpenAI errors with the upstream message', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'vertex-token/gemini-1.5-pro', messages: [{ role: 'user', content: 'x [[fault:permission-denied]]' }] }),
      (e) => e instanceof OpenAI.APIError && e.status === 502 && /Permission/.test(e.message),
    );
    await assert.rejects(
      client.chat.completions.create({ model: 'vertex-token/gemini-1.5-pro', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: '1lookup' } }] }),
      (e) => e instanceof OpenAI.BadRequestError && /Invalid function name/.test(e.message),
    );
  });

  test('revoked tokens: the service account and the metadata server fetch new ones, the fixed token fails clearly', async () => {
    const revoke = await fetch(`${gateway.sim.base('vertex')}/__vertex/revoke-tokens`, { method: 'POST' });
    assert.equal(revoke.status, 200);
    const messages = [{ role: 'user', content: 'still there?' }];
    for (const provider of ['gcp-vertex', 'vertex-metadata']) {
      const res = await curl(gateway.baseURL, { model: `${provider}/gemini-1.5-pro`, messages });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(res.headers.get('x-helix-attempts'), '2'); // the 401, then the fresh token
    }
    const res = await curl(gateway.baseURL, { model: 'vertex-token/gemini-1.5-pro', messages });
    assert.equal(res.status, 502);
    const body = await res.json();
    assert.match(body.error.message, /rejected the gateway's access token/);
    assert.ok(!JSON.stringify(body).includes('ya29.'));
  });
});

test('tokens that expire every 2 s are refreshed while requests keep coming, none failing', async () => {
  const { gateway, client } = await startGatewayWithClient(OpenAI, { simArgs: ['--vertex-token-ttl-s', '2'] });
  try {
    const until = Date.now() + 5_000;
    let requests = 0;
    while (Date.now() < until) {
      for (const provider of ['gcp-vertex', 'vertex-metadata']) {
        const stream = requests % 2 === 1;
        const params = { model: `${provider}/gemini-1.5-pro`, messages: [{ role: 'user', content: `ping ${requests}` }] };
        if (stream) assert.ok((await streamed(client, params)).text.length > 0);
        else assert.ok((await client.chat.completions.create(params)).choices[0].message.content.length > 0);
        ++requests;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(requests >= 20, `only ${requests} requests`);
  } finally {
    await gateway.stop();
  }
});
