// POST /v1/completions passed natively to the models that serve legacy
// completions (OpenAI's gpt-3.5-turbo-instruct and davinci-002, an Azure
// gpt-35-turbo-instruct deployment), through the official openai client:
// streamed and not, the same text both ways, with what only such a model
// gives (several prompts, token prompts, n, echo, logprobs, suffix). The
// simulators refuse such a model on chat and a chat model on completions,
// as OpenAI and Azure do, so each answer here proves the request took the
// native path. The gateway's chat endpoints refuse these models with a 400
// naming the model, and a chat model keeps the translation onto chat.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { control, importSdk } from '../cloudsim/sim.mjs';
import { clientKey, startGateway } from './gateway.mjs';

const { default: OpenAI } = await importSdk('openai');

let gateway;
let client;
before(async () => {
  gateway = await startGateway({
    edit: (lines) => {
      const at = lines.indexOf('plugins:') + 1;
      const openai = lines.find((l) => l.includes('base_url:') && l.includes('/v1'));
      const azure = lines.find((l) => l.includes('endpoint:') && l.trim().endsWith('/'));
      return [
        ...lines.slice(0, at),
        '  openai-instruct:',
        '    library: helix_openai',
        '    settings:',
        openai,
        '      api_key: sk-sim-openai',
        '      models: [gpt-3.5-turbo-instruct, davinci-002]',
        '  azure-instruct:',
        '    library: helix_azure_openai',
        '    settings:',
        azure,
        '      api_key: sk-sim-azure',
        // One model under another name: the capability comes from `models`.
        '      models: [gpt-35-turbo-instruct, {id: legacy-writer, capabilities: [completions, streaming]}]',
        '      deployments: {legacy-writer: gpt-35-turbo-instruct}',
        ...lines.slice(at),
        'aliases:',
        '  instruct: [openai-instruct/gpt-3.5-turbo-instruct, azure-instruct/gpt-35-turbo-instruct]',
        '  writer: [openai/gpt-4o, openai-instruct/gpt-3.5-turbo-instruct]',
      ];
    },
  });
  client = new OpenAI({ baseURL: gateway.baseURL, apiKey: clientKey, maxRetries: 0, timeout: 20_000 });
});
after(async () => {
  await gateway?.stop();
});

// Every chunk of a stream: the text of each choice by index, finish reasons, logprobs tokens, usage.
async function collect(stream) {
  const text = [];
  const finish = [];
  const tokens = [];
  let usage = null;
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'text_completion');
    for (const choice of chunk.choices) {
      text[choice.index] = (text[choice.index] ?? '') + choice.text;
      if (choice.finish_reason) finish[choice.index] = choice.finish_reason;
      if (choice.logprobs) tokens[choice.index] = [...(tokens[choice.index] ?? []), ...choice.logprobs.tokens];
    }
    if (chunk.usage) usage = chunk.usage;
  }
  return { text, finish, tokens, usage };
}

for (const [model, provider] of [
  ['openai-instruct/gpt-3.5-turbo-instruct', 'openai-instruct'],
  ['openai-instruct/davinci-002', 'openai-instruct'],
  ['azure-instruct/gpt-35-turbo-instruct', 'azure-instruct'],
  ['azure-instruct/legacy-writer', 'azure-instruct'],
]) {
  describe(model, () => {
    test('completions.create, streamed and not: one text, one usage', async () => {
      const prompt = 'Say this is a test';
      const { data: whole, response } = await client.completions.create({ model, prompt, max_tokens: 30 }).withResponse();
      assert.equal(response.headers.get('x-helix-provider'), provider);
      assert.equal(whole.object, 'text_completion');
      assert.equal(whole.model, model);
      assert.equal(whole.choices.length, 1);
      assert.match(whole.choices[0].text, /^You said: Say this is a test/);
      assert.equal(whole.choices[0].logprobs, null);
      assert.ok(['stop', 'length'].includes(whole.choices[0].finish_reason), whole.choices[0].finish_reason);
      assert.ok(whole.usage.prompt_tokens > 0 && whole.usage.completion_tokens > 0, JSON.stringify(whole.usage));

      const stream = await client.completions.create({
        model, prompt, max_tokens: 30, stream: true, stream_options: { include_usage: true },
      });
      const got = await collect(stream);
      assert.deepEqual(got.text, [whole.choices[0].text]);
      assert.deepEqual(got.finish, [whole.choices[0].finish_reason]);
      assert.deepEqual(got.usage, whole.usage);
    });

    test("OpenAI's default of 16 tokens holds natively too", async () => {
      const r = await client.completions.create({ model, prompt: 'Tell me a long story about a gateway' });
      assert.ok(r.usage.completion_tokens <= 16, JSON.stringify(r.usage));
    });

    test('several prompts and n: one choice per prompt and n, in index order, streamed alike', async () => {
      const body = { model, prompt: ['First prompt here', 'Second prompt there'], n: 2, max_tokens: 12 };
      const whole = await client.completions.create(body);
      assert.deepEqual(whole.choices.map((c) => c.index), [0, 1, 2, 3]);
      assert.match(whole.choices[0].text, /^You said: First prompt here/);
      assert.match(whole.choices[1].text, /^You said: First prompt here/);
      assert.match(whole.choices[2].text, /^You said: Second prompt there/);
      assert.match(whole.choices[3].text, /^You said: Second prompt there/);
      const got = await collect(await client.completions.create({ ...body, stream: true }));
      assert.deepEqual(got.text, whole.choices.map((c) => c.text));
      assert.deepEqual(got.finish, whole.choices.map((c) => c.finish_reason));
    });

    test('echo, logprobs, suffix, best_of and token prompts reach the model', async () => {
      const whole = await client.completions.create({
        model, prompt: 'Echo me', echo: true, logprobs: 2, suffix: ' The end.', best_of: 2, max_tokens: 5,
      });
      const [choice] = whole.choices;
      assert.match(choice.text, /^Echo meYou said: Echo me/);
      assert.equal(choice.logprobs.tokens.join(''), choice.text);
      assert.equal(choice.logprobs.token_logprobs[0], null); // the echoed prompt
      assert.equal(Object.keys(choice.logprobs.top_logprobs[1]).length, 2);
      const got = await collect(await client.completions.create({
        model, prompt: 'Echo me', echo: true, logprobs: 2, max_tokens: 5, stream: true,
      }));
      assert.equal(got.text[0], choice.text);
      assert.equal(got.tokens[0].join(''), choice.text);

      const tokens = await client.completions.create({ model, prompt: [[1212, 318], [257, 1332]], max_tokens: 4 });
      assert.equal(tokens.choices.length, 2);
      assert.match(tokens.choices[1].text, /^You said: 257 1332/);
    });

    test('chat and responses refuse the model with a 400 pointing to /v1/completions', async () => {
      const refused = (e) => {
        assert.ok(e instanceof OpenAI.BadRequestError, String(e));
        assert.equal(e.param, 'model');
        assert.equal(e.code, 'unsupported_model');
        assert.ok(e.message.includes(model), e.message);
        assert.match(e.message, /\/v1\/completions/);
        return true;
      };
      await assert.rejects(client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }), refused);
      await assert.rejects(client.responses.create({ model, input: 'hi' }), refused);
    });
  });
}

test('bad fields are refused by the gateway, naming the field', async () => {
  const bad = async (body, param) => {
    await assert.rejects(client.completions.create({ model: 'instruct', max_tokens: 4, ...body }), (e) => {
      assert.ok(e instanceof OpenAI.BadRequestError, String(e));
      assert.equal(e.param, param, e.message);
      return true;
    });
  };
  await bad({ prompt: 'x', logprobs: 9 }, 'logprobs');
  await bad({ prompt: 'x', n: 3, best_of: 2 }, 'best_of');
  await bad({ prompt: [[1, 'two']] }, 'prompt[0][1]');
  await bad({ prompt: 'x', echo: 'yes' }, 'echo');
});

test('a failing provider fails over to the next legacy completions model, streamed and not', async () => {
  const openai = gateway.sim.base('openai');
  assert.equal((await control(openai, 'POST', '/__sim/faults', { kind: '503', count: -1 })).status, 200);
  try {
    const { data, response } = await client.completions.create({ model: 'instruct', prompt: 'Anybody there?', n: 2 })
      .withResponse();
    assert.equal(response.headers.get('x-helix-provider'), 'azure-instruct');
    assert.equal(response.headers.get('x-helix-attempts'), '2');
    assert.equal(data.choices.length, 2);
    const got = await collect(await client.completions.create({
      model: 'instruct', prompt: 'Anybody there?', n: 2, stream: true,
    }));
    assert.deepEqual(got.text, data.choices.map((c) => c.text));
  } finally {
    await control(openai, 'DELETE', '/__sim/faults');
  }
});

test('a chat model keeps the translation; what only a legacy model gives goes to one', async () => {
  // The chat model alone cannot echo: the 400 of the translation names the field.
  await assert.rejects(client.completions.create({ model: 'openai/gpt-4o', prompt: 'x', echo: true }), (e) => {
    assert.ok(e instanceof OpenAI.BadRequestError, String(e));
    assert.equal(e.param, 'echo');
    return true;
  });
  const translated = await client.completions.create({ model: 'openai/gpt-4o', prompt: 'Plain text', max_tokens: 8 })
    .withResponse();
  assert.equal(translated.response.headers.get('x-helix-provider'), 'openai');
  assert.match(translated.data.choices[0].text, /^You said: Plain text/);
  // An alias of a chat model, then a legacy one: plain text goes to the first, translated; echo only to the
  // second.
  const plain = await client.completions.create({ model: 'writer', prompt: 'x', max_tokens: 3 }).withResponse();
  assert.equal(plain.response.headers.get('x-helix-provider'), 'openai');
  const echoed = await client.completions.create({ model: 'writer', prompt: 'x', echo: true, max_tokens: 3 })
    .withResponse();
  assert.equal(echoed.response.headers.get('x-helix-provider'), 'openai-instruct');
  assert.equal(echoed.response.headers.get('x-helix-attempts'), '1');
  assert.match(echoed.data.choices[0].text, /^xYou said: x/);
});

test('GET /v1/models says an instruct model serves completions only', async () => {
  const res = await fetch(`${gateway.baseURL}/models/openai-instruct/gpt-3.5-turbo-instruct`, {
    headers: { Authorization: `Bearer ${clientKey}` },
  });
  assert.equal(res.status, 200);
  assert.deepEqual((await res.json()).endpoints, ['completions']);
});
