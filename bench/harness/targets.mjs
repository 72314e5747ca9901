// The targets, each sent the same chat completion (a short user message,
// a 20-token reply) with only what routing needs changed: the model name
// helixagentd routes by, the client key, Portkey's routing headers.
import { helixClientKey } from './helixagentd.mjs';
import { portkeyHeaders } from './portkey.mjs';

const prompt = 'Hello there, how are you today?';

function body(model, stream) {
  return JSON.stringify({
    model,
    ...(stream ? { stream: true } : {}),
    messages: [{ role: 'user', content: prompt }],
  });
}

// streams: false (no streams phase), true (--streams of them) or how many.
function target({ id, label, port, slowPort, headers, slowHeaders, model, slowModel, pids, streams = true }) {
  return {
    streams: typeof streams === 'number' ? streams : null,
    id,
    label,
    url: `http://127.0.0.1:${port}`,
    path: '/v1/chat/completions',
    headers,
    body: body(model, false),
    streamBody: body(model, true),
    pids,
    slow: streams
      ? { url: `http://127.0.0.1:${slowPort}`, headers: slowHeaders ?? headers, body: body(slowModel ?? model, true) }
      : null,
  };
}

export function buildTargets({ sim, slowSim, nginx, portkey, helix, h2Streams }) {
  const simAuth = { authorization: 'Bearer sk-sim-openai' };
  const helixAuth = { authorization: `Bearer ${helixClientKey}` };
  return [
    target({ id: 'direct', label: 'direct', port: sim.ports.openai, slowPort: slowSim.ports.openai, headers: simAuth, model: 'gpt-4o', pids: () => [] }),
    target({ id: 'nginx', label: 'nginx', port: nginx.port, slowPort: nginx.slowPort, headers: simAuth, model: 'gpt-4o', pids: nginx.pids }),
    target({
      id: 'portkey',
      label: 'Portkey',
      port: portkey.port,
      slowPort: portkey.port,
      headers: { ...simAuth, ...portkeyHeaders(sim.base('openai')) },
      slowHeaders: { ...simAuth, ...portkeyHeaders(slowSim.base('openai')) },
      model: 'gpt-4o',
      pids: portkey.pids,
    }),
    // Before helix-openai: its streams phase runs first, while the daemon holds
    // no idle HTTP/1.1 connections of 10,000 streams (see h2StreamsForFileLimit).
    target({
      id: 'helix-openai-h2',
      label: 'helixagentd openai, HTTP/2 upstream',
      port: helix.port,
      slowPort: helix.port,
      headers: helixAuth,
      model: 'openai-h2/gpt-4o',
      slowModel: 'openai-slow-h2/gpt-4o',
      pids: helix.pids,
      streams: h2Streams,
    }),
    target({
      id: 'helix-openai',
      label: 'helixagentd openai',
      port: helix.port,
      slowPort: helix.port,
      headers: helixAuth,
      model: 'openai/gpt-4o',
      slowModel: 'openai-slow/gpt-4o',
      pids: helix.pids,
    }),
    target({
      id: 'helix-bedrock',
      label: 'helixagentd aws-bedrock',
      port: helix.port,
      headers: helixAuth,
      model: 'aws-bedrock/anthropic.claude-3-sonnet',
      pids: helix.pids,
      streams: false,
    }),
  ];
}
