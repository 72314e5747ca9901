// helix-cloudsim, the upstream of every target: started directly so that its
// PID is known (for CPU and memory) and it stops with this process.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

import { tail } from './process.mjs';

// Resolves to { pid, ports: {openai, bedrock, ...}, base(name), stop() }.
export function startSimulator({ binary, logFile, args = [] }) {
  const log = openSync(logFile, 'a');
  const child = spawn(binary, ['--watch-pid', String(process.pid), ...args], { stdio: ['ignore', 'pipe', log] });
  closeSync(log);
  process.once('exit', () => child.kill('SIGTERM'));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`helix-cloudsim did not start; ${logFile}:\n${tail(logFile)}`)), 15_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (!out.includes('\n')) return;
      clearTimeout(timer);
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      const ports = JSON.parse(line);
      resolve({
        pid: child.pid,
        ports,
        base: (name) => `http://127.0.0.1:${ports[name]}`,
        stop: async () => {
          if (child.exitCode !== null) return;
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`helix-cloudsim exited (${code}); ${logFile}:\n${tail(logFile)}`));
    });
  });
}
