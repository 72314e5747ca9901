// helixagentd in front of the Vertex AI simulator with the Application
// Default Credentials files beyond service-account keys: gcloud's
// authorized_user (refresh-token grant at the simulator's /token) and
// external_account (workload identity federation: a file- or URL-sourced
// OIDC subject token exchanged at the simulator's STS, then, for one,
// service-account impersonation through its IAM credentials API), and the
// `global` location. Every token is then revoked: each provider must answer
// the next request after one 401 and a fresh token (x-helix-attempts: 2).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { clientKey, startGateway } from './gateway.mjs';

const refreshToken = '1//sim-refresh-token';
const clientSecret = 'sim-oauth-client-secret';
const subject = 'eyJhbGciOiJSUzI1NiJ9.k8s-projected.sig';
const audience = '//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/gw/providers/k8s';
const dir = mkdtempSync(path.join(tmpdir(), 'helix-gcp-adc-'));

let gateway;
before(async () => {
  gateway = await startGateway({
    simArgs: ['--vertex-subject-token', subject],
    edit: (lines) => {
      const base = lines.slice(lines.indexOf('  gcp-vertex:')).find((l) => l.includes('endpoint:')).split('endpoint: ')[1];
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
      const provider = (name, settings) => [
        `  ${name}:`, '    library: helix_gcp_vertex', '    settings:', `      endpoint: ${base}`, '      project_id: helix-sim',
        ...settings.map((l) => `      ${l}`),
      ];
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
      ];
      lines.splice(lines.findIndex((l) => l.startsWith('providers:')), 0, ...added);
      return lines;
    },
  });
});
after(async () => {
  await gateway?.stop();
  rmSync(dir, { recursive: true, force: true });
  for (const secret of [refreshToken, clientSecret, subject, 'ya29.sim.'])
    assert.ok(!gateway.log().includes(secret), `a secret appeared in the gateway log: ${secret.slice(0, 6)}...`);
});

function chat(model, content = 'Hello from the ADC test', extra = {}) {
  return fetch(`${gateway.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${clientKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }], ...extra }),
  });
}

const working = ['vertex-user', 'vertex-wif-file', 'vertex-wif-url'];

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
