// What a running helixagentd holds, read from /proc: resident memory,
// threads, and open file descriptors, with the TCP connections to the
// simulators (the upstream pool's idle connections, whose number follows the
// load, not the time) counted apart from the rest.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

// gateway: what startGateway() returned.
export function daemonResources(gateway) {
  const status = readFileSync(`/proc/${gateway.pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)[1]);
  const kinds = fdKinds(gateway);
  const fds = Object.values(kinds).reduce((sum, n) => sum + n, 0);
  const pooledUpstream = Object.entries(kinds).filter(([k]) => k.startsWith('to ')).reduce((sum, [, n]) => sum + n, 0);
  return { rssKiB: field('VmRSS'), threads: field('Threads'), fds, pooledUpstream, otherFds: fds - pooledUpstream,
    fdKinds: kinds, underAddressSanitizer: readFileSync(`/proc/${gateway.pid}/maps`, 'utf8').includes('libasan') };
}

// The daemon's open files by what they are: connections by the simulator
// listener (or client) at their other end, and the rest by kind.
function fdKinds(gateway) {
  const daemonPort = Number(new URL(gateway.baseURL).port);
  const listeners = Object.keys(gateway.sim.ports);
  const tcp = new Map(); // socket inode -> [local port, remote port]
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const row of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = row.trim().split(/\s+/);
      if (f.length > 9) tcp.set(f[9], [parseInt(f[1].split(':')[1], 16), parseInt(f[2].split(':')[1], 16)]);
    }
  }
  const kinds = {};
  for (const fd of readdirSync(`/proc/${gateway.pid}/fd`)) {
    let target;
    try {
      target = readlinkSync(`/proc/${gateway.pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    let kind = target.replace(/\[\d+\]$/, '').replace(/^\/.*\//, 'file ');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode && tcp.has(inode)) {
      const [local, remote] = tcp.get(inode);
      const listener = listeners.find((l) => gateway.sim.ports[l] === remote);
      kind = listener ? `to ${listener}` : local === daemonPort ? (remote === 0 ? 'listening' : 'from a client') : 'tcp other';
    }
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}
