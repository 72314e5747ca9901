// helixagentd in front of the Bedrock simulator with the enterprise AWS
// credential sources: a Bedrock API key, settings.role_arn assumed through
// STS AssumeRole (the simulator checks the call's SigV4 signature and the
// ExternalId), a profile role chain (source_profile, credential_source),
// an IAM Identity Center profile (cached token, GetRoleCredentials), a
// credential_process profile (a program the daemon runs), and cross-region
// inference profiles. Every issued credential is then expired
// at once: each provider must answer the next request after one 403
// ExpiredTokenException and a fresh resolution (x-helix-attempts: 2).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { clientKey, startGateway } from './gateway.mjs';

const apiKey = 'ABSKaGVsaXgtc2ltLWJlZHJvY2stYXBpLWtleQ=='; // the simulator's default --bedrock-key
const awsKey = 'AKIDSIMEXAMPLE';
const awsSecret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYSIMHELIXKY';
const externalId = 'ext-sim-4471';
const ssoToken = 'sim-sso-access-token';
const role = 'arn:aws:iam::210987654321:role/bedrock-cross-account';

const home = mkdtempSync(path.join(tmpdir(), 'helix-aws-home-'));
mkdirSync(path.join(home, '.aws/sso/cache'), { recursive: true });
writeFileSync(path.join(home, '.aws/credentials'), `[base]\naws_access_key_id = ${awsKey}\naws_secret_access_key = ${awsSecret}\n`);
writeFileSync(path.join(home, '.aws/config'), [
  '[profile chained]', `role_arn = ${role}`, 'source_profile = hop', `external_id = ${externalId}`,
  '[profile hop]', 'role_arn = arn:aws:iam::123456789012:role/hop', 'source_profile = base', `external_id = ${externalId}`,
  '[profile from-ecs]', `role_arn = ${role}`, 'credential_source = EcsContainer', `external_id = ${externalId}`,
  '[profile sso]', 'sso_session = corp', 'sso_account_id = 123456789012', 'sso_role_name = BedrockUser',
  '[sso-session corp]', 'sso_start_url = https://corp.awsapps.com/start', 'sso_region = us-east-1',
  // A credential helper as companies ship them: the host runs it (no shell), it
  // prints the process format. This one takes temporary credentials from the
  // simulator's container endpoint, so they expire with the rest.
  '[profile process]', `credential_process = '${process.execPath}' '${path.join(home, 'corp-creds.mjs')}' --account "123456789012"`,
  '',
].join('\n'));
writeFileSync(path.join(home, 'corp-creds.mjs'), `
const base = process.env.HELIX_TEST_CONTAINER_URL;
if (process.argv[2] !== '--account' || process.argv[3] !== '123456789012') { console.error('bad arguments'); process.exit(2); }
const res = await fetch(base, { headers: { Authorization: 'sim-container-token' } });
if (res.status !== 200) { console.error('corp-creds: the credentials service answered ' + res.status); process.exit(1); }
const c = await res.json();
console.log(JSON.stringify({ Version: 1, AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey,
  SessionToken: c.Token, Expiration: c.Expiration }));
`);
const expiresAt = new Date(Date.now() + 8 * 3600_000).toISOString();
writeFileSync(path.join(home, '.aws/sso/cache', `${createHash('sha1').update('corp').digest('hex')}.json`),
  JSON.stringify({ startUrl: 'https://corp.awsapps.com/start', region: 'us-east-1', accessToken: ssoToken, expiresAt }));

let gateway;
before(async () => {
  gateway = await startGateway({
    simArgs: ['--bedrock-external-id', externalId],
    edit: (lines) => {
      const at = lines.findIndex((l) => l.startsWith('providers:'));
      // The simulator's Bedrock listener, as the shared configuration names it.
      const base = lines.slice(lines.indexOf('  aws-bedrock:')).find((l) => l.includes('endpoint:')).split('endpoint: ')[1];
      const sim = (name) => `${name}: ${base}`;
      const provider = (name, settings) => [
        `  ${name}:`, '    library: helix_aws_bedrock', '    settings:', `      ${sim('endpoint')}`, '      region: us-east-1',
        '      imds_disabled: "true"', `      home: ${home}`,
        '      models: [anthropic.claude-3-sonnet, "us.anthropic.claude-3-5-sonnet-20241022-v2:0", "eu.anthropic.claude-3-5-sonnet-20240620-v1:0"]',
        ...settings.map((l) => `      ${l}`),
      ];
      const added = [
        ...provider('bedrock-apikey', [`api_key: "${apiKey}"`, `access_key_id: ${awsKey}`, 'secret_access_key: wrong-secret']),
        ...provider('bedrock-badkey', ['api_key: ABSKbm90LXRoZS1rZXk=']),
        ...provider('bedrock-role', [`access_key_id: ${awsKey}`, `secret_access_key: "${awsSecret}"`, `role_arn: ${role}`,
          `external_id: ${externalId}`, 'role_session_name: helix-gateway', 'duration_seconds: "1800"', sim('sts_endpoint')]),
        ...provider('bedrock-role-badext', [`access_key_id: ${awsKey}`, `secret_access_key: "${awsSecret}"`,
          `role_arn: ${role}`, 'external_id: not-the-id', sim('sts_endpoint')]),
        ...provider('bedrock-chained', ['profile: chained', sim('sts_endpoint')]),
        ...provider('bedrock-from-ecs', ['profile: from-ecs', sim('sts_endpoint'),
          `container_credentials_full_uri: ${base}/v1/credentials`, 'container_authorization_token: sim-container-token']),
        ...provider('bedrock-sso', ['profile: sso', sim('sso_endpoint')]),
        ...provider('bedrock-process', ['profile: process']),
      ];
      process.env.HELIX_TEST_CONTAINER_URL = `${base}/v1/credentials`; // the daemon's environment reaches the program
      lines.splice(at, 0, ...added);
      return lines;
    },
  });
});
after(async () => {
  await gateway?.stop();
  rmSync(home, { recursive: true, force: true });
  for (const secret of [awsSecret, ssoToken, 'bm90LXRoZS1rZXk', 'aGVsaXgtc2ltLWJlZHJvY2stYXBpLWtleQ', externalId])
    assert.ok(!gateway.log().includes(secret), `a secret appeared in the gateway log: ${secret.slice(0, 6)}...`);
});

function chat(model, content = 'Hello from the credentials test', extra = {}) {
  return fetch(`${gateway.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${clientKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }], ...extra }),
  });
}

const working = ['bedrock-apikey', 'bedrock-role', 'bedrock-chained', 'bedrock-from-ecs', 'bedrock-sso', 'bedrock-process'];

test('every enterprise source authenticates, streamed and not', async () => {
  for (const provider of working) {
    const res = await chat(`${provider}/anthropic.claude-3-sonnet`);
    const body = await res.text();
    assert.equal(res.status, 200, `${provider}: ${body}`);
    assert.ok(JSON.parse(body).choices[0].message.content.length > 0);
    const stream = await chat(`${provider}/anthropic.claude-3-sonnet`, 'stream please', { stream: true });
    assert.equal(stream.status, 200, provider);
    assert.match(await stream.text(), /data: \[DONE\]/);
  }
});

test('cross-region inference profiles pass through; one of another geography is refused by Bedrock', async () => {
  const ok = await chat('bedrock-role/us.anthropic.claude-3-5-sonnet-20241022-v2:0');
  assert.equal(ok.status, 200, await ok.clone().text());
  const other = await chat('bedrock-role/eu.anthropic.claude-3-5-sonnet-20240620-v1:0');
  assert.equal(other.status, 400);
  assert.match((await other.json()).error.message, /model identifier is invalid/);
});

test('refusals: a wrong API key and a wrong ExternalId fail clearly, without secrets', async () => {
  const bad = await chat('bedrock-badkey/anthropic.claude-3-sonnet');
  assert.equal(bad.status, 502);
  const badBody = JSON.stringify(await bad.json());
  assert.match(badBody, /AccessDeniedException/);
  assert.ok(!badBody.includes('bm90LXRoZS1rZXk'));

  const denied = await chat('bedrock-role-badext/anthropic.claude-3-sonnet');
  assert.equal(denied.status, 502);
  const deniedBody = JSON.stringify(await denied.json());
  assert.match(deniedBody, /AccessDenied/);
  assert.match(deniedBody, /sts:AssumeRole/);
  assert.ok(!deniedBody.includes(awsSecret) && !deniedBody.includes('not-the-id'));
});

test('expired credentials: each source resolves again after one ExpiredTokenException', async () => {
  const expire = await fetch(`${gateway.sim.base('bedrock')}/__bedrock/expire-credentials`, { method: 'POST' });
  assert.equal(expire.status, 200);
  for (const provider of working.filter((p) => p !== 'bedrock-apikey')) {
    const res = await chat(`${provider}/anthropic.claude-3-sonnet`, 'still there?');
    assert.equal(res.status, 200, `${provider}: ${await res.clone().text()}`);
    assert.equal(res.headers.get('x-helix-attempts'), '2', provider); // the 403, then fresh credentials
    const again = await chat(`${provider}/anthropic.claude-3-sonnet`, 'and now?');
    assert.equal(again.headers.get('x-helix-attempts'), '1', provider); // cached again
  }
});
