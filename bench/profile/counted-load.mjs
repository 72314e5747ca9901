// A closed loop of exactly N chat completions over C kept-alive connections,
// for a profile that must cover a known number of requests (wrk runs for a
// duration). Prints "<answered with 200> <other answers or errors>".
//   node bench/profile/counted-load.mjs --url http://127.0.0.1:PORT --model openai/gpt-4o --key KEY \
//        --requests 2000 --connections 16
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    model: { type: 'string' },
    key: { type: 'string' },
    requests: { type: 'string', default: '2000' },
    connections: { type: 'string', default: '16' },
  },
});
const url = new URL('/v1/chat/completions', values.url);
const total = Number(values.requests);
const connections = Number(values.connections);
// The request bench/run sends (bench/harness/targets.mjs).
const body = JSON.stringify({ model: values.model, messages: [{ role: 'user', content: 'Hello there, how are you today?' }] });
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });

let started = 0;
let ok = 0;
let failed = 0;

function one() {
  return new Promise((resolve) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { authorization: `Bearer ${values.key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          if (response.statusCode === 200) ok += 1;
          else failed += 1;
          resolve();
        });
      },
    );
    request.on('error', () => {
      failed += 1;
      resolve();
    });
    request.end(body);
  });
}

async function worker() {
  while (started < total) {
    started += 1;
    await one();
  }
}

await Promise.all(Array.from({ length: connections }, worker));
agent.destroy();
console.log(`${ok} ${failed}`);
