// How many concurrent slow SSE streams helix-cloudsim holds.
//   node tools/cloudsim/bench/streams.mjs --port <openai port> [--provider openai|anthropic]
//        [--streams 2000] [--token-delay-ms 100] [--tokens 100] [--ramp-per-s 2000]
//        [--max-seconds 120] [--sim-pid <pid>]
// Opens --streams streaming requests (ramped at --ramp-per-s), each asking for
// --tokens tokens --token-delay-ms apart (x-sim-* headers), reads them to the end
// and reports how many completed with every token, the peak number open at
// once (client side and the simulator's own streams_active), stream durations,
// and the simulator's peak RSS and threads (with --sim-pid).
// Bounded: everything still open after --max-seconds is destroyed and counted failed.
import http from 'node:http';
import { readFileSync } from 'node:fs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const provider = args.provider ?? 'openai';
const port = Number(args.port);
const streams = Number(args.streams ?? 2000);
const delay = Number(args['token-delay-ms'] ?? 100);
const tokens = Number(args.tokens ?? 100);
const rampPerS = Number(args['ramp-per-s'] ?? 2000);
const maxSeconds = Number(args['max-seconds'] ?? 120);
const simPid = args['sim-pid'];
if (!port) {
  console.error('usage: streams.mjs --port <port> [--provider openai|anthropic] [--streams N] ...');
  process.exit(2);
}

const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const request =
  provider === 'openai'
    ? {
        path: '/v1/chat/completions',
        headers: { authorization: 'Bearer sk-sim-openai' },
        body: { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'stream please' }] },
        tokenMarker: '"delta":{"content":',
        endMarker: 'data: [DONE]',
      }
    : {
        path: '/v1/messages',
        headers: { 'x-api-key': 'sk-sim-anthropic', 'anthropic-version': '2023-06-01' },
        body: { model: 'claude-sonnet-4-5', max_tokens: 100000, stream: true, messages: [{ role: 'user', content: 'stream please' }] },
        tokenMarker: '"type":"text_delta"',
        endMarker: 'event: message_stop',
      };
const payload = JSON.stringify(request.body);

let open = 0;
let peakOpen = 0;
let completed = 0;
let failed = 0;
const durations = [];
const errors = new Map();
const live = new Set();

function simStatus() {
  if (!simPid) return null;
  try {
    const status = readFileSync(`/proc/${simPid}/status`, 'utf8');
    const field = (name) => status.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm'))?.[1];
    return { rss_mb: Math.round(Number(field('VmRSS')) / 1024), threads: Number(field('Threads')) };
  } catch {
    return null;
  }
}

function countOccurrences(text, marker) {
  let n = 0;
  for (let i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + marker.length)) n += 1;
  return n;
}

function startOne() {
  const t0 = Date.now();
  let seen = 0;
  let tail = '';
  let ended = false;
  const finish = (ok, why) => {
    if (ended) return;
    ended = true;
    open -= 1;
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
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: request.path,
      agent,
      headers: {
        ...request.headers,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
        'x-sim-token-delay-ms': String(delay),
        'x-sim-reply-tokens': String(tokens),
      },
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
        seen += countOccurrences(text, request.tokenMarker) - countOccurrences(tail, request.tokenMarker);
        tail = text.slice(-64);
        if (text.includes(request.endMarker)) tail = request.endMarker;
      });
      res.on('end', () => finish(seen === tokens && tail.includes(request.endMarker.slice(-8)), `incomplete (${seen} tokens)`));
      res.on('error', (e) => finish(false, e.code ?? e.message));
    },
  );
  req.on('error', (e) => finish(false, e.code ?? e.message));
  req.end(payload);
  live.add(req);
  open += 1;
  peakOpen = Math.max(peakOpen, open);
}

// Count the simulator's streams from zero (its streams_peak is read at the end).
await fetch(`http://127.0.0.1:${port}/__sim/stats`, { method: 'DELETE' });
const started = Date.now();
let launched = 0;
const ramp = setInterval(() => {
  const due = Math.min(streams, Math.ceil(((Date.now() - started) / 1000) * rampPerS));
  while (launched < due) {
    startOne();
    launched += 1;
  }
  if (launched >= streams) clearInterval(ramp);
}, 10);

// The simulator's RSS and threads, sampled from /proc (not through its own
// listener, which is busy with the streams).
let simPeak = null;
const sampler = setInterval(() => {
  const now = simStatus();
  if (!now) return;
  simPeak = {
    rss_mb: Math.max(simPeak?.rss_mb ?? 0, now.rss_mb),
    threads: Math.max(simPeak?.threads ?? 0, now.threads),
  };
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
  const stats = await (await fetch(`http://127.0.0.1:${port}/__sim/stats`)).json();
  durations.sort((a, b) => a - b);
  const pct = (p) => durations[Math.min(durations.length - 1, Math.floor((p / 100) * durations.length))] ?? null;
  console.log(
    JSON.stringify(
      {
        provider,
        streams,
        token_delay_ms: delay,
        tokens,
        ideal_stream_ms: (tokens - 1) * delay,
        completed,
        failed,
        errors: Object.fromEntries(errors),
        peak_open_client: peakOpen,
        sim_streams_peak: stats.streams_peak,
        sim_peak: simPeak,
        stream_ms: { p50: pct(50), p99: pct(99), max: durations.at(-1) ?? null },
        wall_s: wall,
      },
      null,
      1,
    ),
  );
  agent.destroy();
}, 100);
