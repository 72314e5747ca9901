// What the kernel says about the processes under test: CPU time, resident
// memory, threads and open files, summed over a list of PIDs (nginx is a
// master and its workers).
import { readdirSync, readFileSync } from 'node:fs';

// Linux reports CPU time in clock ticks of 1/100 s (USER_HZ) on every
// architecture the daemon targets.
const kTicksPerSecond = 100;

function readOr(path, fallback) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

// User + system CPU seconds of the whole process (all its threads).
export function cpuSeconds(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readOr(`/proc/${pid}/stat`, '');
    // The command name (field 2) may hold spaces; count fields after its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0); // utime, stime
  }
  return ticks / kTicksPerSecond;
}

function statusField(pid, name) {
  const m = readOr(`/proc/${pid}/status`, '').match(new RegExp(`^${name}:\\s+(\\d+)`, 'm'));
  return m ? Number(m[1]) : 0;
}

export function rssMiB(pids) {
  return pids.reduce((sum, pid) => sum + statusField(pid, 'VmRSS'), 0) / 1024;
}

export function threads(pids) {
  return pids.reduce((sum, pid) => sum + statusField(pid, 'Threads'), 0);
}

export function openFiles(pids) {
  let n = 0;
  for (const pid of pids) {
    try {
      n += readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      // gone
    }
  }
  return n;
}

// The process and its direct children (nginx's workers).
export function withChildren(pid) {
  const children = readOr(`/proc/${pid}/task/${pid}/children`, '').trim();
  return [pid, ...(children ? children.split(/\s+/).map(Number) : [])];
}

export function alive(pid) {
  return readOr(`/proc/${pid}/stat`, '') !== '';
}
