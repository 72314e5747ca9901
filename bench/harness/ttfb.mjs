// Time to first byte of a streamed chat completion, unloaded: one kept-alive
// connection, requests one after another, from sending the request to the
// reply's head (first byte) and to its first SSE data (first token). The
// same client measures every target, so its own cost cancels out in the
// difference to the direct call.
import http from 'node:http';

function once(agent, target, body) {
  return new Promise((resolve, reject) => {
    const url = new URL(target.url);
    const t0 = process.hrtime.bigint();
    let head = null;
    let first = null;
    let text = '';
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: target.path,
        agent,
        headers: { ...target.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        head = process.hrtime.bigint();
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          if (first === null && chunk.includes('data:')) first = process.hrtime.bigint();
          text += chunk;
        });
        res.on('end', () => {
          if (res.statusCode !== 200 || first === null || !text.includes('data: [DONE]')) {
            reject(new Error(`${target.id}: streamed request failed (status ${res.statusCode}): ${text.slice(0, 300)}`));
          } else {
            resolve({ head: Number(head - t0) / 1000, data: Number(first - t0) / 1000 });
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// Returns { requests, p50_us, p90_us, p99_us } of the first byte, and
// first_data: the same of the first SSE data.
export async function timeToFirstByte(target, { requests, warmup }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const body = target.streamBody;
  try {
    for (let i = 0; i < warmup; i += 1) await once(agent, target, body);
    const samples = [];
    for (let i = 0; i < requests; i += 1) samples.push(await once(agent, target, body));
    const summary = (values) => {
      values.sort((a, b) => a - b);
      return { p50_us: percentile(values, 50), p90_us: percentile(values, 90), p99_us: percentile(values, 99) };
    };
    return { requests, ...summary(samples.map((s) => s.head)), first_data: summary(samples.map((s) => s.data)) };
  } finally {
    agent.destroy();
  }
}
