// bench/run's driver: starts the simulators and the four peers, measures
// each target with the same load, writes the results file and its chart.
// Usage: see bench/run.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chartable, drawChart } from './chart.mjs';
import { describeEnvironment } from './environment.mjs';
import { startHelixagentd } from './helixagentd.mjs';
import { startNginx } from './nginx.mjs';
import { parseOptions } from './options.mjs';
import { startPortkey } from './portkey.mjs';
import { rssMiB } from './procfs.mjs';
import { sleep } from './process.mjs';
import { writeReport } from './report.mjs';
import { startSimulator } from './simulator.mjs';
import { buildTargets } from './targets.mjs';
import { timeToFirstByte } from './ttfb.mjs';
import { closedLoop, medianRun } from './wrk.mjs';

const benchDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const repo = path.dirname(benchDir);
const opts = parseOptions(process.argv.slice(2), { repo });
const say = (text) => process.stderr.write(`bench: ${text}\n`);

function streamsRun(target, slowSim, { streams: defaultStreams, rampPerS, maxSeconds }) {
  const streams = target.streams ?? defaultStreams;
  const script = path.join(benchDir, 'harness/streams.mjs');
  const args = [
    script,
    '--url', target.slow.url,
    '--path', target.path,
    '--headers', JSON.stringify(target.slow.headers),
    '--body', target.slow.body,
    '--streams', String(streams),
    '--ramp-per-s', String(rampPerS),
    '--max-seconds', String(maxSeconds + Math.ceil(Math.max(0, streams - defaultStreams) / rampPerS)),
    '--pids', target.pids().join(','),
    '--sim-stats', `${slowSim.base('openai')}/__sim/stats`,
  ];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`streams client failed for ${target.id}: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1)));
    });
  });
}

const work = mkdtempSync(path.join(os.tmpdir(), 'helix-bench-'));
let completed = false;
const stops = [];
try {
  const binary = (p) => path.join(opts.buildDir, p);
  const environment = describeEnvironment({ repo, benchDir, helixBinary: binary('daemon/helixagentd') });
  say(`work directory ${work}`);

  const simBinary = binary('tools/cloudsim/helix-cloudsim');
  const sim = await startSimulator({ binary: simBinary, logFile: path.join(work, 'cloudsim.log') });
  stops.push(sim.stop);
  // The slow simulator streams every reply a token at a time, token_delay apart.
  const slowSim = await startSimulator({
    binary: simBinary,
    logFile: path.join(work, 'cloudsim-slow.log'),
    args: ['--providers', 'openai', '--token-delay-ms', String(opts.tokenDelayMs), '--reply-tokens', String(opts.streamTokens)],
  });
  stops.push(slowSim.stop);
  const helix = await startHelixagentd({
    binary: binary('daemon/helixagentd'),
    pluginDir: binary('plugins'),
    work,
    sim,
    slowSim,
    streams: Math.max(opts.streams, opts.h2Streams),
  });
  stops.push(helix.stop);
  const nginx = await startNginx({ work, sim, slowSim });
  stops.push(nginx.stop);
  const portkey = await startPortkey({ benchDir, work });
  stops.push(portkey.stop);
  const targets = buildTargets({ sim, slowSim, nginx, portkey, helix, h2Streams: opts.h2Streams }).filter(
    (t) => !opts.targets || t.id === 'direct' || opts.targets.includes(t.id),
  );
  say(`simulator :${sim.ports.openai}, helixagentd :${helix.port}, nginx :${nginx.port}, portkey :${portkey.port}`);

  const results = { environment, options: opts.recorded, load: {}, rss_idle_mib: {}, rss_after_load_mib: {}, ttfb: {}, streams: {} };
  // Started, no request served yet.
  for (const target of targets) if (target.pids().length) results.rss_idle_mib[target.id] = rssMiB(target.pids());

  // Closed loop: every target at one concurrency before the next, and the
  // whole sweep --rounds times, so that slow drifts of the shared machine
  // touch all of them alike; the results keep every round and their median.
  const runs = {};
  const top = Math.max(...opts.connections);
  for (let round = 1; round <= (opts.phases.includes('load') ? opts.rounds : 0); round += 1) {
    for (const connections of opts.connections) {
      for (const target of targets) {
        const run = await closedLoop(target, {
          benchDir,
          connections,
          seconds: opts.seconds,
          warmupSeconds: opts.warmupSeconds,
        });
        ((runs[target.id] ??= {})[connections] ??= []).push(run);
        if (connections === top && target.pids().length) {
          results.rss_after_load_mib[target.id] = Math.max(results.rss_after_load_mib[target.id] ?? 0, rssMiB(target.pids()));
        }
        say(
          `round ${round} ${target.id.padEnd(14)} c=${String(connections).padEnd(4)} ${run.rps.toFixed(0).padStart(7)} req/s  ` +
            `p50 ${run.latency_us.p50} µs  p99 ${run.latency_us.p99} µs  errors ${run.errors}` +
            (run.cpu_us_per_request === null ? '' : `  cpu ${run.cpu_us_per_request.toFixed(0)} µs/req`),
        );
        await sleep(300);
      }
    }
  }
  for (const [id, byLevel] of Object.entries(runs)) {
    results.load[id] = Object.fromEntries(Object.entries(byLevel).map(([c, list]) => [c, medianRun(list)]));
  }

  for (const target of opts.phases.includes('ttfb') ? targets : []) {
    results.ttfb[target.id] = await timeToFirstByte(target, { requests: opts.ttfbRequests, warmup: opts.ttfbWarmup });
    const t = results.ttfb[target.id];
    say(
      `${target.id.padEnd(14)} first byte p50 ${t.p50_us.toFixed(0)} µs  p99 ${t.p99_us.toFixed(0)} µs; ` +
        `first data p50 ${t.first_data.p50_us.toFixed(0)} µs  p99 ${t.first_data.p99_us.toFixed(0)} µs`,
    );
  }

  for (const target of opts.phases.includes('streams') ? targets.filter((t) => t.slow) : []) {
    say(`${target.id.padEnd(14)} opening ${target.streams ?? opts.streams} slow streams`);
    const run = await streamsRun(target, slowSim, opts);
    results.streams[target.id] = run;
    say(
      `${target.id.padEnd(14)} streams: ${run.completed}/${run.streams} completed, peak receiving ${run.peak_receiving}, ` +
        `errors ${JSON.stringify(run.errors)}` +
        (run.target_peak ? `, peak RSS ${run.target_peak.rss_mib.toFixed(0)} MiB, threads ${run.target_peak.threads}` : ''),
    );
    // Let the closed connections leave the proxies before the next target.
    await sleep(opts.smoke ? 200 : 3000);
  }

  results.labels = Object.fromEntries(targets.map((t) => [t.id, t.label]));
  results.environment.load_average_at_end = os.loadavg().map((l) => Number(l.toFixed(2)));
  mkdirSync(path.dirname(opts.out), { recursive: true });
  const json = opts.out.replace(/\.md$/, '.json');
  writeFileSync(json, `${JSON.stringify(results, null, 1)}\n`);
  const chart = chartable(opts.phases) ? await drawChart(results, { out: opts.out.replace(/\.md$/, '.png'), work, required: !opts.smoke }) : null;
  writeReport(results, { out: opts.out, chart, json });
  say(`wrote ${opts.out}${chart ? ` and ${chart}` : ''}`);
  // The smoke run proves every step works: each target answered every request.
  if (opts.smoke) {
    const problems = [
      ...Object.entries(results.load).flatMap(([id, byLevel]) =>
        Object.values(byLevel)
          .filter((r) => r.requests === 0 || r.errors > 0)
          .map((r) => `${id} at ${r.connections} connections: ${r.requests} requests, errors ${JSON.stringify(r.error_detail)}`),
      ),
      ...Object.entries(results.streams)
        .filter(([, r]) => r.completed !== r.streams)
        .map(([id, r]) => `${id}: ${r.completed} of ${r.streams} streams completed, errors ${JSON.stringify(r.errors)}`),
    ];
    if (problems.length) {
      say(`smoke run FAILED:\n  ${problems.join('\n  ')}`);
      process.exitCode = 1;
    }
  }
  completed = true;
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => {});
  // A failed run keeps its peers' logs (a sanitizer's report is in them).
  if (opts.keepWork || !completed || process.exitCode) say(`kept the work directory ${work} (the peers' logs)`);
  else rmSync(work, { recursive: true, force: true });
}
