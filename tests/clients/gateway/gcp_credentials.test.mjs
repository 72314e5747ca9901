// helixagentd in front of the Vertex AI simulator with the Application
// Default Credentials files beyond service-account keys: gcloud's
// authorized_user (refresh-token grant at the simulator's /token) and
// external_account (workload identity federation: a file- or URL-sourced
// OIDC subject token exchanged at the simulator's STS, then, for one,
// service-account impersonation through its IAM credentials API; AWS-sourced:
// the instance role from the simulator's IMDSv2 or given keys sign AWS STS
// GetCallerIdentity, which the simulated Google STS replays to the simulated
// AWS STS; executable-sourced: a program the daemon runs, with its output
// file as a cache), the `global` location, and Vertex API keys (express mode).
// Every token is then revoked: each provider must answer the next request
// after one 401 and a fresh token (x-helix-attempts: 2).
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { clientKey, startGateway } from './gateway.mjs';

const refreshToken = '1//sim-refresh-token';
const clientSecret = 'sim-oauth-client-secret';
const subject = 'eyJhbGciOiJSUzI1NiJ9.k8s-projected.sig';
const audience = '//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/gw/providers/k8s';
const dir = mkdtempSync(path.join(tmpdir(), 'helix-gcp-adc-'));
const awsSecret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYSIMHELIXKY'; // the Bedrock simulator's long-term pair
const verifyUrl = 'https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15';
const runsFile = path.join(dir, 'executable-runs');

let gateway;
before(async () => {
  gateway = await startGateway({
    simArgs: ['--vertex-subject-token', subject],
    edit: (lines) => {
      const base = lines.slice(lines.indexOf('  gcp-vertex:')).find((l) => l.includes('endpoint:')).split('endpoint: ')[1];
      const imds = lines.slice(lines.indexOf('  aws-bedrock:')).find((l) => l.includes('endpoint:')).split('endpoint: ')[1];
      const file = (name, body) => {
        const p = path.join(dir, name);
        writeFileSync(p, JSON.stringify(body));
        return p;
      };
      writeFileSync(path.join(dir, 'oidc-token'), `${subject}\n`);
      const external = (extra) => ({
        type: 'external_account', audience, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        token_url: `${base}/v1/token`, ...extra,
      });
      const user = (secret) => file(`user-${secret.length}.json`, {
        type: 'authorized_user', client_id: 'sim-oauth-client.apps.googleusercontent.com', client_secret: clientSecret,
        refresh_token: secret, quota_project_id: 'helix-sim', universe_domain: 'googleapis.com',
      });
      const keyed = (name, settings) => [
        `  ${name}:`, '    library: helix_gcp_vertex', '    settings:', `      endpoint: ${base}`,
        ...settings.map((l) => `      ${l}`),
      ];
      const provider = (name, settings) => keyed(name, ['project_id: helix-sim', ...settings]);
      const aws = (extra) => external({
        subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request',
        credential_source: { environment_id: 'aws1', regional_cred_verification_url: verifyUrl, ...extra },
      });
      // An executable source: prints the token, leaves it in its output file, counts its runs.
      const program = path.join(dir, 'issue-oidc');
      const output = path.join(dir, 'oidc-cache.json');
      writeFileSync(program, '#!/bin/sh\n[ "$GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE" = 0 ] || exit 3\n' +
        `echo run >> "${runsFile}"\n` +
        `r='{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","id_token":"${subject}",` +
        `"expiration_time":'$(( $(date +%s) + 3600 ))'}'\n` +
        'printf %s "$r" > "$GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE"\nprintf %s "$r"\n');
      chmodSync(program, 0o755);
      // An interactive (workforce sign-in) executable without a session: run non-interactively, it can only fail.
      const login = path.join(dir, 'workforce-login');
      writeFileSync(login, '#!/bin/sh\n[ "$GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE" = 0 ] || exit 3\n' +
        'echo \'{"version":1,"success":false,"code":"401","message":"interactive sign-in required"}\'\n');
      chmodSync(login, 0o755);
      const added = [
        ...provider('vertex-user', [`credentials_file: ${user(refreshToken)}`, `token_uri: ${base}/token`]),
        ...provider('vertex-user-revoked', [`credentials_file: ${user('1//not-the-token')}`, `token_uri: ${base}/token`]),
        ...provider('vertex-wif-file', [`credentials_file: ${file('wif-file.json', external({
          credential_source: { file: path.join(dir, 'oidc-token') } }))}`, 'location: global']),
        ...provider('vertex-wif-url', [`credentials_file: ${file('wif-url.json', external({
          credential_source: { url: `${base}/__vertex/subject-token`, headers: { Metadata: 'True' },
            format: { type: 'json', subject_token_field_name: 'id_token' } },
          service_account_impersonation_url:
            `${base}/v1/projects/-/serviceAccounts/gateway@helix-sim.iam.gserviceaccount.com:generateAccessToken`,
          service_account_impersonation: { token_lifetime_seconds: 1800 } }))}`]),
        ...provider('vertex-wif-aws-imds', [`credentials_file: ${file('wif-aws.json', aws({
          region_url: `${imds}/latest/meta-data/placement/availability-zone`,
          url: `${imds}/latest/meta-data/iam/security-credentials`,
          imdsv2_session_token_url: `${imds}/latest/api/token` }))}`]),
        ...provider('vertex-wif-aws-keys', [`credentials_file: ${file('wif-aws-keys.json', aws({}))}`,
          'aws_region: us-east-2', 'aws_access_key_id: AKIDSIMEXAMPLE', `aws_secret_access_key: "${awsSecret}"`]),
        ...provider('vertex-wif-exe', [`credentials_file: ${file('wif-exe.json', external({
          credential_source: { executable: { command: program, timeout_millis: 10000, output_file: output } } }))}`,
          'allow_executables: true']),
        ...provider('vertex-wif-interactive', [`credentials_file: ${file('wif-interactive.json', external({
          credential_source: { executable: { command: login, timeout_millis: 10000, interactive_timeout_millis: 300000,
            output_file: path.join(dir, 'workforce-session.json') } } }))}`, 'allow_executables: true']),
        ...keyed('vertex-express', ['api_key: sim-vertex-api-key']),
        ...keyed('vertex-express-bad', ['api_key: not-the-vertex-key']),
      ];
      lines.splice(lines.findIndex((l) => l.startsWith('providers:')), 0, ...added);
      return lines;
    },
  });
});
after(async () => {
  await gateway?.stop();
  rmSync(dir, { recursive: true, force: true });
  for (const secret of [refreshToken, clientSecret, subject, 'ya29.sim.', awsSecret, 'not-the-vertex-key'])
    assert.ok(!gateway.log().includes(secret), `a secret appeared in the gateway log: ${secret.slice(0, 6)}...`);
});

function chat(model, content = 'Hello from the ADC test', extra = {}) {
  return fetch(`${gateway.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${clientKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }], ...extra }),
  });
}

const working = ['vertex-user', 'vertex-wif-file', 'vertex-wif-url', 'vertex-wif-aws-imds', 'vertex-wif-aws-keys',
  'vertex-wif-exe'];

test('authorized_user and workload identity federation authenticate, streamed and not', async () => {
  for (const provider of working) {
    const res = await chat(`${provider}/gemini-1.5-pro`);
    const body = await res.text();
    assert.equal(res.status, 200, `${provider}: ${body}`);
    assert.ok(JSON.parse(body).choices[0].message.content.length > 0);
    const stream = await chat(`${provider}/gemini-1.5-pro`, 'stream please', { stream: true });
    assert.equal(stream.status, 200, provider);
    assert.match(await stream.text(), /data: \[DONE\]/);
  }
});

test('a revoked refresh token fails clearly, without the token', async () => {
  const res = await chat('vertex-user-revoked/gemini-1.5-pro');
  assert.equal(res.status, 502);
  const body = JSON.stringify(await res.json());
  assert.match(body, /invalid_grant/);
  assert.ok(!body.includes('not-the-token') && !body.includes(clientSecret));
});

test('revoked tokens: each source fetches a new one after one 401', async () => {
  const revoke = await fetch(`${gateway.sim.base('vertex')}/__vertex/revoke-tokens`, { method: 'POST' });
  assert.equal(revoke.status, 200);
  for (const provider of working) {
    const res = await chat(`${provider}/gemini-1.5-pro`, 'still there?');
    assert.equal(res.status, 200, `${provider}: ${await res.clone().text()}`);
    assert.equal(res.headers.get('x-helix-attempts'), '2', provider);
    const again = await chat(`${provider}/gemini-1.5-pro`, 'and now?');
    assert.equal(again.headers.get('x-helix-attempts'), '1', provider);
  }
});

test('the executable ran once: each later exchange took its output file', () => {
  assert.ok(existsSync(runsFile));
  assert.equal(readFileSync(runsFile, 'utf8'), 'run\n');
});

test('an interactive executable runs non-interactively; without a session its 502 says how to sign in', async () => {
  const res = await chat('vertex-wif-interactive/gemini-1.5-pro');
  assert.equal(res.status, 502);
  const { error } = await res.json();
  assert.match(error.message, /code 401/);
  assert.match(error.message, /non-interactively \(GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE=0\)/);
  assert.match(error.message, /gcloud auth login --cred-file/);
});

test('express mode: an API key without a project; a wrong key is a 502 that says so', async () => {
  const ok = await chat('vertex-express/gemini-1.5-pro', 'hello express');
  assert.equal(ok.status, 200, await ok.clone().text());
  const stream = await chat('vertex-express/gemini-1.5-pro', 'stream express', { stream: true });
  assert.equal(stream.status, 200);
  assert.match(await stream.text(), /data: \[DONE\]/);
  const stats = await (await fetch(`${gateway.sim.base('vertex')}/__sim/stats`)).json();
  assert.ok(stats.by_route['POST /v1/publishers/google/models/gemini-1.5-pro:generateContent'] >= 1,
    JSON.stringify(stats.by_route));
  const bad = await chat('vertex-express-bad/gemini-1.5-pro');
  assert.equal(bad.status, 502);
  const body = JSON.stringify(await bad.json());
  assert.match(body, /API_KEY_INVALID/);
  assert.ok(!body.includes('not-the-vertex-key'));
});
