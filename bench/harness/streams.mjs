// How many concurrent slow SSE streams a target holds. Run as its own
// process (its sockets count against its own open-file limit):
//   node bench/harness/streams.mjs --url http://127.0.0.1:PORT --path /v1/chat/completions
//        --headers '{"authorization":"Bearer k"}' --body '{"model":"gpt-4o","stream":true,...}'
//        --streams 10000 [--ramp-per-s 1000] [--max-seconds 120] [--pids 1,2]
//        [--sim-stats http://127.0.0.1:SIMPORT/__sim/stats] [--end-marker 'data: [DONE]']
// Opens --streams streaming requests (ramped at --ramp-per-s) on separate
// connections; the upstream (a simulator started with a token delay) makes
// each one last (or, straight at a simulator, x-sim-token-delay-ms and
// x-sim-reply-tokens in --headers). A stream succeeds with status 200, data
// up to the end marker (Anthropic's: 'event: message_stop') and no error event. Prints one JSON object: completed, failed and why, the
// peak number of streams receiving at once, the simulator's own peak of
// active streams, the target processes' peak RSS, threads and open files, and
// the CPU time this client and the target spent.
// Bounded: whatever is still open after --max-seconds is destroyed and failed.
import http from 'node:http';

import { cpuSeconds, openFiles, rssMiB, threads } from './procfs.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const url = new URL(args.url ?? '');
const path = args.path ?? '/v1/chat/completions';
const headers = JSON.parse(args.headers ?? '{}');
const payload = args.body ?? '';
const streams = Number(args.streams ?? 1000);
const rampPerS = Number(args['ramp-per-s'] ?? 1000);
const maxSeconds = Number(args['max-seconds'] ?? 120);
const pids = (args.pids ?? '').split(',').filter(Boolean).map(Number);
const simStats = args['sim-stats'];
const endMarker = args['end-marker'] ?? 'data: [DONE]';

const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
let open = 0;
let receiving = 0;
let peakReceiving = 0;
let completed = 0;
let failed = 0;
const durations = [];
const errors = new Map();
const live = new Set();

function startOne() {
  const t0 = Date.now();
  let tail = '';
  let sawData = false;
  let sawError = false;
  let ended = false;
  const finish = (ok, why) => {
    if (ended) return;
    ended = true;
    open -= 1;
    if (sawData) receiving -= 1;
    live.delete(req);
    if (ok) {
      completed += 1;
      durations.push(Date.now() - t0);
    } else {
      failed += 1;
      errors.set(why, (errors.get(why) ?? 0) + 1);
    }
  };
  const req = http.request(
    {
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path,
      agent,
      headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    },
    (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        finish(false, `status ${res.statusCode}`);
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        const text = tail + chunk;
        if (!sawData && text.includes('data:')) {
          sawData = true;
          receiving += 1;
          peakReceiving = Math.max(peakReceiving, receiving);
        }
        if (text.includes('"error"') || text.includes('event: error')) sawError = true;
        tail = text.slice(-64);
      });
      res.on('end', () => {
        if (sawError) finish(false, 'error event');
        else finish(tail.includes(endMarker), `ended before '${endMarker}'`);
      });
      res.on('error', (e) => finish(false, e.code ?? e.message));
    },
  );
  req.on('error', (e) => finish(false, e.code ?? e.message));
  req.end(payload);
  live.add(req);
  open += 1;
}

if (simStats) await fetch(simStats, { method: 'DELETE' });
const started = Date.now();
// CPU seconds over the run: this client's own (on a 2-core machine it may be
// what limits the streams) and the target's.
const clientCpuAtStart = process.cpuUsage();
const targetCpuAtStart = cpuSeconds(pids);
let launched = 0;
const ramp = setInterval(() => {
  const due = Math.min(streams, Math.ceil(((Date.now() - started) / 1000) * rampPerS));
  while (launched < due) {
    startOne();
    launched += 1;
  }
  if (launched >= streams) clearInterval(ramp);
}, 10);

const peak = { rss_mib: 0, threads: 0, open_files: 0 };
let samples = 0;
const sampler = setInterval(() => {
  if (!pids.length) return;
  peak.rss_mib = Math.max(peak.rss_mib, rssMiB(pids));
  peak.threads = Math.max(peak.threads, threads(pids));
  if (samples++ % 4 === 0) peak.open_files = Math.max(peak.open_files, openFiles(pids));
}, 250);

const deadline = setTimeout(() => {
  for (const req of live) req.destroy(new Error('bench deadline'));
}, maxSeconds * 1000);

const done = setInterval(async () => {
  if (launched < streams || open > 0) return;
  clearInterval(done);
  clearInterval(sampler);
  clearTimeout(deadline);
  const wall = (Date.now() - started) / 1000;
  const clientCpu = process.cpuUsage(clientCpuAtStart);
  const sim = simStats ? await (await fetch(simStats)).json() : null;
  durations.sort((a, b) => a - b);
  const pct = (p) => durations[Math.min(durations.length - 1, Math.floor((p / 100) * durations.length))] ?? null;
  console.log(
    JSON.stringify({
      streams,
      completed,
      failed,
      errors: Object.fromEntries(errors),
      peak_receiving: peakReceiving,
      sim_streams_peak: sim?.streams_peak ?? null,
      target_peak: pids.length ? peak : null,
      target_after: pids.length ? { rss_mib: rssMiB(pids), threads: threads(pids) } : null,
      stream_ms: { p50: pct(50), p99: pct(99), max: durations.at(-1) ?? null },
      wall_s: wall,
      client_cpu_s: (clientCpu.user + clientCpu.system) / 1e6,
      target_cpu_s: pids.length ? cpuSeconds(pids) - targetCpuAtStart : null,
    }),
  );
  agent.destroy();
}, 100);
