// helixagentd in front of the Azure OpenAI simulator with AKS workload
// identity: the projected service-account token file is the client assertion
// of Entra's client-credentials grant (the simulator checks its issuer,
// subject, audience and expiry against the app's federated credential), on
// the classic and the v1 surface (an endpoint copied as ".../openai/v1/").
// Every token is then revoked: the next request must succeed after one 401
// and a fresh token (x-helix-attempts: 2).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { clientKey, startGateway } from './gateway.mjs';

const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
// A Kubernetes projected service-account token as the kubelet writes it (the simulator does not check its signature).
const saToken = (sub) => `${b64({ alg: 'RS256', kid: 'k8s' })}.${b64({
  aud: ['api://AzureADTokenExchange'], iss: 'https://oidc.sim.helix.local', sub,
  exp: Math.floor(Date.now() / 1000) + 3600, iat: Math.floor(Date.now() / 1000),
})}.c2lnbmF0dXJl`;
const dir = mkdtempSync(path.join(tmpdir(), 'helix-azure-wi-'));
const goodFile = path.join(dir, 'azure-identity-token');
const wrongFile = path.join(dir, 'other-identity-token');
writeFileSync(goodFile, saToken('system:serviceaccount:default:helixagent'));
writeFileSync(wrongFile, saToken('system:serviceaccount:other:intruder'));

let gateway;
before(async () => {
  gateway = await startGateway({
    edit: (lines) => {
      const base = lines.slice(lines.indexOf('  azure-entra:')).find((l) => l.includes('endpoint:')).split('endpoint: ')[1];
      const provider = (name, endpoint, file) => [
        `  ${name}:`, '    library: helix_azure_openai', '    settings:', `      endpoint: ${endpoint}`,
        `      authority_host: ${base}/`, '      tenant_id: sim-tenant', '      client_id: sim-client-id',
        `      federated_token_file: ${file}`,
      ];
      lines.splice(lines.findIndex((l) => l.startsWith('providers:')), 0,
        ...provider('azure-wi', base, goodFile),
        ...provider('azure-wi-v1', `${base}/openai/v1/`, goodFile),
        ...provider('azure-wi-wrong', base, wrongFile));
      return lines;
    },
  });
});
after(async () => {
  await gateway?.stop();
  rmSync(dir, { recursive: true, force: true });
  assert.ok(!gateway.log().includes('c2lnbmF0dXJl'), 'the federated token appeared in the gateway log');
});

function chat(model, content = 'Hello from workload identity', extra = {}) {
  return fetch(`${gateway.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${clientKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }], ...extra }),
  });
}

test('workload identity authenticates on the classic and the v1 surface, streamed and not', async () => {
  for (const provider of ['azure-wi', 'azure-wi-v1']) {
    const res = await chat(`${provider}/gpt-4o`);
    const body = await res.text();
    assert.equal(res.status, 200, `${provider}: ${body}`);
    assert.ok(JSON.parse(body).choices[0].message.content.length > 0);
    const stream = await chat(`${provider}/gpt-4o`, 'stream please', { stream: true });
    assert.equal(stream.status, 200, provider);
    assert.match(await stream.text(), /data: \[DONE\]/);
  }
});

test('a token of another service account is refused by Entra, without the token in the error', async () => {
  const res = await chat('azure-wi-wrong/gpt-4o');
  assert.equal(res.status, 502);
  const body = JSON.stringify(await res.json());
  assert.match(body, /workload identity/);
  assert.ok(!body.includes('c2lnbmF0dXJl'));
});

test('revoked tokens: a fresh one after one 401', async () => {
  const revoke = await fetch(`${gateway.sim.base('azure')}/__azure/revoke-tokens`, { method: 'POST' });
  assert.equal(revoke.status, 200);
  for (const provider of ['azure-wi', 'azure-wi-v1']) {
    const res = await chat(`${provider}/gpt-4o`, 'still there?');
    assert.equal(res.status, 200, `${provider}: ${await res.clone().text()}`);
    assert.equal(res.headers.get('x-helix-attempts'), '2', provider);
    const again = await chat(`${provider}/gpt-4o`, 'and now?');
    assert.equal(again.headers.get('x-helix-attempts'), '1', provider);
  }
});
