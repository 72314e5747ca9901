// Starts helixagentd in front of helix-cloudsim for client tests: writes a
// configuration whose providers point at the simulator, waits until the
// daemon listens, and stops both at the end.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { repoRoot, startSimulator } from '../cloudsim/sim.mjs';

export const clientKey = 'sk-helix-client-test-91c2';
let gatewayCount = 0;

export function daemonBinary() {
  return process.env.HELIXAGENTD ?? path.join(repoRoot, 'build/daemon/helixagentd');
}

export function pluginDir() {
  return process.env.HELIX_PLUGIN_DIR ?? path.join(repoRoot, 'build/plugins');
}

// Returns { baseURL, sim, pid, log(), stop() } once the daemon listens.
// edit: a function given the configuration's lines that returns them changed
// (a test's own providers, aliases or limits).
// simArgs: extra helix-cloudsim options (e.g. a short Vertex token lifetime).
// http2: the daemon's upstream.http2 (off | auto | on); by default
// HELIX_TEST_UPSTREAM_HTTP2, so that one suite runs over either protocol
// (the simulators speak h2c on the same ports).
export async function startGateway({ simArgs = [], edit = (lines) => lines,
  http2 = process.env.HELIX_TEST_UPSTREAM_HTTP2 ?? 'off' } = {}) {
  const sim = startSimulator(simArgs);
  const dir = mkdtempSync(path.join(tmpdir(), 'helix-gateway-test-'));
  const config = path.join(dir, 'helixagent.yaml');
  // Logs go where tests/logs scans them for secrets after the run (else next to the configuration).
  const logDir = process.env.HELIX_TEST_LOG_DIR ?? dir;
  mkdirSync(logDir, { recursive: true });
  const logBase = path.join(logDir, `gateway-${process.pid}-${++gatewayCount}`);
  // Bedrock credentials from each link of the AWS chain, all served by the simulator.
  const awsKey = 'AKIDSIMEXAMPLE';
  const awsSecret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYSIMHELIXKY';
  const credentialsFile = path.join(dir, 'aws-credentials');
  writeFileSync(credentialsFile, `[sim]\naws_access_key_id = ${awsKey}\naws_secret_access_key = ${awsSecret}\n`);
  const webIdentityToken = path.join(dir, 'web-identity-token');
  writeFileSync(webIdentityToken, 'test-web-identity-token');
  // Vertex AI three ways, all served by the simulator: a service account (its
  // own key file), the metadata server, and a fixed access token minted there.
  const vertexKeyFile = path.join(dir, 'vertex-service-account.json');
  writeFileSync(vertexKeyFile, await (await fetch(`${sim.base('vertex')}/__vertex/service-account`)).text());
  const vertexToken = (await (await fetch(
    `${sim.base('vertex')}/computeMetadata/v1/instance/service-accounts/default/token`,
    { headers: { 'Metadata-Flavor': 'Google' } })).json()).access_token;
  const vertex = (name, settings) => [
    `  ${name}:`,
    '    library: helix_gcp_vertex',
    '    settings:',
    `      endpoint: ${sim.base('vertex')}`,
    '      project_id: helix-sim',
    ...settings.map((line) => `      ${line}`),
  ];
  const bedrock = (name, settings) => [
    `  ${name}:`,
    '    library: helix_aws_bedrock',
    '    settings:',
    `      endpoint: ${sim.base('bedrock')}`,
    '      region: us-east-1',
    ...settings.map((line) => `      ${line}`),
  ];
  writeFileSync(
    config,
    edit([
      'server: {listen: 127.0.0.1, port: 0}',
      // The access log of every request the official clients make, scanned for secrets with the rest.
      `log: {access: ${logBase}.access.log}`,
      `api_keys: [{name: tests, key: ${clientKey}}]`,
      // Each fault case must reach the failing provider, not skip it as an open circuit.
      'router: {circuit_failures: 1000, circuit_failure_rate: 0}',
      `plugin_dir: ${pluginDir()}`,
      `upstream: {http2: ${http2}}`,
      'plugins:',
      '  openai:',
      '    timeout: 2s', // a stalled first byte fails over within the tests' patience
      '    settings:',
      `      base_url: ${sim.base('openai')}/v1`,
      '      api_key: sk-sim-openai',
      '  anthropic:',
      '    settings:',
      `      base_url: ${sim.base('anthropic')}`,
      '      api_key: sk-sim-anthropic',
      // Azure OpenAI three ways: api-key, Entra ID client credentials, managed identity.
      '  azure-openai:',
      '    settings:',
      `      endpoint: ${sim.base('azure')}/`,
      '      api_key: sk-sim-azure',
      '  azure-entra:',
      '    library: helix_azure_openai',
      '    settings:',
      `      endpoint: ${sim.base('azure')}`,
      `      authority_host: ${sim.base('azure')}`,
      '      tenant_id: sim-tenant',
      '      client_id: sim-client-id',
      '      client_secret: sim-client-secret',
      '  azure-mi:',
      '    library: helix_azure_openai',
      '    settings:',
      `      endpoint: ${sim.base('azure')}`,
      `      identity_endpoint: ${sim.base('azure')}/metadata/identity/oauth2/token`,
      ...vertex('gcp-vertex', [`credentials_file: ${vertexKeyFile}`]),
      ...vertex('vertex-metadata', [`metadata_host: 127.0.0.1:${sim.ports.vertex}`]),
      ...vertex('vertex-token', [`access_token: ${vertexToken}`]),
      // Claude in Vertex's Model Garden (rawPredict), where it is served.
      ...vertex('vertex-claude', [`credentials_file: ${vertexKeyFile}`, 'location: us-east5',
        'models: [claude-sonnet-4-5@20250929, claude-3-5-haiku@20241022]']),
      ...bedrock('aws-bedrock', [`access_key_id: ${awsKey}`, `secret_access_key: "${awsSecret}"`]),
      ...bedrock('bedrock-profile', [`credentials_file: ${credentialsFile}`, 'profile: sim']),
      ...bedrock('bedrock-webid', [`web_identity_token_file: ${webIdentityToken}`,
        'role_arn: arn:aws:iam::123456789012:role/helix-sim-role', `sts_endpoint: ${sim.base('bedrock')}`]),
      ...bedrock('bedrock-ecs', [`container_credentials_full_uri: ${sim.base('bedrock')}/v1/credentials`,
        'container_authorization_token: sim-container-token']),
      ...bedrock('bedrock-imds', [`imds_endpoint: ${sim.base('bedrock')}`]),
      'providers: {primary: [openai, anthropic], fallback: [azure-openai]}',
      '',
    ]).join('\n'),
  );
  const child = spawn(daemonBinary(), ['--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`helixagentd did not start:\n${log}`)), 15_000);
    child.stderr.on('data', (chunk) => {
      log += chunk;
      appendFileSync(`${logBase}.log`, chunk);
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`helixagentd exited with ${code}:\n${log}`));
    });
  });
  // A daemon asked to stop must exit cleanly: under AddressSanitizer this is
  // where LeakSanitizer reports a leak (and turns the exit status non-zero).
  const stop = async () => {
    let exit = null;
    if (child.exitCode === null && child.signalCode === null) {
      exit = await new Promise((resolve) => {
        child.once('exit', (code, signal) => resolve({ code, signal }));
        child.kill('SIGTERM');
      });
    }
    sim.stop();
    rmSync(dir, { recursive: true, force: true });
    if (exit && exit.code !== 0) {
      throw new Error(`helixagentd did not stop cleanly (exit ${exit.code ?? exit.signal}):\n${log.slice(-4000)}`);
    }
  };
  return { baseURL: `http://127.0.0.1:${port}/v1`, sim, pid: child.pid, http2, log: () => log, stop };
}

// startGateway(options), and the official openai client of it as the client
// tests use it: no retries, so that a failure shows as itself, and `timeout`
// for each request. Returns { gateway, client }.
export async function startGatewayWithClient(OpenAI, { timeout = 20_000, ...options } = {}) {
  const gateway = await startGateway(options);
  return { gateway, client: new OpenAI({ baseURL: gateway.baseURL, apiKey: clientKey, maxRetries: 0, timeout }) };
}

// Stops a test file's gateway, then checks that none of `secrets`
// ([text, what it is] pairs) appeared in its log.
export async function stopGateway(gateway, secrets = []) {
  await gateway?.stop();
  for (const [secret, what] of secrets) assert.ok(!gateway.log().includes(secret), `${what} appeared in the gateway log`);
}

// A request as curl sends it (the README's example): raw HTTP, no SDK.
export function curl(baseURL, body) {
  return fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${clientKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

// The curl example not streamed, then streamed: both answered by `provider`,
// the first a chat.completion that stopped with its usage, the second an
// event stream ending in [DONE]. Returns the completion and the raw stream.
export async function curlBothWays(baseURL, provider, body) {
  const res = await curl(baseURL, body);
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(res.headers.get('x-helix-provider'), provider);
  const whole = await res.json();
  assert.equal(whole.object, 'chat.completion');
  assert.equal(whole.choices[0].finish_reason, 'stop');
  assert.ok(whole.usage.prompt_tokens > 0 && whole.usage.completion_tokens > 0, JSON.stringify(whole.usage));
  const sse = await curl(baseURL, { ...body, stream: true });
  assert.equal(sse.status, 200);
  assert.match(sse.headers.get('content-type'), /text\/event-stream/);
  const raw = await sse.text();
  assert.ok(raw.trimEnd().endsWith('data: [DONE]'), raw.slice(-200));
  return { whole, raw };
}

// The tool the simulators call when a message says "call tool lookup".
export const lookupTool = {
  type: 'function',
  function: { name: 'lookup', description: 'Look a word up', parameters: { type: 'object', properties: { word: { type: 'string' } }, required: ['word'] } },
};
