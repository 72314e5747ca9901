// What a reader needs to judge a results file: the machine, the versions of
// every peer, the commit measured.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function run(command, args, options = {}) {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options }).trim();
  } catch (e) {
    // nginx -v and wrk -v print to stderr, and wrk -v exits 1.
    return `${e.stdout ?? ''}${e.stderr ?? ''}`.trim();
  }
}

function nginxVersion() {
  const text = run('sh', ['-c', 'nginx -v 2>&1']);
  return text.match(/nginx\/\S+/)?.[0] ?? text;
}

export function describeEnvironment({ repo, benchDir, helixBinary }) {
  const cpu = os.cpus();
  const lock = JSON.parse(readFileSync(path.join(benchDir, 'package-lock.json'), 'utf8'));
  const pinned = (name) => lock.packages?.[`node_modules/${name}`]?.version ?? '?';
  const commit = run('git', ['-C', repo, 'rev-parse', '--short', 'HEAD']);
  const dirty = run('git', ['-C', repo, 'status', '--porcelain', '--untracked-files=no']) !== '';
  return {
    date: new Date().toISOString(),
    load_average_at_start: os.loadavg().map((l) => Number(l.toFixed(2))),
    cpu: `${cpu.length} × ${cpu[0]?.model ?? '?'}`,
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    open_files_limit: Number(run('sh', ['-c', 'ulimit -n'])),
    commit: `${commit}${dirty ? ' (with uncommitted changes)' : ''}`,
    helixagentd: run(helixBinary, ['--version']),
    nginx: nginxVersion(),
    wrk: run('wrk', ['-v']).split('\n')[0].split(' ')[1] ?? '?',
    node: process.version,
    portkey: `@portkey-ai/gateway ${pinned('@portkey-ai/gateway')} (hono ${pinned('hono')}, @hono/node-server ${pinned('@hono/node-server')})`,
  };
}
