// Fidelity of helix-cloudsim's Google STS for AWS workload identity
// federation, proven with the official google-auth-library (pinned in
// tests/clients/package-lock.json): its AwsClient reads the region and the
// instance role from the simulator's IMDSv2 (on the bedrock listener), signs
// AWS STS GetCallerIdentity itself, and exchanges that subject token at the
// simulator's STS, which replays it to the simulated AWS STS as Google does.
// Its PluggableAuthClient runs an executable source the same way.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { importSdk, startSimulator } from './sim.mjs';

const { AwsClient, PluggableAuthClient } = await importSdk('google-auth-library');

const AUDIENCE = '//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws/providers/ec2';
const VERIFY_URL = 'https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15';
const SUBJECT = 'eyJhbGciOiJSUzI1NiJ9.sdk-executable.sig';

let sim;
let dir;
before(() => {
  sim = startSimulator(['--providers', 'vertex,bedrock', '--vertex-subject-token', SUBJECT]);
  dir = mkdtempSync(path.join(tmpdir(), 'vertex-federation-'));
  // The AwsClient prefers these; the instance role is what this test is about.
  for (const v of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'])
    delete process.env[v];
});
after(() => {
  sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function awsClient(audience = AUDIENCE, verify = VERIFY_URL) {
  const imds = sim.base('bedrock');
  return new AwsClient({
    type: 'external_account',
    audience,
    subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request',
    token_url: `${sim.base('vertex')}/v1/token`,
    credential_source: {
      environment_id: 'aws1',
      region_url: `${imds}/latest/meta-data/placement/availability-zone`,
      url: `${imds}/latest/meta-data/iam/security-credentials`,
      imdsv2_session_token_url: `${imds}/latest/api/token`,
      regional_cred_verification_url: verify,
    },
  });
}

describe('AWS workload identity federation through google-auth-library', { timeout: 60_000 }, () => {
  test('the instance role signs GetCallerIdentity and the STS exchange accepts it', async () => {
    const { token } = await awsClient().getAccessToken();
    assert.match(token, /^ya29\./);
    // The token is one the Vertex listener accepts.
    const res = await fetch(`${sim.base('vertex')}/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.0-flash:generateContent`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi from aws' }] }] }),
    });
    assert.equal(res.status, 200, await res.clone().text());
  });

  test('another pool than the signed target resource, or a non-AWS URL, is refused', async () => {
    const signedFor = awsClient();
    // A token made for one audience, presented with another (the header is in the token).
    const subject = await signedFor.retrieveSubjectToken();
    const form = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      audience: AUDIENCE.replace('/aws/', '/other/'),
      scope: 'https://www.googleapis.com/auth/cloud-platform',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request',
      subject_token: subject,
    });
    const res = await fetch(`${sim.base('vertex')}/v1/token`, { method: 'POST', body: form });
    assert.equal(res.status, 400);
    assert.match((await res.json()).error_description, /x-goog-cloud-target-resource/);

    const elsewhere = awsClient(AUDIENCE, 'https://sts.{region}.example.com?Action=GetCallerIdentity&Version=2011-06-15');
    await assert.rejects(elsewhere.getAccessToken(), /not an AWS STS endpoint/);
  });

  test('an executable source (pluggable auth) is exchanged like any OIDC token', async () => {
    const program = path.join(dir, 'issue-token');
    const expires = Math.floor(Date.now() / 1000) + 3600;
    writeFileSync(program, `#!/bin/sh\n[ "$GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE" = "${AUDIENCE}" ] || exit 3\n` +
      `echo '{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:id_token",` +
      `"id_token":"${SUBJECT}","expiration_time":${expires}}'\n`);
    chmodSync(program, 0o755);
    process.env.GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES = '1';
    try {
      const client = new PluggableAuthClient({
        type: 'external_account', audience: AUDIENCE,
        subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
        token_url: `${sim.base('vertex')}/v1/token`,
        credential_source: { executable: { command: program, timeout_millis: 10000 } },
      });
      const { token } = await client.getAccessToken();
      assert.match(token, /^ya29\./);
    } finally {
      delete process.env.GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES;
    }
  });

  // What the gateway does with interactive_timeout_millis (plugins/gcp_vertex/README.md):
  // the library takes the file and runs the program non-interactively, with
  // timeout_millis; the program answers from its cached session or fails.
  test('an interactive executable runs non-interactively, and its failure is the program\'s', async () => {
    const program = path.join(dir, 'workforce-login');
    const output = path.join(dir, 'workforce-session.json');
    const expires = Math.floor(Date.now() / 1000) + 3600;
    writeFileSync(program, '#!/bin/sh\n[ "$GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE" = 0 ] || exit 4\n' +
      `if [ -s "${output}" ]; then cat "${output}"; else ` +
      `echo '{"version":1,"success":false,"code":"401","message":"interactive sign-in required"}'; fi\n`);
    chmodSync(program, 0o755);
    const client = () => new PluggableAuthClient({
      type: 'external_account', audience: AUDIENCE,
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      token_url: `${sim.base('vertex')}/v1/token`,
      credential_source: { executable: { command: program, timeout_millis: 10000, interactive_timeout_millis: 300000 } },
    });
    process.env.GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES = '1';
    try {
      await assert.rejects(client().getAccessToken(), /interactive sign-in required/);
      // After an interactive sign-in left its session (without an output_file
      // configured, the program prints it itself):
      writeFileSync(output, `{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:id_token",` +
        `"id_token":"${SUBJECT}","expiration_time":${expires}}`);
      const { token } = await client().getAccessToken();
      assert.match(token, /^ya29\./);
    } finally {
      delete process.env.GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES;
    }
  });
});
