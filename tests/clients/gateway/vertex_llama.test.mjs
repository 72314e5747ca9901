// Llama on Vertex AI (Model as a Service) through helixagentd: the gcp-vertex
// plugin sends a "publisher/model" id to Vertex's OpenAI-compatible endpoint
// with the OpenAI translation of the openai plugin and its Google
// credentials; the simulator checks the token, the path (regional and
// global) and the model id. Raw HTTP as curl sends it, then the official
// openai client: plain and streamed, tools, Google's errors, and a token
// refused (401) and fetched again.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { importSdk } from '../cloudsim/sim.mjs';
import { clientKey, curl, curlBothWays, lookupTool as lookup, startGatewayWithClient, stopGateway } from './gateway.mjs';
import { collectStream } from './stream.mjs';

const { default: OpenAI } = await importSdk('openai');

const LLAMA = 'meta/llama-3.3-70b-instruct-maas';
const MAVERICK = 'meta/llama-4-maverick-17b-128e-instruct-maas';
const NOT_SERVED = 'meta/llama-2-70b-chat-maas'; // listed by the gateway, unknown to the endpoint

// The Llama models listed on gcp-vertex (a service-account key file), and a
// second provider at location global.
function withLlama(lines) {
  const at = lines.indexOf('  gcp-vertex:');
  const settings = lines.indexOf('    settings:', at);
  lines.splice(settings + 1, 0, `      models: [gemini-1.5-pro, ${LLAMA}, ${MAVERICK}, ${NOT_SERVED}]`);
  const endpoint = lines[settings + 2];
  const keyFile = lines.slice(settings).find((l) => l.trim().startsWith('credentials_file:'));
  const providers = lines.findIndex((l) => l.startsWith('providers:'));
  lines.splice(providers, 0, '  vertex-global:', '    library: helix_gcp_vertex', '    settings:', endpoint,
    '      project_id: helix-sim', '      location: global', keyFile, `      models: [${LLAMA}]`);
  return lines;
}

let gateway;
let client;
before(async () => ({ gateway, client } = await startGatewayWithClient(OpenAI, { edit: withLlama })));
after(() => stopGateway(gateway, [['ya29.', 'an access token']]));

describe('Llama on Vertex through the gateway', () => {
  const model = `gcp-vertex/${LLAMA}`;

  test('GET /v1/models lists the configured Llama models', async () => {
    const ids = (await client.models.list()).data.map((m) => m.id);
    for (const id of [model, `gcp-vertex/${MAVERICK}`, `vertex-global/${LLAMA}`]) assert.ok(ids.includes(id), id);
    assert.ok(!ids.includes('gcp-vertex/meta/llama-3.1-405b-instruct-maas'), 'an unlisted Llama model is listed');
  });

  test('the curl example, streamed and not', async () => {
    const messages = [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'Explain quantum computing in simple terms' }];
    const { whole, raw } = await curlBothWays(gateway.baseURL, 'gcp-vertex', { model, messages });
    assert.equal(whole.model, model);
    assert.match(whole.choices[0].message.content, /Explain quantum computing/);
    assert.ok(raw.includes(whole.choices[0].message.content.split(' ')[0]));
  });

  test('the openai client: a completion and its stream agree, with usage', async () => {
    const messages = [{ role: 'user', content: 'Write a haiku about gateways' }];
    const whole = await client.chat.completions.create({ model, messages });
    const s = await collectStream(await client.chat.completions.create({ model, messages, stream: true,
      stream_options: { include_usage: true } }));
    assert.equal(s.text, whole.choices[0].message.content);
    assert.equal(s.finish, 'stop');
    assert.equal(s.usage.completion_tokens, whole.usage.completion_tokens);
    assert.equal(s.usage.prompt_tokens, whole.usage.prompt_tokens);
  });

  test('a tool call and its result, then a streamed tool call', async () => {
    const ask = { role: 'user', content: 'What does serendipity mean? call tool lookup' };
    const first = await client.chat.completions.create({ model, messages: [ask], tools: [lookup] });
    assert.equal(first.choices[0].finish_reason, 'tool_calls');
    const call = first.choices[0].message.tool_calls[0];
    assert.equal(call.function.name, 'lookup');
    assert.equal(typeof JSON.parse(call.function.arguments).word, 'string');
    const second = await client.chat.completions.create({
      model,
      tools: [lookup],
      messages: [ask, first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: 'a happy accident' }],
    });
    assert.equal(second.choices[0].finish_reason, 'stop');
    assert.ok(second.choices[0].message.content.length > 0);

    const s = await collectStream(await client.chat.completions.create({ model: `gcp-vertex/${MAVERICK}`, messages: [ask], tools: [lookup], stream: true }));
    assert.equal(s.finish, 'tool_calls');
    assert.equal(s.toolCalls.length, 1);
    assert.equal(s.toolCalls[0].name, 'lookup');
    assert.ok(s.toolCalls[0].id.length > 0);
    assert.equal(typeof JSON.parse(s.toolCalls[0].arguments).word, 'string');
  });

  test('the global location', async () => {
    const whole = await client.chat.completions.create({ model: `vertex-global/${LLAMA}`, messages: [{ role: 'user', content: 'hello' }] });
    assert.equal(whole.choices[0].finish_reason, 'stop');
    const s = await collectStream(await client.chat.completions.create({ model: `vertex-global/${LLAMA}`, messages: [{ role: 'user', content: 'hello' }], stream: true }));
    assert.equal(s.text, whole.choices[0].message.content);
    // Each location's path of the endpoint, as the simulator saw them.
    const stats = await (await fetch(`${gateway.sim.base('vertex')}/__sim/stats`)).json();
    for (const location of ['global', 'us-central1'])
      assert.ok(stats.by_route[`POST /v1/projects/helix-sim/locations/${location}/endpoints/openapi/chat/completions`] >= 2,
        JSON.stringify(stats.by_route));
  });

  test('the Responses and Anthropic Messages APIs reach Llama through the same translation', async () => {
    const responses = await fetch(`${gateway.baseURL}/responses`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${clientKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model, input: 'Write a haiku about gateways' }),
    });
    assert.equal(responses.status, 200, await responses.clone().text());
    const response = await responses.json();
    assert.equal(response.object, 'response');
    assert.equal(response.status, 'completed');
    assert.ok(response.output.some((o) => o.type === 'message' && o.content[0].text.length > 0), JSON.stringify(response.output));

    const messages = await fetch(`${gateway.baseURL.replace(/\/v1$/, '')}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': clientKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model, max_tokens: 256, messages: [{ role: 'user', content: 'Write a haiku about gateways' }] }),
    });
    assert.equal(messages.status, 200, await messages.clone().text());
    const message = await messages.json();
    assert.equal(message.type, 'message');
    assert.equal(message.content[0].type, 'text');
    assert.ok(message.content[0].text.length > 0);
  });

  test("Google's errors become OpenAI errors with the upstream message", async () => {
    await assert.rejects(
      client.chat.completions.create({ model: `gcp-vertex/${NOT_SERVED}`, messages: [{ role: 'user', content: 'hi' }] }),
      (e) => e instanceof OpenAI.NotFoundError && /llama-2-70b-chat-maas/.test(e.message) && e.code === 'NOT_FOUND',
    );
    await assert.rejects(
      client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x [[fault:permission-denied]]' }] }),
      (e) => e instanceof OpenAI.APIError && e.status === 502 && /Permission/.test(e.message),
    );
    await assert.rejects(
      client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x [[fault:429]]' }] }),
      (e) => e instanceof OpenAI.APIError && [429, 503].includes(e.status) && /Resource exhausted/.test(e.message),
    );
  });

  test('revoked tokens: the refusal (401) drops the token and the call is made again with a new one', async () => {
    const revoke = await fetch(`${gateway.sim.base('vertex')}/__vertex/revoke-tokens`, { method: 'POST' });
    assert.equal(revoke.status, 200);
    const res = await curl(gateway.baseURL, { model, messages: [{ role: 'user', content: 'still there?' }] });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get('x-helix-attempts'), '2');
    const s = await collectStream(await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'and now?' }], stream: true }));
    assert.equal(s.finish, 'stop');
  });
});
