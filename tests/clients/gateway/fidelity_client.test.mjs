// What today's models take beyond plain chat, through helixagentd with the
// official openai client (and plain fetch for /v1/messages), in front of the
// simulators: prompt caching (Anthropic cache_control, Converse cachePoint,
// OpenAI's automatic cache) with its tokens in usage and in the cost, Nova 2
// reasoning on Bedrock, and structured output checked against its schema.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { importSdk } from '../cloudsim/sim.mjs';
import { clientKey, startGateway } from './gateway.mjs';
import { schemaProblems } from './schema_check.mjs';
import { collectStream } from './stream.mjs';

const { default: OpenAI } = await importSdk('openai');

// USD per 1K tokens: input, output, cache read, cache write.
const prices = {
  'anthropic/claude-3-7-sonnet-20250219': [0.003, 0.015, 0.0003, 0.00375],
  'aws-bedrock/anthropic.claude-3-7-sonnet': [0.003, 0.015, 0.0003, 0.00375],
  'aws-bedrock/amazon.nova-pro': [0.0008, 0.0032, 0.0002, null],
  'openai/gpt-4o': [0.0025, 0.01, 0.00125, null],
};

let gateway;
let client;
let root;
before(async () => {
  gateway = await startGateway({
    edit: (lines) => [...lines, 'prices:', ...Object.entries(prices).map(([model, [input, output, read, write]]) =>
      `  ${model}: {input: ${input}, output: ${output}, cache_read: ${read}${write === null ? '' : `, cache_write: ${write}`}}`)],
  });
  client = new OpenAI({ baseURL: gateway.baseURL, apiKey: clientKey, maxRetries: 0, timeout: 20_000 });
  root = gateway.baseURL.replace(/\/v1$/, '');
});
after(async () => {
  await gateway?.stop();
});

// A long text of exactly `words` simulator tokens, unique to `tag`.
const longText = (tag, words) => Array.from({ length: words }, (_, i) => `${tag}${i}`).join(' ');

function expectedCost(model, usage, write) {
  const [input, output, read, writePrice] = prices[model];
  const cached = usage.prompt_tokens_details.cached_tokens;
  const uncached = usage.prompt_tokens - cached - write;
  return (uncached * input + cached * read + write * (writePrice ?? input) + usage.completion_tokens * output) / 1000;
}

async function chat(request) {
  const { data, response } = await client.chat.completions.create(request).withResponse();
  return { data, cost: Number(response.headers.get('x-helix-cost-usd')) };
}

describe('prompt caching', () => {
  // Claude (Anthropic's API, Bedrock Converse) and Nova: a breakpoint after a
  // 1,200-token system prompt is written once, then read.
  for (const model of ['anthropic/claude-3-7-sonnet-20250219', 'aws-bedrock/anthropic.claude-3-7-sonnet',
    'aws-bedrock/amazon.nova-pro']) {
    test(`${model}: cache_control on the system prompt is written, then read, and priced so`, async () => {
      const tag = model.replace(/\W/g, '');
      const system = { role: 'system', content: [{ type: 'text', text: longText(tag, 1200), cache_control: { type: 'ephemeral' } }] };
      const first = await chat({ model, messages: [system, { role: 'user', content: 'first question' }] });
      assert.equal(first.data.usage.prompt_tokens_details.cached_tokens, 0);
      assert.ok(first.data.usage.prompt_tokens >= 1200, JSON.stringify(first.data.usage));
      // The 1,200 tokens written (Nova has no price of its own for writes: the input price).
      assert.ok(Math.abs(first.cost - expectedCost(model, first.data.usage, 1200)) < 1e-6,
        `${first.cost} ${JSON.stringify(first.data.usage)}`);

      const second = await chat({ model, messages: [system, { role: 'user', content: 'another question' }] });
      assert.equal(second.data.usage.prompt_tokens_details.cached_tokens, 1200);
      assert.ok(Math.abs(second.cost - expectedCost(model, second.data.usage, 0)) < 1e-6,
        `${second.cost} ${JSON.stringify(second.data.usage)}`);
      assert.ok(second.cost < first.cost);

      // Streamed: the usage chunk carries the cached tokens too.
      const s = await collectStream(await client.chat.completions.create({
        model, stream: true, stream_options: { include_usage: true },
        messages: [system, { role: 'user', content: 'a third question' }],
      }));
      assert.equal(s.usage.prompt_tokens_details.cached_tokens, 1200);
    });
  }

  test('breakpoints on a content part and a tool reach Claude; a bad one is a 400 naming it', async () => {
    const model = 'anthropic/claude-3-7-sonnet-20250219';
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } }, cache_control: { type: 'ephemeral' } }];
    const doc = { type: 'text', text: longText('partdoc', 1500), cache_control: { type: 'ephemeral', ttl: '1h' } };
    const ask = (q) => [{ role: 'user', content: [doc, { type: 'text', text: q }] }];
    const first = await chat({ model, tools, messages: ask('what does it say?') });
    assert.equal(first.data.usage.prompt_tokens_details.cached_tokens, 0);
    const second = await chat({ model, tools, messages: ask('and the summary?') });
    assert.equal(second.data.usage.prompt_tokens_details.cached_tokens, 1500);
    await assert.rejects(chat({ model, messages: [{ role: 'user', content: 'hi', cache_control: { type: 'forever' } }] }),
      (e) => e.status === 400 && e.param === 'messages[0].cache_control.type');
  });

  test('Bedrock models without prompt caching are served with the breakpoints dropped', async () => {
    const r = await chat({ model: 'aws-bedrock/meta.llama3-1-70b-instruct', messages: [
      { role: 'system', content: [{ type: 'text', text: longText('llama', 1100), cache_control: { type: 'ephemeral' } }] },
      { role: 'user', content: 'hello' }] });
    assert.equal(r.data.choices[0].finish_reason, 'stop');
    assert.equal(r.data.usage.prompt_tokens_details.cached_tokens, 0);
  });

  test('openai/gpt-4o: the automatic cache is read for a repeated long prefix; cache_control is not sent on', async () => {
    const model = 'openai/gpt-4o';
    const messages = (q) => [{ role: 'system', content: longText('openai', 1300) },
      { role: 'user', content: [{ type: 'text', text: q, cache_control: { type: 'ephemeral' } }] }];
    const first = await chat({ model, messages: messages('one') });
    assert.equal(first.data.usage.prompt_tokens_details.cached_tokens, 0);
    const second = await chat({ model, messages: messages('two') });
    // OpenAI reads 1,024 tokens and then whole blocks of 128.
    assert.equal(second.data.usage.prompt_tokens_details.cached_tokens, 1280);
    assert.ok(Math.abs(second.cost - expectedCost(model, second.data.usage, 0)) < 1e-6);
  });

  // /v1/messages: passed through to Claude as sent, or translated (Nova on
  // Converse); Anthropic's own usage fields either way.
  for (const model of ['anthropic/claude-3-7-sonnet-20250219', 'aws-bedrock/anthropic.claude-3-7-sonnet',
    'aws-bedrock/amazon.nova-pro']) {
    test(`/v1/messages on ${model}: cache_creation_input_tokens, then cache_read_input_tokens`, async () => {
      const body = (q) => ({ model, max_tokens: 200,
        system: [{ type: 'text', text: longText(`msg${model.replace(/\W/g, '')}`, 1100), cache_control: { type: 'ephemeral' } }],
        messages: [{ role: 'user', content: q }] });
      const send = async (q) => {
        const r = await fetch(`${root}/v1/messages`, { method: 'POST',
          headers: { 'x-api-key': clientKey, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
          body: JSON.stringify(body(q)) });
        assert.equal(r.status, 200, await r.clone().text());
        return (await r.json()).usage;
      };
      const first = await send('one');
      assert.equal(first.cache_creation_input_tokens, 1100, JSON.stringify(first));
      assert.equal(first.cache_read_input_tokens, 0);
      const second = await send('two');
      assert.equal(second.cache_read_input_tokens, 1100, JSON.stringify(second));
      assert.equal(second.cache_creation_input_tokens, 0);
      assert.ok(second.input_tokens < 20, JSON.stringify(second));
    });
  }
});

describe('Nova 2 reasoning on Bedrock', () => {
  const model = 'aws-bedrock/amazon.nova-2-lite';
  const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }];

  test('reasoning_effort turns on reasoningConfig; the reasoning comes back as reasoning_content', async () => {
    const whole = await client.chat.completions.create({ model, reasoning_effort: 'medium',
      messages: [{ role: 'user', content: 'why is the sky blue' }] });
    assert.match(whole.choices[0].message.reasoning_content, /^Thinking about: why is the sky blue/);
    assert.ok(whole.choices[0].message.content.length > 0);
    const s = await collectStream(await client.chat.completions.create({ model, reasoning_effort: 'high', stream: true,
      messages: [{ role: 'user', content: 'why is the sky blue' }] }));
    assert.match(s.reasoning, /^Thinking about: why is the sky blue/);
    // Without an effort there is no reasoning.
    const plain = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(plain.choices[0].message.reasoning_content, undefined);
  });

  test('a tool loop with reasoning passes with the reasoning sent back', async () => {
    const messages = [{ role: 'user', content: 'call tool lookup please' }];
    const first = await client.chat.completions.create({ model, tools, reasoning_effort: 'low', messages });
    assert.equal(first.choices[0].finish_reason, 'tool_calls');
    const message = first.choices[0].message;
    messages.push(message, { role: 'tool', tool_call_id: message.tool_calls[0].id, content: 'sunny' });
    const second = await client.chat.completions.create({ model, tools, reasoning_effort: 'low', messages });
    assert.equal(second.choices[0].finish_reason, 'stop');
    assert.match(second.choices[0].message.content, /sunny/);
  });

  test('Nova 1 gets no reasoningConfig (it would refuse it)', async () => {
    const r = await client.chat.completions.create({ model: 'aws-bedrock/amazon.nova-pro', reasoning_effort: 'high',
      messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(r.choices[0].finish_reason, 'stop');
    assert.equal(r.choices[0].message.reasoning_content, undefined);
  });
});

// Structured output: every provider that can answers JSON that fits the
// client's schema (OpenAI and Azure pass response_format on, Vertex gets
// responseSchema, Claude a forced tool, or while it thinks an instruction).
describe('structured output', () => {
  const schema = {
    type: 'object',
    properties: {
      city: { type: 'string', minLength: 2 },
      population: { type: 'integer', minimum: 1000 },
      coordinates: { type: 'object', properties: { lat: { type: 'number', minimum: -90, maximum: 90 }, lon: { type: 'number' } }, required: ['lat', 'lon'], additionalProperties: false },
      districts: { type: 'array', minItems: 2, items: { type: 'object', properties: { name: { type: 'string' }, kind: { type: 'string', enum: ['urban', 'rural'] } }, required: ['name', 'kind'], additionalProperties: false } },
      capital: { type: 'boolean' },
      founded: { anyOf: [{ type: 'string', format: 'date' }, { type: 'null' }] },
    },
    required: ['city', 'population', 'coordinates', 'districts', 'capital', 'founded'],
    additionalProperties: false,
  };
  const response_format = { type: 'json_schema', json_schema: { name: 'city_facts', strict: true, schema } };
  const messages = [{ role: 'user', content: 'Facts about a city' }];

  const check = (text) => {
    const value = JSON.parse(text);
    assert.deepEqual(schemaProblems(value, schema), [], text);
    return value;
  };

  for (const model of ['openai/gpt-4o', 'azure-openai/gpt-4o', 'gcp-vertex/gemini-2.5-flash',
    'anthropic/claude-3-7-sonnet-20250219', 'aws-bedrock/anthropic.claude-3-7-sonnet']) {
    test(`${model}: json_schema is answered with JSON that fits, streamed and not`, async () => {
      const whole = await client.chat.completions.create({ model, messages, response_format });
      assert.equal(whole.choices[0].finish_reason, 'stop');
      const value = check(whole.choices[0].message.content);
      assert.equal(value.districts.length, 2);
      const s = await collectStream(await client.chat.completions.create({ model, messages, response_format, stream: true }));
      assert.equal(s.finish, 'stop');
      assert.deepEqual(JSON.parse(s.text), value);
      // json_object: some JSON object (OpenAI wants the word "json" in the messages).
      const object = await client.chat.completions.create({ model, response_format: { type: 'json_object' },
        messages: [{ role: 'user', content: 'Answer in json: name a city' }] });
      const parsed = JSON.parse(object.choices[0].message.content);
      assert.equal(typeof parsed, 'object');
      assert.ok(parsed !== null && !Array.isArray(parsed));
    });
  }

  // Claude refuses a forced tool while it thinks: it is asked to answer with
  // the tool instead, and the answer is still the JSON content.
  for (const model of ['anthropic/claude-3-7-sonnet-20250219', 'aws-bedrock/anthropic.claude-3-7-sonnet']) {
    test(`${model}: thinking and json_schema together give reasoning and fitting JSON`, async () => {
      const whole = await client.chat.completions.create({ model, messages, response_format, reasoning_effort: 'low' });
      assert.equal(whole.choices[0].finish_reason, 'stop');
      assert.match(whole.choices[0].message.reasoning_content, /^Thinking about: Facts about a city/);
      assert.equal(whole.choices[0].message.tool_calls, undefined);
      check(whole.choices[0].message.content);
      const s = await collectStream(await client.chat.completions.create({ model, messages, response_format,
        reasoning_effort: 'low', stream: true }));
      assert.equal(s.finish, 'stop');
      assert.match(s.reasoning, /^Thinking about/);
      check(s.text);
    });
  }

  test('openai/gpt-4o: json_object without "json" in the messages is the provider\'s 400', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'openai/gpt-4o', messages,
      response_format: { type: 'json_object' } }), (e) => e.status === 400 && /json/.test(e.message));
  });
});
