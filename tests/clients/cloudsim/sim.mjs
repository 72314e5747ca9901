// Shared by the cloudsim fidelity tests: checks that the pinned SDKs are
// installed, starts helix-cloudsim through tools/cloudsim/start on ephemeral
// ports, and offers small raw-HTTP helpers for what the SDKs hide.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const clientsDir = path.resolve(here, '..');
export const repoRoot = path.resolve(clientsDir, '../..');

// Imports a pinned SDK, or fails with the one fix that helps.
export async function importSdk(name) {
  if (!existsSync(path.join(clientsDir, 'node_modules', name))) {
    throw new Error(
      `tests/clients/node_modules/${name} is missing: run scripts/install-deps ` +
        `(it runs "npm ci" in tests/clients from the lock file)`,
    );
  }
  return import(name);
}

export function simulatorBinary() {
  return process.env.HELIX_CLOUDSIM ?? path.join(repoRoot, 'build/tools/cloudsim/helix-cloudsim');
}

// Starts the simulator; returns { ports, pid, base(provider), stop() }.
export function startSimulator(extraArgs = []) {
  const dir = mkdtempSync(path.join(tmpdir(), 'cloudsim-test-'));
  const portsFile = path.join(dir, 'ports.json');
  const logFile = path.join(dir, 'sim.log');
  let stdout;
  try {
    stdout = execFileSync(
      path.join(repoRoot, 'tools/cloudsim/start'),
      ['--binary', simulatorBinary(), '--ports-file', portsFile, '--log', logFile, '--wait', '15',
        '--watch-pid', String(process.pid), ...extraArgs],
      { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (e) {
    throw new Error(`could not start helix-cloudsim: ${e.stderr ?? e.message}`);
  }
  const pid = Number(stdout.trim().split('\n').pop());
  const ports = JSON.parse(readFileSync(portsFile, 'utf8'));
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  return { ports, pid, base: (provider) => `http://127.0.0.1:${ports[provider]}`, stop, logFile };
}

// A throwaway CA and a certificate for 127.0.0.1 / localhost signed by it
// (openssl CLI), for the TLS listeners: { dir, ca, cert, key, remove() }.
export function makeTestPki() {
  const dir = mkdtempSync(path.join(tmpdir(), 'cloudsim-pki-'));
  const file = (name) => path.join(dir, name);
  const run = (...args) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-subj', '/CN=helix test CA', '-keyout', file('ca.key'), '-out', file('ca.pem'));
  run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1',
    '-keyout', file('server.key'), '-out', file('server.csr'));
  writeFileSync(file('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  run('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'),
    '-CAcreateserial', '-days', '2', '-extfile', file('ext.cnf'), '-out', file('server.pem'));
  return {
    dir, ca: file('ca.pem'), cert: file('server.pem'), key: file('server.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

// The control endpoint of one provider listener.
export async function control(base, method, pathName, body) {
  const res = await fetch(`${base}${pathName}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() };
}

// Reads an SSE response into [{event, data}] (stops after `limit` events if given).
export async function readSse(response, limit = Infinity) {
  const events = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const ev = { event: null, data: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) ev.event = line.slice(7);
        else if (line.startsWith('data: ')) ev.data += (ev.data ? '\n' : '') + line.slice(6);
      }
      events.push(ev);
      if (events.length >= limit) return events;
    }
  }
  return events;
}
