// The results file: tables of every figure, and the project's performance
// targets (checks() below) as ratios measured in this one run.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { h2DaemonDescriptors } from './options.mjs';

const ms = (us) => (us === null || us === undefined ? '—' : (us / 1000).toFixed(2));
const signedMs = (us) => (us === null || us === undefined ? '—' : `${us >= 0 ? '+' : ''}${(us / 1000).toFixed(2)}`);
const int = (n) => (n === null || n === undefined ? '—' : Math.round(n).toLocaleString('en-US'));
const sec = (msValue) => (msValue === null || msValue === undefined ? '—' : (msValue / 1000).toFixed(1));
const mib = (n) => (n === null || n === undefined ? '—' : n.toFixed(1));

// What one target adds over the direct call at the same concurrency.
function added(results, id, c, key) {
  const run = results.load[id]?.[c];
  const direct = results.load.direct?.[c];
  return run && direct ? run.latency_us[key] - direct.latency_us[key] : null;
}

function ratioCheck(name, value, limit, { unit = '×', better = 'lower', detail }) {
  if (value === null || !Number.isFinite(value)) return { name, measured: 'not measured', met: false, detail };
  const met = better === 'lower' ? value <= limit : value >= limit;
  return { name, measured: `${value.toFixed(2)}${unit}`, met, detail };
}

export function checks(results) {
  const levels = results.options.connections;
  const high = Math.max(...levels);
  const load = (id, c) => results.load[id]?.[c];
  const out = [];
  const cpu = (id) => load(id, high)?.cpu_us_per_request ?? null;
  out.push(
    ratioCheck(`CPU per request at ${high} connections ≤ 2× nginx's`, cpu('helix-openai') / cpu('nginx'), 2, {
      detail: `${cpu('helix-openai')?.toFixed(0)} vs ${cpu('nginx')?.toFixed(0)} µs per request`,
    }),
  );
  const rps = (id) => load(id, high)?.rps ?? null;
  out.push(
    ratioCheck(`throughput at ${high} connections ≥ 0.6× nginx's`, rps('helix-openai') / rps('nginx'), 0.6, {
      better: 'higher',
      detail: `${int(rps('helix-openai'))} vs ${int(rps('nginx'))} req/s; Portkey ${int(rps('portkey'))} req/s (helixagentd = ${(rps('helix-openai') / rps('portkey')).toFixed(1)}× Portkey)`,
    }),
  );
  const hop = (id, c, key) => added(results, id, c, key);
  const hopRatio = (c, key) => {
    const nginx = hop('nginx', c, key);
    return nginx > 0 ? hop('helix-openai', c, key) / nginx : null;
  };
  // Under load the direct call's own p99 can come out above nginx's (wrk
  // and the simulator share the cores, and the direct call runs fastest);
  // then the p99s themselves are compared, which is the stricter test.
  const p99 = (id) => load(id, high)?.latency_us.p99 ?? null;
  const nginxHop = hop('nginx', high, 'p99');
  out.push(
    ratioCheck(
      `loaded (${high} connections) added p99 ≤ 1.5× nginx's`,
      nginxHop > 0 ? hopRatio(high, 'p99') : p99('helix-openai') / p99('nginx'),
      1.5,
      {
        detail:
          nginxHop > 0
            ? `${signedMs(hop('helix-openai', high, 'p99'))} ms vs nginx ${signedMs(nginxHop)} ms`
            : `p99 ${ms(p99('helix-openai'))} vs ${ms(p99('nginx'))} ms (nginx's p99 came below the direct call's, ${ms(p99('direct'))} ms)`,
      },
    ),
  );
  // nginx's hop to the reply's head can measure below zero (it answered
  // sooner than the simulator itself: the wake-up of idle vCPUs varies more
  // than the hop costs); then the first SSE data is compared instead.
  const ttfbAdded = (id, pick) => {
    const t = results.ttfb[id];
    const d = results.ttfb.direct;
    return t && d ? pick(t) - pick(d) : null;
  };
  const head = (t) => t.p50_us;
  const data = (t) => t.first_data.p50_us;
  const pick = ttfbAdded('nginx', head) > 0 ? head : data;
  const what = pick === head ? 'first byte' : 'first data, as nginx\'s first byte came sooner than the direct call\'s';
  out.push(
    ratioCheck(
      'time to first byte overhead (p50) ≤ 2× nginx\'s',
      ttfbAdded('nginx', pick) > 0 ? ttfbAdded('helix-openai', pick) / ttfbAdded('nginx', pick) : null,
      2,
      { detail: `${signedMs(ttfbAdded('helix-openai', pick))} ms vs nginx ${signedMs(ttfbAdded('nginx', pick))} ms (${what})` },
    ),
  );
  // Held at once: every stream up to what the open-file limit allows, one
  // socket to the client and one upstream each, after the ten or so the
  // daemon keeps open (listener, epoll, logs): 9,995 of 10,000 at 20,000.
  const s = results.streams['helix-openai'];
  const n = results.options.streams;
  const mustHold = Math.min(n, Math.floor(((results.environment?.open_files_limit ?? Infinity) - 10) / 2));
  out.push({
    name: `${int(n)} slow streams held at once (≥ ${int(mustHold)}, up to the open-file limit), none failed`,
    measured: s ? `${int(s.peak_receiving)} held, ${int(s.failed)} failed` : 'not measured',
    met: !!s && s.peak_receiving >= mustHold && s.failed === 0,
    detail: s ? `completed ${int(s.completed)}; simulator saw ${int(s.sim_streams_peak)} at once; ${int(s.target_peak?.threads)} threads, ${int(s.target_peak?.open_files)} open files at peak` : '',
  });
  const direct = results.streams.direct;
  const sp99 = (x) => x?.stream_ms?.p99 ?? null;
  out.push(
    ratioCheck('stream time p99 within 5 % of the direct call\'s', sp99(s) / sp99(direct), 1.05, {
      detail: `${sec(sp99(s))} vs ${sec(sp99(direct))} s`,
    }),
  );
  const nginxStreams = results.streams.nginx;
  out.push(
    ratioCheck('RSS with the streams open ≤ nginx\'s for the same streams', s?.target_peak?.rss_mib / nginxStreams?.target_peak?.rss_mib, 1, {
      detail: `${mib(s?.target_peak?.rss_mib)} vs ${mib(nginxStreams?.target_peak?.rss_mib)} MiB at peak; after the streams ${mib(s?.target_after?.rss_mib)} MiB`,
    }),
  );
  // The HTTP/2 upstream row: one socket per client stream, a hundred streams
  // per upstream connection (see h2StreamsForFileLimit in options.mjs).
  const h2 = results.streams['helix-openai-h2'];
  if (h2 || load('helix-openai-h2', high)) {
    const h2n = results.options.h2_streams ?? h2?.streams;
    const limit = results.environment?.open_files_limit ?? Infinity;
    const h2Must = Math.min(h2n, Math.floor(((limit - h2DaemonDescriptors) * 100) / 101));
    out.push({
      name:
        `HTTP/2 upstream: ${int(h2n)} slow streams held at once in one process (≥ ${int(h2Must)}), none failed: ` +
        `the open-file limit (${int(limit)}) less the daemon's ${h2DaemonDescriptors} own and kept-free descriptors, ` +
        'at one socket per stream plus one upstream connection per 100 streams',
      measured: h2 ? `${int(h2.peak_receiving)} held, ${int(h2.failed)} failed` : 'not measured',
      met: !!h2 && h2.peak_receiving >= h2Must && h2.failed === 0,
      detail: h2
        ? `simulator saw ${int(h2.sim_streams_peak)} at once; ${int(h2.target_peak?.open_files)} open files, ${int(h2.target_peak?.threads)} threads at peak` +
          (h2.client_cpu_s === undefined ? '' : `; the bench's client used ${h2.client_cpu_s.toFixed(1)} s of CPU in ${h2.wall_s.toFixed(0)} s`)
        : '',
    });
    out.push(
      ratioCheck('HTTP/2 upstream: RSS with its streams open ≤ nginx\'s for its own (HTTP/1.1) streams', h2?.target_peak?.rss_mib / nginxStreams?.target_peak?.rss_mib, 1, {
        detail: `${mib(h2?.target_peak?.rss_mib)} MiB for ${int(h2?.streams)} vs nginx ${mib(nginxStreams?.target_peak?.rss_mib)} MiB for ${int(nginxStreams?.streams)}`,
      }),
    );
    out.push(
      ratioCheck(`HTTP/2 upstream: CPU per request at ${high} connections ≤ HTTP/1.1's`, cpu('helix-openai-h2') / cpu('helix-openai'), 1, {
        detail: `${cpu('helix-openai-h2')?.toFixed(0)} vs ${cpu('helix-openai')?.toFixed(0)} µs per request`,
      }),
    );
  }
  const idle = results.rss_idle_mib?.['helix-openai'] ?? null;
  out.push({
    name: 'idle RSS ≤ 32 MiB',
    measured: idle === null ? 'not measured' : `${mib(idle)} MiB`,
    met: idle !== null && idle <= 32,
    detail: `after start, before any request; nginx ${mib(results.rss_idle_mib?.nginx)} MiB (master + workers)`,
  });
  out.push(
    ratioCheck('Bedrock path ≤ 1.5× the pass-through path in CPU per request', cpu('helix-bedrock') / cpu('helix-openai'), 1.5, {
      detail: `${cpu('helix-bedrock')?.toFixed(0)} vs ${cpu('helix-openai')?.toFixed(0)} µs per request at ${high} connections`,
    }),
  );
  return out;
}

export function renderReport(results, { chart, json }) {
  const e = results.environment;
  const o = results.options;
  const label = (id) => results.labels?.[id] ?? id;
  const lines = [];
  lines.push(`# Benchmark ${e.date.slice(0, 10)}${o.smoke ? ' (smoke run: too short to mean anything)' : ''}`, '');
  lines.push(
    `Written by \`bench/run\` at ${e.date} on ${e.cpu}, ${e.memory_gib} GiB, Linux ${e.kernel}, ` +
      `open files ${e.open_files_limit}; commit ${e.commit}. Peers: ${e.helixagentd}; ${e.nginx}; ${e.portkey} on Node ${e.node}; ` +
      `load by wrk ${e.wrk}. Load average (1, 5, 15 min) of the whole machine, other users included: ` +
      `${e.load_average_at_start.join(', ')} at the start, ${e.load_average_at_end.join(', ')} at the end. ` +
      `Raw figures: \`${path.basename(json)}\`.`,
    '',
  );
  lines.push(
    'Every target answers the same chat completion (one short user message, a 20-token reply from `helix-cloudsim`) ' +
      'on the same machine in the same run; only the ratios between them mean something, as the machine is shared. ' +
      '**direct** calls the simulator; **nginx** is `proxy_pass` with upstream keep-alive; **Portkey** routes with ' +
      '`x-portkey-provider: openai` and `x-portkey-custom-host`; **helixagentd openai** is the pass-through plugin, ' +
      '**helixagentd aws-bedrock** translates to Converse with SigV4 and back. CPU is user + system time of the ' +
      'target\'s processes (nginx: master and workers) during the measured run, divided by its requests.',
    '',
  );
  if (chart) lines.push(`![latency, throughput, time to first byte and streams](${path.basename(chart)})`, '');

  lines.push('## Targets (OpenAI pass-through path)', '', '| target | measured | met | detail |', '|---|---|---|---|');
  for (const c of checks(results)) lines.push(`| ${c.name} | ${c.measured} | ${c.met ? 'yes' : '**no**'} | ${c.detail ?? ''} |`);
  lines.push('');

  const rounds = o.rounds ?? 1;
  lines.push(
    `## Closed loop (wrk, ${o.seconds} s per run after ${o.warmup_seconds} s of warm-up` +
      `${rounds > 1 ? `; the median of ${rounds} rounds, each sweeping every target and concurrency` : ''})`,
    '',
  );
  for (const c of o.connections) {
    lines.push(`### ${c} connection${c === 1 ? ' (unloaded)' : 's'}`, '');
    lines.push(
      `| target | req/s${rounds > 1 ? ' (rounds)' : ''} | p50 ms | p99 ms | added p50 ms | added p99 ms | CPU µs/req | errors |`,
      '|---|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const [id, byLevel] of Object.entries(results.load)) {
      const r = byLevel[c];
      if (!r) continue;
      const isDirect = id === 'direct';
      lines.push(
        `| ${label(id)} | ${int(r.rps)}${r.rounds?.length > 1 ? ` (${r.rounds.map((x) => int(x.rps)).join(', ')})` : ''} | ` +
          `${ms(r.latency_us.p50)} | ${ms(r.latency_us.p99)} | ` +
          `${isDirect ? '—' : signedMs(added(results, id, c, 'p50'))} | ${isDirect ? '—' : signedMs(added(results, id, c, 'p99'))} | ` +
          `${r.cpu_us_per_request === null ? '—' : int(r.cpu_us_per_request)} | ${int(r.errors)} |`,
      );
    }
    lines.push('');
  }

  lines.push(
    `## Memory: idle (started, no request yet) and after the ${Math.max(...o.connections)}-connection run${rounds > 1 ? ' (the highest of the rounds)' : ''}`,
    '',
    '| target | idle RSS MiB | RSS after load MiB |',
    '|---|---:|---:|',
  );
  const memoryIds = new Set([...Object.keys(results.rss_idle_mib ?? {}), ...Object.keys(results.rss_after_load_mib)]);
  for (const id of memoryIds)
    lines.push(`| ${label(id)} | ${mib(results.rss_idle_mib?.[id] ?? null)} | ${mib(results.rss_after_load_mib[id] ?? null)} |`);
  lines.push('');

  lines.push(
    `## Streaming`,
    '',
    `Time to first byte: ${o.ttfb_requests} streamed requests one after another on one kept-alive connection, ` +
      'from sending the request to the reply\'s head (first byte) and to its first SSE data (first token).',
    '',
    '| target | first byte p50 ms | p99 ms | added p50 ms | first data p50 ms | p99 ms | added p50 ms |',
    '|---|---:|---:|---:|---:|---:|---:|',
  );
  const direct = results.ttfb.direct;
  for (const [id, t] of Object.entries(results.ttfb)) {
    const add = (mine, base) => (id === 'direct' || !base ? '—' : signedMs(mine - base));
    lines.push(
      `| ${label(id)} | ${ms(t.p50_us)} | ${ms(t.p99_us)} | ${add(t.p50_us, direct?.p50_us)} | ` +
        `${ms(t.first_data.p50_us)} | ${ms(t.first_data.p99_us)} | ${add(t.first_data.p50_us, direct?.first_data.p50_us)} |`,
    );
  }
  lines.push(
    '',
    `Concurrent slow streams: ${int(o.streams)} streamed requests on their own connections` +
      (o.h2_streams && results.streams['helix-openai-h2'] ? ` (${int(o.h2_streams)} for the HTTP/2 upstream row)` : '') +
      `, opened at ${int(o.ramp_per_s)}/s; ` +
      `each reply is ${o.stream_tokens} tokens ${o.token_delay_ms} ms apart. "Held" is the peak number receiving at once ` +
      '(client side); the simulator counts the upstream streams it serves at once.',
    '',
    '| target | held at once | completed | failed | errors | simulator peak | RSS peak MiB | RSS after MiB | threads peak | open files peak | stream p50 / p99 s |',
    '|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const [id, s] of Object.entries(results.streams)) {
    const errors = Object.entries(s.errors).map(([k, v]) => `${k}: ${v}`).join(', ') || '—';
    lines.push(
      `| ${label(id)} | ${int(s.peak_receiving)} | ${int(s.completed)} | ${int(s.failed)} | ${errors} | ${int(s.sim_streams_peak)} | ` +
        `${mib(s.target_peak?.rss_mib)} | ${mib(s.target_after?.rss_mib)} | ${int(s.target_peak?.threads)} | ${int(s.target_peak?.open_files)} | ` +
        `${s.stream_ms.p50 === null ? '—' : (s.stream_ms.p50 / 1000).toFixed(1)} / ${s.stream_ms.p99 === null ? '—' : (s.stream_ms.p99 / 1000).toFixed(1)} |`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

// What a person wrote about the run (profiles, causes) lives next to it in
// <date>.notes.md and is appended, so that the tables can be written again.
export function writeReport(results, { out, chart, json }) {
  const notesFile = out.replace(/\.md$/, '.notes.md');
  const notes = existsSync(notesFile) ? `\n${readFileSync(notesFile, 'utf8').trim()}\n` : '';
  writeFileSync(out, `${renderReport(results, { chart, json })}${notes}\n`);
}
