// helixagentd in front of the simulators: the OpenAI pass-through (`openai`),
// AWS Bedrock with SigV4 and event-stream translation (`aws-bedrock`), a
// second OpenAI provider on the slow-stream simulator (`openai-slow`), and
// both OpenAI providers again over HTTP/2 to the simulators' h2c
// (`openai-h2`, `openai-slow-h2`: many streams share each upstream connection).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { freePort, launch, waitForPort } from './process.mjs';

export const helixClientKey = 'sk-helix-bench-0001';
// The simulator's fixed test credentials (tools/cloudsim/README.md), not secrets.
const simAwsKey = 'AKIDSIMEXAMPLE';
const simAwsSecret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYSIMHELIXKY';

// Settings a deployment serving 10,000 streams would write: room for every
// stream's connection, and 128 load connections keep as many upstream
// connections busy, so the idle pool matches nginx's keepalive.
// No access log, as nginx runs without one.
export function helixConfig({ port, pluginDir, sim, slowSim, streams }) {
  const openai = (name, base, extra = []) => [
    `  ${name}:`,
    '    library: helix_openai',
    ...extra,
    '    settings:',
    `      base_url: ${base}/v1`,
    '      api_key: sk-sim-openai',
  ].join('\n');
  return `# Written by bench/run.
server:
  listen: 127.0.0.1
  port: ${port}
  max_connections: ${streams + 512}
  max_in_flight: ${streams + 256}
  max_queued_connections: 4096
  read_timeout: 300s
  write_timeout: 300s
upstream:
  max_idle_connections: 256
log:
  access: off
api_keys: [{name: bench, key: ${helixClientKey}}]
plugin_dir: ${pluginDir}
plugins:
${openai('openai', sim.base('openai'))}
${openai('openai-h2', sim.base('openai'), ['    http2: on'])}
  aws-bedrock:
    library: helix_aws_bedrock
    settings:
      endpoint: ${sim.base('bedrock')}
      region: us-east-1
      access_key_id: ${simAwsKey}
      secret_access_key: "${simAwsSecret}"
${openai('openai-slow', slowSim.base('openai'), ['    timeout: 600s'])}
${openai('openai-slow-h2', slowSim.base('openai'), ['    timeout: 600s', '    http2: on'])}
providers:
  primary: [openai]
  fallback: [aws-bedrock]
`;
}

export async function startHelixagentd({ binary, pluginDir, work, sim, slowSim, streams }) {
  const port = await freePort();
  const config = path.join(work, 'helixagent.yaml');
  writeFileSync(config, helixConfig({ port, pluginDir, sim, slowSim, streams }));
  const logFile = path.join(work, 'helixagentd.log');
  const child = launch(binary, ['--config', config], { logFile });
  await waitForPort(child, port, { name: 'helixagentd', logFile });
  return { pid: child.pid, port, pids: () => [child.pid], stop: () => child.stop(), log: () => readFileSync(logFile, 'utf8') };
}
