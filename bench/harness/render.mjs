// Writes a results file and its chart again from the raw figures of a run
// (after a change to how they are presented; the figures stay those measured):
//   node bench/harness/render.mjs bench/results/<date>.json
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { chartable, drawChart } from './chart.mjs';
import { writeReport } from './report.mjs';

const json = process.argv[2];
if (!json?.endsWith('.json')) {
  console.error('usage: node bench/harness/render.mjs RESULTS.json');
  process.exit(2);
}
const results = JSON.parse(readFileSync(json, 'utf8'));
const work = mkdtempSync(path.join(os.tmpdir(), 'helix-bench-render-'));
try {
  const phases = results.options?.phases ?? ['load', 'ttfb', 'streams'];
  const chart = chartable(phases)
    ? await drawChart(results, { out: json.replace(/\.json$/, '.png'), work, required: true })
    : null;
  writeReport(results, { out: json.replace(/\.json$/, '.md'), chart, json });
} finally {
  rmSync(work, { recursive: true, force: true });
}
