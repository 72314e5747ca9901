// The results as one PNG (gnuplot): latency percentiles, throughput, time to
// first byte and streams held, per target, so a reader can look rather than
// read.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const short = {
  direct: 'direct',
  nginx: 'nginx',
  portkey: 'Portkey',
  'helix-openai': 'helix openai',
  'helix-bedrock': 'helix bedrock',
};

function gnuplot(script) {
  return new Promise((resolve, reject) => {
    const child = execFile('gnuplot', [], (error, _stdout, stderr) => {
      if (error) reject(new Error(`gnuplot failed: ${error.message}\n${stderr}`));
      else resolve();
    });
    child.stdin.end(script);
  });
}

function table(file, rows) {
  writeFileSync(file, `${rows.map((r) => r.map((v) => (typeof v === 'string' ? `"${v}"` : v ?? 'NaN')).join(' ')).join('\n')}\n`);
}

// Returns the PNG's path, or null when gnuplot is missing and not required.
// A partial run (--phases) has no chart: its panels would be empty.
export const chartable = (phases) => ['load', 'ttfb', 'streams'].every((p) => phases.includes(p));

export async function drawChart(results, { out, work, required }) {
  const ids = Object.keys(results.load);
  const levels = results.options.connections;
  const latency = path.join(work, 'latency.dat');
  const throughput = path.join(work, 'throughput.dat');
  const ttfb = path.join(work, 'ttfb.dat');
  const streams = path.join(work, 'streams.dat');
  const ms = (us) => (us === undefined ? null : us / 1000);
  table(latency, ids.map((id) => [short[id] ?? id, ...levels.flatMap((c) => [ms(results.load[id][c]?.latency_us.p50), ms(results.load[id][c]?.latency_us.p99)])]));
  table(throughput, ids.map((id) => [short[id] ?? id, ...levels.map((c) => results.load[id][c]?.rps ?? null)]));
  table(
    ttfb,
    Object.entries(results.ttfb).map(([id, t]) => [short[id] ?? id, ms(t.p50_us), ms(t.p99_us), ms(t.first_data.p50_us), ms(t.first_data.p99_us)]),
  );
  table(
    streams,
    Object.entries(results.streams).map(([id, s]) => [
      short[id] ?? id,
      s.peak_receiving,
      s.completed,
      s.failed,
      s.target_peak ? `RSS ${Math.round(s.target_peak.rss_mib)} MiB` : '',
    ]),
  );
  const latencyPlots = levels
    .flatMap((c, i) => [`'${latency}' using ${2 + 2 * i}:xtic(1) title 'p50 c=${c}'`, `'' using ${3 + 2 * i} title 'p99 c=${c}'`])
    .join(', ');
  const throughputPlots = levels.map((c, i) => `${i ? "''" : `'${throughput}'`} using ${2 + i}${i ? '' : ':xtic(1)'} title 'c=${c}'`).join(', ');
  const script = `
set terminal pngcairo size 1500,1000 font 'sans,10'
set output '${out}'
set multiplot layout 2,2 title "helixagentd, nginx, Portkey and a direct call to the simulator — ${results.environment.date.slice(0, 10)}, ${results.environment.cpu}" font 'sans,12'
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key top left
set grid ytics
set xtics nomirror
set title 'Latency per request, closed loop (ms, log scale)'
set logscale y
plot ${latencyPlots}
set title 'Throughput (requests/s, log scale)'
plot ${throughputPlots}
unset logscale y
set title 'Time to first byte and first data of a stream, unloaded (ms, log scale)'
set logscale y
plot '${ttfb}' using 2:xtic(1) title 'first byte p50', '' using 3 title 'first byte p99', '' using 4 title 'first data p50', '' using 5 title 'first data p99'
unset logscale y
set title 'Concurrent slow SSE streams (of ${results.options.streams}); target RSS at peak'
set yrange [0:${Math.ceil(Math.max(results.options.streams, results.options.h2_streams ?? 0) * 1.25)}]
set bmargin 4
set key top right
plot '${streams}' using 2:xtic(sprintf("%s\\n%s", strcol(1), strcol(5))) title 'held at once', '' using 3 title 'completed', '' using 4 title 'failed'
unset multiplot
`;
  try {
    await gnuplot(script);
  } catch (e) {
    if (!required && e.message.includes('ENOENT')) return null;
    throw e;
  }
  return out;
}
