// nginx as the plain proxy hop: proxy_pass with upstream keep-alive to the
// same simulators, no buffering (SSE passes through as it comes), no access log.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { freePort, launch, waitForPort } from './process.mjs';
import { withChildren } from './procfs.mjs';

export function nginxConfig({ work, port, slowPort, upstream, slowUpstream }) {
  const server = (listen, to) => `
  server {
    listen 127.0.0.1:${listen} backlog=4096;
    location / {
      proxy_pass http://${to};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 600s;
      proxy_send_timeout 600s;
    }
  }`;
  return `# Written by bench/run.
daemon off;
worker_processes auto;
worker_rlimit_nofile 20000;
pid ${work}/nginx.pid;
error_log ${work}/nginx-error.log warn;
events {
  worker_connections 20000;
}
http {
  access_log off;
  client_body_temp_path ${work}/nginx-body;
  proxy_temp_path ${work}/nginx-proxy;
  fastcgi_temp_path ${work}/nginx-fastcgi;
  uwsgi_temp_path ${work}/nginx-uwsgi;
  scgi_temp_path ${work}/nginx-scgi;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  upstream sim {
    server ${upstream};
    keepalive 256;
    keepalive_requests 1000000;
  }
  upstream slow_sim {
    server ${slowUpstream};
    keepalive 256;
  }${server(port, 'sim')}${server(slowPort, 'slow_sim')}
}
`;
}

export async function startNginx({ binary = 'nginx', work, sim, slowSim }) {
  const port = await freePort();
  const slowPort = await freePort();
  const config = path.join(work, 'nginx.conf');
  writeFileSync(
    config,
    nginxConfig({
      work,
      port,
      slowPort,
      upstream: `127.0.0.1:${sim.ports.openai}`,
      slowUpstream: `127.0.0.1:${slowSim.ports.openai}`,
    }),
  );
  const logFile = path.join(work, 'nginx.log');
  const child = launch(binary, ['-p', work, '-e', path.join(work, 'nginx-error.log'), '-c', config], { logFile });
  await waitForPort(child, port, { name: 'nginx', logFile });
  await waitForPort(child, slowPort, { name: 'nginx', logFile });
  return { pid: child.pid, port, slowPort, pids: () => withChildren(child.pid), stop: () => child.stop() };
}
