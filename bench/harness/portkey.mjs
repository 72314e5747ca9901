// The Portkey AI gateway (@portkey-ai/gateway, pinned in bench/package.json),
// routed to the simulator per request with x-portkey-provider and
// x-portkey-custom-host.
import { existsSync } from 'node:fs';
import path from 'node:path';

import { freePort, launch, waitForPort } from './process.mjs';

export function portkeyEntry(benchDir) {
  return path.join(benchDir, 'node_modules/@portkey-ai/gateway/build/start-server.js');
}

export async function startPortkey({ benchDir, work }) {
  const entry = portkeyEntry(benchDir);
  if (!existsSync(entry)) {
    throw new Error(`the Portkey gateway is not installed (${entry}); run scripts/install-deps (npm ci in bench/)`);
  }
  const port = await freePort();
  const logFile = path.join(work, 'portkey.log');
  const child = launch(process.execPath, [entry, `--port=${port}`, '--headless'], {
    logFile,
    env: { ...process.env, NODE_ENV: 'production' },
  });
  await waitForPort(child, port, { name: 'portkey', logFile });
  return { pid: child.pid, port, pids: () => [child.pid], stop: () => child.stop() };
}

export function portkeyHeaders(upstreamBase) {
  return {
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': `${upstreamBase}/v1`,
  };
}
