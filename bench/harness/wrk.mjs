// One closed-loop run of wrk (bench/load/chat.lua) against one target, with
// the CPU the target's processes spent during it.
import { execFile } from 'node:child_process';
import path from 'node:path';

import { cpuSeconds } from './procfs.mjs';

function wrk(args, env) {
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { env: { ...process.env, ...env }, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`wrk ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

// target: { url, path, headers: {name: value}, body, pids() }.
// Returns wrk's JSON line plus rps, error count and CPU microseconds per request.
export async function closedLoop(target, { benchDir, connections, seconds, warmupSeconds }) {
  const script = path.join(benchDir, 'load/chat.lua');
  const env = {
    BENCH_PATH: target.path,
    BENCH_BODY: target.body,
    BENCH_HEADERS: Object.entries(target.headers)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n'),
  };
  const threads = String(Math.min(2, connections));
  const base = ['-t', threads, '-c', String(connections), '--timeout', '10s', '-s', script, target.url];
  if (warmupSeconds > 0) await wrk(['-d', `${warmupSeconds}s`, ...base], env);
  const pids = target.pids();
  const cpuBefore = cpuSeconds(pids);
  const out = await wrk(['-d', `${seconds}s`, ...base], env);
  const cpu = cpuSeconds(pids) - cpuBefore;
  const line = out.split('\n').find((l) => l.startsWith('{"requests"'));
  if (!line) throw new Error(`wrk printed no result for ${target.id}:\n${out}`);
  const r = JSON.parse(line);
  const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
  return {
    connections,
    requests: r.requests,
    rps: r.requests / (r.duration_us / 1e6),
    errors,
    error_detail: r.errors,
    latency_us: r.latency_us,
    cpu_s: cpu,
    cpu_us_per_request: pids.length && r.requests ? (cpu * 1e6) / r.requests : null,
  };
}

function median(values) {
  const sorted = values.filter((v) => v !== null).sort((a, b) => a - b);
  if (!sorted.length) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// Several rounds of one target at one concurrency as one: the median of
// each figure, errors summed (none may hide), every round kept.
export function medianRun(runs) {
  const latencyKeys = Object.keys(runs[0].latency_us);
  return {
    connections: runs[0].connections,
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
    rps: median(runs.map((r) => r.rps)),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    error_detail: Object.fromEntries(
      Object.keys(runs[0].error_detail).map((k) => [k, runs.reduce((sum, r) => sum + r.error_detail[k], 0)]),
    ),
    latency_us: Object.fromEntries(latencyKeys.map((k) => [k, median(runs.map((r) => r.latency_us[k]))])),
    cpu_s: runs.reduce((sum, r) => sum + r.cpu_s, 0),
    cpu_us_per_request: median(runs.map((r) => r.cpu_us_per_request)),
    rounds: runs.map((r) => ({ rps: r.rps, p50_us: r.latency_us.p50, p99_us: r.latency_us.p99, cpu_us_per_request: r.cpu_us_per_request })),
  };
}
