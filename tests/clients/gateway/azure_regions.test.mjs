// helixagentd in front of two Azure OpenAI simulators standing for two
// resources (regions) of one azure-openai provider, each with its own key:
// calls spread by weight (3:1), and while one region throttles (429, its
// Retry-After) its calls move to the other without the client seeing an
// error. Also the Azure CLI credential for development: the daemon runs a
// stand-in `az account get-access-token` (which takes a token from the
// simulator's managed identity endpoint) and reuses its token until expiry.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { control, startSimulator } from '../cloudsim/sim.mjs';
import { clientKey, startGateway } from './gateway.mjs';

const swedenKey = 'sk-sim-azure-sweden';
const dir = mkdtempSync(path.join(tmpdir(), 'helix-azure-regions-'));
const azRuns = path.join(dir, 'az-runs');

let gateway;
let sweden;
let east;
before(async () => {
  sweden = startSimulator(['--providers', 'azure', '--azure-key', swedenKey]);
  gateway = await startGateway({
    edit: (lines) => {
      east = lines.slice(lines.indexOf('  azure-entra:')).find((l) => l.includes('endpoint:')).split('endpoint: ')[1];
      const az = path.join(dir, 'az');
      writeFileSync(az, `#!${process.execPath}
const fs = require('node:fs');
const args = process.argv.slice(2).join(' ');
if (args !== 'account get-access-token --output json --resource https://cognitiveservices.azure.com') {
  console.error('ERROR: unexpected arguments: ' + args); process.exit(2);
}
fs.appendFileSync(${JSON.stringify(azRuns)}, 'run\\n');
fetch(${JSON.stringify(`${east}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://cognitiveservices.azure.com`)},
  { headers: { Metadata: 'true' } }).then((r) => r.json()).then((t) => {
  console.log(JSON.stringify({ accessToken: t.access_token, expiresOn: '2099-01-01 00:00:00.000000',
    expires_on: Number(t.expires_on), subscription: 'sim', tenant: 'sim-tenant', tokenType: 'Bearer' }));
});
`);
      chmodSync(az, 0o755);
      lines.splice(lines.findIndex((l) => l.startsWith('providers:')), 0,
        '  azure-regions:', '    library: helix_azure_openai', '    settings:', `      endpoint: ${east}`,
        '      api_key: sk-sim-azure', '      weight: 3',
        `      resources: [{endpoint: "${sweden.base('azure')}", api_key: ${swedenKey}}]`,
        '  azure-cli:', '    library: helix_azure_openai', '    settings:', `      endpoint: ${east}`,
        '      azure_cli: true', `      azure_cli_path: ${az}`);
      return lines;
    },
  });
});
after(async () => {
  await gateway?.stop();
  sweden?.stop();
  rmSync(dir, { recursive: true, force: true });
  assert.ok(!gateway.log().includes(swedenKey), 'a resource key appeared in the gateway log');
});

function chat(model, content = 'Hello, regions', extra = {}) {
  return fetch(`${gateway.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${clientKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }], ...extra }),
  });
}

async function served(base) {
  const stats = (await control(base, 'GET', '/__sim/stats')).body;
  return Object.entries(stats.by_route).filter(([route]) => route.includes('/chat/completions'))
    .reduce((n, [, count]) => n + (typeof count === 'number' ? count : Object.values(count).reduce((a, b) => a + b, 0)), 0);
}

test('calls spread 3:1 over the two regions, each with its own key', async () => {
  await control(east, 'DELETE', '/__sim/stats');
  await control(sweden.base('azure'), 'DELETE', '/__sim/stats');
  for (let i = 0; i < 8; ++i) {
    const res = await chat('azure-regions/gpt-4o', `spread ${i}`, i % 2 ? { stream: true } : {});
    assert.equal(res.status, 200, await res.clone().text());
    await res.text();
  }
  assert.equal(await served(east), 6);
  assert.equal(await served(sweden.base('azure')), 2);
});

test('a throttled region cools down: its calls go to the other, the client sees no error', async () => {
  await control(east, 'DELETE', '/__sim/stats');
  await control(sweden.base('azure'), 'DELETE', '/__sim/stats');
  assert.equal((await control(east, 'POST', '/__sim/faults', { kind: '429', count: -1 })).status, 200);
  try {
    const started = Date.now();
    for (let i = 0; i < 6; ++i) {
      const res = await chat('azure-regions/gpt-4o', `throttled ${i}`);
      assert.equal(res.status, 200, await res.clone().text());
    }
    // East was asked (its 429 retried on sweden), and again only once its Retry-After (2 s) had passed.
    const elapsed = Date.now() - started;
    assert.ok(await served(east) >= 1);
    assert.ok(await served(east) <= 1 + Math.ceil(elapsed / 2000), `east served ${await served(east)} in ${elapsed} ms`);
    assert.ok(await served(sweden.base('azure')) >= 6 - Math.ceil(elapsed / 2000));
  } finally {
    await control(east, 'DELETE', '/__sim/faults');
  }
});

test('the Azure CLI credential: az runs once, its token serves later calls', async () => {
  for (let i = 0; i < 3; ++i) {
    const res = await chat('azure-cli/gpt-4o', `cli ${i}`);
    assert.equal(res.status, 200, await res.clone().text());
  }
  assert.equal(readFileSync(azRuns, 'utf8'), 'run\n');
});
