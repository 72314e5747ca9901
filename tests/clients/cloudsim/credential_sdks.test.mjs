// The providers' official credential SDKs against helix-cloudsim's credential
// services, so that the simulators the gateway's tests rely on answer as the
// real services answer these SDKs (pinned in tests/clients/package-lock.json):
//
// - @aws-sdk/credential-providers: fromTemporaryCredentials (STS AssumeRole,
//   a role chain, ExternalId, its errors), fromIni (role_arn over
//   source_profile and credential_source), fromSSO (the IAM Identity Center
//   portal with the cached token), fromProcess (the credential_process format
//   the gateway reads); the credentials then sign Bedrock calls the
//   simulator verifies.
// - @azure/identity: ClientSecretCredential, ClientAssertionCredential and
//   WorkloadIdentityCredential against the simulated Entra ID (authorityHost
//   at it, behind a TLS front: the SDK requires https), whose tokens the
//   Azure OpenAI listener then accepts.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { importSdk, makeTestPki, startSimulator } from './sim.mjs';

const { fromIni, fromProcess, fromSSO, fromTemporaryCredentials } = await importSdk('@aws-sdk/credential-providers');
const { BedrockRuntimeClient, ConverseCommand } = await importSdk('@aws-sdk/client-bedrock-runtime');
const { NodeHttpHandler } = await importSdk('@smithy/node-http-handler');
const { ClientAssertionCredential, ClientSecretCredential, WorkloadIdentityCredential } = await importSdk('@azure/identity');
const { createDefaultHttpClient } = await importSdk('@azure/core-rest-pipeline');

const AKID = 'AKIDSIMEXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYSIMHELIXKY';
const EXTERNAL_ID = 'ext-sdk-2231';
const ROLE = 'arn:aws:iam::210987654321:role/bedrock-cross-account';
const SSO_TOKEN = 'sim-sso-access-token';
const COGNITIVE = 'https://cognitiveservices.azure.com/.default';

let sim;
let home;
let bedrock;
before(() => {
  sim = startSimulator(['--providers', 'bedrock,azure', '--aws-access-key-id', AKID, '--aws-secret-access-key', SECRET,
    '--bedrock-external-id', EXTERNAL_ID]);
  bedrock = sim.base('bedrock');
  home = mkdtempSync(path.join(tmpdir(), 'credential-sdks-'));
});
after(() => {
  sim?.stop();
  rmSync(home, { recursive: true, force: true });
});

// A Bedrock call the simulator verifies (SigV4, session token) with `credentials`.
async function converse(credentials) {
  const client = new BedrockRuntimeClient({ region: 'us-east-1', endpoint: bedrock, credentials,
    requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
  const r = await client.send(new ConverseCommand({ modelId: 'anthropic.claude-3-sonnet-20240229-v1:0',
    messages: [{ role: 'user', content: [{ text: 'Hello from a credential SDK' }] }] }));
  assert.equal(r.stopReason, 'end_turn');
}

const stsConfig = () => ({ region: 'us-east-1', endpoint: bedrock });

describe('@aws-sdk/credential-providers against the simulated STS, SSO portal and credential_process', { timeout: 60_000 }, () => {
  test('fromTemporaryCredentials: AssumeRole with ExternalId, then a role chain on top', async () => {
    const assumed = fromTemporaryCredentials({
      params: { RoleArn: 'arn:aws:iam::123456789012:role/hop', RoleSessionName: 'sdk-fidelity', ExternalId: EXTERNAL_ID,
        DurationSeconds: 1800 },
      masterCredentials: { accessKeyId: AKID, secretAccessKey: SECRET },
      clientConfig: stsConfig(),
    });
    const creds = await assumed();
    assert.match(creds.accessKeyId, /^ASIA/);
    assert.ok(creds.sessionToken);
    const lifetime = creds.expiration.getTime() - Date.now();
    assert.ok(lifetime > 1700_000 && lifetime <= 1800_000, `lifetime ${lifetime} ms`);
    await converse(creds);

    // Credentials from AssumeRole sign the next AssumeRole (cross-account).
    const chained = fromTemporaryCredentials({
      params: { RoleArn: ROLE, RoleSessionName: 'sdk-chain', ExternalId: EXTERNAL_ID },
      masterCredentials: assumed,
      clientConfig: stsConfig(),
    });
    const hop = await chained();
    assert.match(hop.accessKeyId, /^ASIA/);
    assert.notEqual(hop.accessKeyId, creds.accessKeyId);
    await converse(hop);
  });

  test("AssumeRole's errors reach the SDK by their STS names", async () => {
    const assume = (params, masterCredentials = { accessKeyId: AKID, secretAccessKey: SECRET }) =>
      fromTemporaryCredentials({ params: { RoleSessionName: 'sdk-errors', ...params }, masterCredentials, clientConfig: stsConfig() })();
    await assert.rejects(assume({ RoleArn: ROLE, ExternalId: 'not-the-id' }),
      (e) => e.name === 'AccessDenied' && /sts:AssumeRole/.test(e.message) && e.$metadata.httpStatusCode === 403);
    await assert.rejects(assume({ RoleArn: ROLE }), (e) => e.name === 'AccessDenied');
    await assert.rejects(assume({ RoleArn: 'not-an-arn', ExternalId: EXTERNAL_ID }),
      (e) => e.name === 'ValidationError' && e.$metadata.httpStatusCode === 400);
    await assert.rejects(assume({ RoleArn: ROLE, ExternalId: EXTERNAL_ID }, { accessKeyId: AKID, secretAccessKey: 'wrong' }),
      (e) => e.name === 'SignatureDoesNotMatch' && e.$metadata.httpStatusCode === 403);
    // A chained role lasts an hour at most.
    const first = fromTemporaryCredentials({ params: { RoleArn: ROLE, RoleSessionName: 'sdk-first', ExternalId: EXTERNAL_ID },
      masterCredentials: { accessKeyId: AKID, secretAccessKey: SECRET }, clientConfig: stsConfig() });
    await assert.rejects(assume({ RoleArn: ROLE, ExternalId: EXTERNAL_ID, DurationSeconds: 7200 }, first),
      (e) => e.name === 'ValidationError' && /1 hour session limit/.test(e.message));
  });

  test('fromIni: role_arn over source_profile and over credential_source (container)', async () => {
    const dir = path.join(home, 'ini');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'credentials'), `[base]\naws_access_key_id = ${AKID}\naws_secret_access_key = ${SECRET}\n`);
    writeFileSync(path.join(dir, 'config'), [
      '[profile chained]', `role_arn = ${ROLE}`, 'source_profile = hop', `external_id = ${EXTERNAL_ID}`,
      '[profile hop]', 'role_arn = arn:aws:iam::123456789012:role/hop', 'source_profile = base', `external_id = ${EXTERNAL_ID}`,
      '[profile from-ecs]', `role_arn = ${ROLE}`, 'credential_source = EcsContainer', `external_id = ${EXTERNAL_ID}`,
      '[profile wrong-ext]', `role_arn = ${ROLE}`, 'source_profile = base', 'external_id = not-the-id', '',
    ].join('\n'));
    const saved = { ...process.env };
    try {
      process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `${bedrock}/v1/credentials`;
      process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = 'sim-container-token';
      for (const profile of ['chained', 'from-ecs']) {
        const creds = await fromIni({ profile, filepath: path.join(dir, 'credentials'), configFilepath: path.join(dir, 'config'),
          clientConfig: stsConfig(), ignoreCache: true })();
        assert.match(creds.accessKeyId, /^ASIA/, profile);
        await converse(creds);
      }
      // The profile's AssumeRole refused, by its STS name.
      await assert.rejects(fromIni({ profile: 'wrong-ext', filepath: path.join(dir, 'credentials'),
        configFilepath: path.join(dir, 'config'), clientConfig: stsConfig(), ignoreCache: true })(),
      (e) => e.name === 'AccessDenied' && /sts:AssumeRole/.test(e.message));
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    }
  });

  test('fromSSO: the cached token of an sso-session buys role credentials at the portal', async () => {
    const dir = path.join(home, 'sso');
    mkdirSync(path.join(dir, '.aws/sso/cache'), { recursive: true });
    writeFileSync(path.join(dir, '.aws/config'), ['[profile sso]', 'sso_session = corp', 'sso_account_id = 123456789012',
      'sso_role_name = BedrockUser', '[sso-session corp]', 'sso_start_url = https://corp.awsapps.com/start',
      'sso_region = us-east-1', ''].join('\n'));
    const cache = (accessToken) => writeFileSync(path.join(dir, '.aws/sso/cache', `${createHash('sha1').update('corp').digest('hex')}.json`),
      JSON.stringify({ startUrl: 'https://corp.awsapps.com/start', region: 'us-east-1', accessToken,
        expiresAt: new Date(Date.now() + 8 * 3600_000).toISOString() }));
    const saved = { ...process.env };
    try {
      process.env.HOME = dir; // the token cache is ~/.aws/sso/cache
      const sso = () => fromSSO({ profile: 'sso', configFilepath: path.join(dir, '.aws/config'), clientConfig: { endpoint: bedrock } })();
      cache(SSO_TOKEN);
      const creds = await sso();
      assert.match(creds.accessKeyId, /^ASIA/);
      await converse(creds);
      cache('not-the-token');
      await assert.rejects(sso(), (e) => e.name === 'UnauthorizedException' || /Unauthorized|SSO/.test(e.message));
    } finally {
      process.env.HOME = saved.HOME;
    }
  });

  test('fromProcess: the credential_process output the gateway reads', async () => {
    const dir = path.join(home, 'process');
    mkdirSync(dir);
    const helper = path.join(dir, 'corp-creds.mjs');
    writeFileSync(helper, `
const res = await fetch(process.env.HELIX_TEST_CONTAINER_URL, { headers: { Authorization: 'sim-container-token' } });
const c = await res.json();
console.log(JSON.stringify({ Version: 1, AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey,
  SessionToken: c.Token, Expiration: c.Expiration }));
`);
    writeFileSync(path.join(dir, 'config'), `[profile process]\ncredential_process = '${process.execPath}' '${helper}'\n`);
    process.env.HELIX_TEST_CONTAINER_URL = `${bedrock}/v1/credentials`;
    try {
      const creds = await fromProcess({ profile: 'process', configFilepath: path.join(dir, 'config'),
        filepath: path.join(dir, 'no-credentials') })();
      assert.match(creds.accessKeyId, /^ASIA/);
      assert.ok(creds.expiration > new Date());
      await converse(creds);
    } finally {
      delete process.env.HELIX_TEST_CONTAINER_URL;
    }
  });
});

// The Azure listener behind TLS (the simulator's own TLS speaks h2 only; the
// SDK's pipeline speaks HTTP/1.1 and requires an https authority).
function tlsFront(target, pki) {
  const server = https.createServer({ key: readFileSync(pki.key), cert: readFileSync(pki.cert) }, (req, res) => {
    const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (reply) => {
      res.writeHead(reply.statusCode, reply.headers);
      reply.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('@azure/identity against the simulated Entra ID', { timeout: 60_000 }, () => {
  let pki;
  let front;
  let authorityHost;
  let options;
  before(async () => {
    pki = makeTestPki();
    front = await tlsFront(sim.base('azure'), pki);
    authorityHost = `https://127.0.0.1:${front.address().port}`;
    // The SDK's own HTTP client, trusting the test CA.
    const base = createDefaultHttpClient();
    const ca = readFileSync(pki.ca);
    const httpClient = { sendRequest: (request) => { request.tlsSettings = { ca }; return base.sendRequest(request); } };
    options = { authorityHost, disableInstanceDiscovery: true, httpClient, retryOptions: { maxRetries: 0 } };
  });
  after(() => {
    front?.close();
    pki?.remove();
  });

  // A chat completion the Azure listener authorizes with `token`.
  async function chat(token) {
    const res = await fetch(`${sim.base('azure')}/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(res.status, 200, await res.clone().text());
  }

  // A Kubernetes service account token as AKS projects it (the simulator checks iss, sub, aud, exp).
  function serviceAccountToken(sub = 'system:serviceaccount:default:helixagent') {
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    return `${b64({ alg: 'RS256', kid: 'k' })}.${b64({ iss: 'https://oidc.sim.helix.local', sub, aud: ['api://AzureADTokenExchange'],
      exp: Math.floor(Date.now() / 1000) + 3600, iat: Math.floor(Date.now() / 1000) })}.c2ln`;
  }

  test('ClientSecretCredential: the OpenID metadata, then the client-credentials grant', async () => {
    const credential = new ClientSecretCredential('sim-tenant', 'sim-client-id', 'sim-client-secret', options);
    const { token, expiresOnTimestamp } = await credential.getToken(COGNITIVE);
    assert.ok(expiresOnTimestamp > Date.now() + 3000_000);
    await chat(token);
  });

  test("ClientSecretCredential's refusals carry Entra's AADSTS codes", async () => {
    const refused = (tenant, client, secret, pattern) => assert.rejects(
      new ClientSecretCredential(tenant, client, secret, options).getToken(COGNITIVE), (e) => pattern.test(e.message));
    await refused('sim-tenant', 'sim-client-id', 'wrong-secret', /AADSTS7000215/);
    await refused('sim-tenant', 'another-app', 'sim-client-secret', /AADSTS700016/);
    // Another tenant has no OpenID metadata (Entra's 400 AADSTS90002), so MSAL cannot resolve its endpoints.
    await refused('other-tenant', 'sim-client-id', 'sim-client-secret', /endpoints_resolution_error/);
    const metadata = await fetch(`${sim.base('azure')}/other-tenant/v2.0/.well-known/openid-configuration`);
    assert.equal(metadata.status, 400);
    assert.match((await metadata.json()).error_description, /^AADSTS90002/);
  });

  test('ClientAssertionCredential and WorkloadIdentityCredential: the federated service account token', async () => {
    const assertion = new ClientAssertionCredential('sim-tenant', 'sim-client-id', async () => serviceAccountToken(), options);
    await chat((await assertion.getToken(COGNITIVE)).token);

    const file = path.join(home, 'azure-identity-token');
    writeFileSync(file, serviceAccountToken());
    const workload = new WorkloadIdentityCredential({ tenantId: 'sim-tenant', clientId: 'sim-client-id', tokenFilePath: file, ...options });
    await chat((await workload.getToken(COGNITIVE)).token);

    // A service account the app does not federate.
    const stranger = new ClientAssertionCredential('sim-tenant', 'sim-client-id',
      async () => serviceAccountToken('system:serviceaccount:other:intruder'), options);
    await assert.rejects(stranger.getToken(COGNITIVE), (e) => /AADSTS700213|AADSTS70021/.test(e.message));
  });
});
