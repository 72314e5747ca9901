// The soak run behind scripts/soak: helixagentd in front of the simulators
// with every provider, mixed streamed and non-streamed requests from the
// official openai client, faults injected on the providers' fault boards,
// and a configuration reload (SIGHUP, or a rewrite of the watched file)
// every few seconds. At the end: requests, errors by kind (expected: a fault
// was active on a provider the request could use; anything else is
// unexpected), and the daemon's RSS, file descriptors and threads idle after
// warm-up and idle at the end. Exits 1 on any unexpected error or when the
// resources did not come back.
//   node soak.mjs [--minutes M] [--workers N] [--warmup-s S]
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { control, importSdk } from '../cloudsim/sim.mjs';
import { daemonResources } from '../gateway/daemon_resources.mjs';
import { clientKey, startGateway } from '../gateway/gateway.mjs';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    workers: { type: 'string', default: '8' },
    'warmup-s': { type: 'string', default: '' },
  },
});
const minutes = Number(args.minutes);
const workers = Number(args.workers);
if (!(minutes > 0) || !(workers > 0)) throw new Error('--minutes and --workers must be positive numbers');
const warmupMs = (args['warmup-s'] ? Number(args['warmup-s']) : Math.min(60, Math.max(10, minutes * 6))) * 1000;

const { default: OpenAI } = await importSdk('openai');

// Every provider's calls time out within seconds, so a stalled upstream
// ends as an error, not as a client timeout; circuits open and close quickly.
const kProviderTimeout = '5s';
const kCircuitCooldownMs = 3000;
// A fault stays on a listener's board this long; errors up to kGraceMs after
// it is cleared still count as its doing: a call it stalled times out
// (kProviderTimeout), may open a circuit (kCircuitCooldownMs), and the
// circuit's failure rate over its last calls may open it once more.
const kFaultMs = 2500;
const kGraceMs = 5000 + 3 * kCircuitCooldownMs + 1000;

let configFile;
let configText;
const gateway = await startGateway({
  simArgs: ['--token-delay-ms', '3', '--reply-tokens', '24'],
  edit: (lines) => {
    const out = [];
    let inPlugins = false;
    for (let i = 0; i < lines.length; ++i) {
      const line = lines[i];
      if (line.startsWith('router:')) {
        out.push(`router: {circuit_failures: 5, circuit_cooldown: ${kCircuitCooldownMs}ms, max_retry_wait: 1s}`);
        continue;
      }
      if (/^[a-z_]+:/.test(line)) inPlugins = line.startsWith('plugins:');
      out.push(line);
      if (inPlugins && /^ {2}[a-z][a-z0-9-]*:$/.test(line) && !lines[i + 1]?.startsWith('    timeout:'))
        out.push(`    timeout: ${kProviderTimeout}`);
    }
    out.push('aliases:');
    out.push('  fb-openai: [openai/gpt-4o, azure-openai/gpt-4o]');
    out.push('  fb-bedrock: [aws-bedrock/anthropic.claude-3-sonnet, anthropic/claude-3-5-sonnet-20241022]');
    configText = out.join('\n');
    return out;
  },
});
configFile = /--config (\S+)/.exec(readFileSync(`/proc/${gateway.pid}/cmdline`, 'utf8').replaceAll('\0', ' '))[1];

const listeners = Object.keys(gateway.sim.ports);
// Which simulator listener serves each configured provider.
const listenerOf = {};
for (const line of configText.split('\n')) {
  const name = /^ {2}([a-z][a-z0-9-]*):$/.exec(line);
  if (name) listenerOf.current = name[1];
  const url = /^ {6}(?:base_url|endpoint): http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
  if (url && listenerOf.current) {
    listenerOf[listenerOf.current] = listeners.find((l) => gateway.sim.ports[l] === Number(url[1]));
  }
}
delete listenerOf.current;

const modelsReply = await (await fetch(`${gateway.baseURL}/models`, { headers: { authorization: `Bearer ${clientKey}` } })).json();
const preferred = /\/(gpt-4o|claude-3-5-sonnet-20241022|anthropic\.claude-3-sonnet|gemini-1\.5-flash[^/]*|gemini-[^/]*)$/;
const targets = [];
for (const provider of Object.keys(listenerOf)) {
  const model = modelsReply.data.map((m) => m.id).find((id) => id.startsWith(`${provider}/`) && preferred.test(id));
  if (model) targets.push({ model, listeners: [listenerOf[provider]] });
  else console.log(`soak: no chat model found for ${provider}; it gets no load`);
}
targets.push({ model: 'fb-openai', listeners: [listenerOf.openai, listenerOf['azure-openai']] });
targets.push({ model: 'fb-bedrock', listeners: [listenerOf['aws-bedrock'], listenerOf.anthropic] });

const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: clientKey, maxRetries: 0, timeout: 30_000 });

// --- faults -----------------------------------------------------------------
const commonKinds = ['429', '500', '503', 'reset-before-headers', 'reset-mid-stream', 'stall', 'malformed-json',
  'slow-first-byte'];
const ownKinds = { bedrock: ['bad-crc', 'malformed-frame', 'exception-frame'] };
const faultWindows = []; // {listener, kind, from, to}
const faultsInjected = {};
function faultActive(listenersUsed, from, to) {
  return faultWindows.some((w) => listenersUsed.includes(w.listener) && w.from <= to && (w.to ?? Infinity) + kGraceMs >= from);
}

// --- the load -----------------------------------------------------------------
const counts = { requests: 0, ok: 0, streamed: 0, byModel: {}, expected: {}, unexpected: {} };
const unexpectedSamples = [];
let loadOn = true;
let stopping = false;

function classify(error) {
  if (error instanceof OpenAI.APIConnectionTimeoutError) return 'client timeout (hang)';
  if (error instanceof OpenAI.APIConnectionError) {
    const cause = error.cause?.cause ?? error.cause;
    return `connection error: ${cause?.code ?? cause?.message ?? error.message}`;
  }
  if (error instanceof OpenAI.APIError) {
    if (error.status === undefined) return `stream error event: ${error.error?.code ?? error.error?.type ?? 'none'}`;
    return `${error.status} ${error.error?.code ?? error.error?.type ?? ''}`.trim();
  }
  return `client-side: ${error?.message ?? error}`;
}

async function oneRequest(target, stream) {
  const messages = [{ role: 'user', content: `Soak request ${counts.requests} for ${target.model}` }];
  if (!stream) {
    const reply = await client.chat.completions.create({ model: target.model, messages });
    if (!(reply.choices?.[0]?.message?.content?.length > 0)) throw new Error('a reply without content');
    return;
  }
  const s = await client.chat.completions.create({ model: target.model, messages, stream: true,
    stream_options: { include_usage: true } });
  let text = '';
  let usage = null;
  for await (const chunk of s) {
    text += chunk.choices[0]?.delta?.content ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  if (!(text.length > 0) || !usage) throw new Error('a stream that ended without content or usage');
}

async function worker(id) {
  let n = id;
  while (!stopping) {
    if (!loadOn) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    const target = targets[n % targets.length];
    const stream = Math.floor(n / targets.length) % 2 === 0;
    n += workers;
    const from = Date.now();
    ++counts.requests;
    counts.byModel[target.model] = (counts.byModel[target.model] ?? 0) + 1;
    try {
      await oneRequest(target, stream);
      ++counts.ok;
      if (stream) ++counts.streamed;
    } catch (error) {
      const kind = classify(error);
      const to = Date.now();
      const book = faultActive(target.listeners, from, to) ? counts.expected : counts.unexpected;
      book[kind] = (book[kind] ?? 0) + 1;
      if (book === counts.unexpected && unexpectedSamples.length < 20) {
        const last = faultWindows.filter((w) => target.listeners.includes(w.listener)).pop();
        unexpectedSamples.push({ at: new Date(from).toISOString(), model: target.model, stream, kind,
          message: String(error?.message ?? error).slice(0, 300),
          lastFault: last && { listener: last.listener, kind: last.kind, endedMsBefore: from - (last.to ?? from) } });
      }
    }
  }
}

// --- the daemon's resources ---------------------------------------------------
async function metric(name) {
  const text = await (await fetch(gateway.baseURL.replace(/\/v1$/, '/metrics'))).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(name)) sum += Number(line.split(' ').pop());
  return sum;
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// Idle: no request in flight, no fault on any board, kept-alive connections closed.
async function idleResources() {
  loadOn = false;
  for (const l of listeners) await control(gateway.sim.base(l), 'DELETE', '/__sim/faults');
  for (let i = 0; i < 400 && (await metric('helixagent_in_flight_requests')) > 0; ++i) await sleep(50);
  // Stalled upstream calls end; idle client connections close (the client
  // stops reusing them before server.keep_alive_timeout, 15 s by default).
  await sleep(Math.max(kGraceMs, 16_000));
  return daemonResources(gateway);
}

// --- run ----------------------------------------------------------------------
const started = Date.now();
const endAt = started + minutes * 60_000;
const pool = Array.from({ length: workers }, (_, i) => worker(i));
let reloadsSent = 0;
let rewrites = 0;
const samples = [];

const ticker = (async () => {
  let lastFault = 0;
  let lastReload = 0;
  let lastSample = 0;
  let active = null;
  while (!stopping) {
    await sleep(250);
    if (!loadOn) continue;
    const now = Date.now();
    if (active && now - active.from >= kFaultMs) {
      await control(gateway.sim.base(active.listener), 'DELETE', '/__sim/faults');
      active.to = Date.now();
      active = null;
    }
    if (!active && now - lastFault >= 6000) {
      lastFault = now;
      const listener = listeners[Math.floor(Math.random() * listeners.length)];
      const kinds = [...commonKinds, ...(ownKinds[listener] ?? [])];
      const kind = kinds[Math.floor(Math.random() * kinds.length)];
      active = { listener, kind, from: Date.now(), to: null };
      faultWindows.push(active);
      await control(gateway.sim.base(listener), 'POST', '/__sim/faults', { kind, count: -1 });
      faultsInjected[`${listener} ${kind}`] = (faultsInjected[`${listener} ${kind}`] ?? 0) + 1;
    }
    if (now - lastReload >= 3000) {
      lastReload = now;
      if (reloadsSent % 4 === 3) {
        writeFileSync(configFile, configText); // the watcher reloads on the change
        ++rewrites;
      } else {
        process.kill(gateway.pid, 'SIGHUP');
      }
      ++reloadsSent;
    }
    if (now - lastSample >= 30_000) {
      lastSample = now;
      const r = daemonResources(gateway);
      samples.push(r);
      console.log(`soak: ${((now - started) / 60_000).toFixed(1)} min: ${counts.requests} requests, ` +
        `${Object.values(counts.unexpected).reduce((a, b) => a + b, 0)} unexpected errors, ` +
        `RSS ${(r.rssKiB / 1024).toFixed(1)} MiB, ${r.fds} fds, ${r.threads} threads`);
    }
  }
})();

let warmup;
let end;
let reloadsOk = 0;
let reloadsFailed = 0;
try {
  await sleep(warmupMs);
  warmup = await idleResources();
  console.log(`soak: after warm-up (idle): RSS ${(warmup.rssKiB / 1024).toFixed(1)} MiB, ${warmup.fds} fds, ${warmup.threads} threads`);
  loadOn = true;
  await sleep(Math.max(0, endAt - Date.now()));
  end = await idleResources();
  const reloads = await (await fetch(gateway.baseURL.replace(/\/v1$/, '/metrics'))).text();
  reloadsOk = Number(/helixagent_config_reloads_total\{result="success"\} (\S+)/.exec(reloads)?.[1] ?? 0);
  reloadsFailed = Number(/helixagent_config_reloads_total\{result="failure"\} (\S+)/.exec(reloads)?.[1] ?? 0);
} finally {
  stopping = true;
  await Promise.all(pool);
  await ticker;
}
const daemonAlive = (() => {
  try {
    process.kill(gateway.pid, 0);
    return true;
  } catch {
    return false;
  }
})();
await gateway.stop();

const unexpectedTotal = Object.values(counts.unexpected).reduce((a, b) => a + b, 0);
const expectedTotal = Object.values(counts.expected).reduce((a, b) => a + b, 0);
const peak = samples.reduce((p, s) => ({ rssKiB: Math.max(p.rssKiB, s.rssKiB), fds: Math.max(p.fds, s.fds),
  threads: Math.max(p.threads, s.threads) }), { rssKiB: 0, fds: 0, threads: 0 });
// Back to the warm-up level: allocator slack allowed, nothing per request.
const rssBack = end.rssKiB <= warmup.rssKiB * 1.10 + 8 * 1024;
const fdsBack = end.otherFds <= warmup.otherFds + 1 && end.pooledUpstream <= listeners.length * (workers + 2);
const threadsBack = end.threads <= warmup.threads + 8;

console.log(JSON.stringify({
  minutes, workers, warmupSeconds: warmupMs / 1000,
  requests: counts.requests, ok: counts.ok, okStreamed: counts.streamed,
  byModel: counts.byModel,
  faultsInjected, reloadsSent, fileRewrites: rewrites, reloadsSucceeded: reloadsOk, reloadsFailed,
  errorsExpected: counts.expected, errorsUnexpected: counts.unexpected, unexpectedSamples,
  daemon: { afterWarmupIdle: warmup, endIdle: end, peakUnderLoad: peak, alive: daemonAlive },
}, null, 2));
console.log(`soak: ${counts.requests} requests in ${minutes} min (${counts.ok} ok, ${expectedTotal} expected errors ` +
  `under injected faults, ${unexpectedTotal} unexpected); ${reloadsSent} reloads (${reloadsOk} succeeded); ` +
  `idle RSS ${(warmup.rssKiB / 1024).toFixed(1)} -> ${(end.rssKiB / 1024).toFixed(1)} MiB, ` +
  `fds ${warmup.fds} -> ${end.fds} (pooled upstream connections ${warmup.pooledUpstream} -> ${end.pooledUpstream}, ` +
  `others ${warmup.otherFds} -> ${end.otherFds}), threads ${warmup.threads} -> ${end.threads}`);
const pass = unexpectedTotal === 0 && rssBack && fdsBack && threadsBack && daemonAlive && reloadsFailed === 0;
console.log(pass ? 'soak: PASS' : 'soak: FAIL');
process.exit(pass ? 0 : 1);
