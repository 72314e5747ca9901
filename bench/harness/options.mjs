// bench/run's options, and the smaller defaults of --smoke (the ctest run
// that keeps the harness working).
import path from 'node:path';

const usage = `usage: bench/run [--smoke] [--out FILE.md] [--build-dir DIR] [--seconds S] [--rounds N] [--warmup S]
                 [--connections 1,32,128] [--ttfb-requests N] [--streams N] [--h2-streams N] [--stream-tokens N]
                 [--token-delay-ms MS] [--ramp-per-s N] [--phases load,ttfb,streams]
                 [--targets direct,nginx,portkey,helix-openai,helix-openai-h2,helix-bedrock] [--keep-work]`;

// The HTTP/2 row's streams: as many as one process's 20,000 open files hold.
// Each client stream is a socket in helixagentd; upstream, 100 streams share
// one connection (the simulator's SETTINGS_MAX_CONCURRENT_STREAMS, a
// connection or so more per event loop); about 20 descriptors are the
// daemon's own and 8 more it keeps free (the acceptor leaves connections in
// the listen queue rather than take those). The load phase's idle HTTP/1.1
// upstream connections do not count: an HTTP/2 call closes those idle
// beyond upstream.idle_timeout (30 s), as the phases before take longer.
// N + N/100 + 28 <= 20,000 gives N <= 19,774: 19,700 leaves a few dozen for
// what else a run may hold open (a kept-alive connection of the ttfb phase).
// (The client, bench/harness/streams.mjs, is its own process.)
export const h2StreamsForFileLimit = 19700;
// The daemon's own descriptors and those it keeps free (see above).
export const h2DaemonDescriptors = 28;

export function parseOptions(argv, { repo }) {
  const smoke = argv.includes('--smoke');
  const today = new Date().toISOString().slice(0, 10);
  const o = {
    smoke,
    out: path.join(repo, 'bench/results', `${today}.md`),
    buildDir: path.join(repo, 'build'),
    seconds: smoke ? 1 : 10,
    rounds: smoke ? 1 : 3,
    warmupSeconds: smoke ? 0 : 2,
    connections: smoke ? [1, 8] : [1, 32, 128],
    ttfbRequests: smoke ? 10 : 300,
    ttfbWarmup: smoke ? 2 : 30,
    streams: smoke ? 50 : 10000,
    h2Streams: smoke ? 50 : h2StreamsForFileLimit,
    streamTokens: smoke ? 3 : 30,
    tokenDelayMs: smoke ? 100 : 1000,
    rampPerS: smoke ? 1000 : 1000,
    keepWork: false,
    phases: ['load', 'ttfb', 'streams'],
    targets: null,
  };
  const number = (name, value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name}: expected a number, got '${value}'\n${usage}`);
    return n;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value\n${usage}`);
      return argv[++i];
    };
    switch (a) {
      case '--smoke': break;
      case '--keep-work': o.keepWork = true; break;
      case '--out': o.out = path.resolve(value()); break;
      case '--build-dir': o.buildDir = path.resolve(repo, value()); break;
      case '--seconds': o.seconds = number(a, value()); break;
      case '--rounds': o.rounds = Math.max(1, number(a, value())); break;
      case '--warmup': o.warmupSeconds = number(a, value()); break;
      case '--connections': o.connections = value().split(',').map((c) => number(a, c)); break;
      case '--ttfb-requests': o.ttfbRequests = number(a, value()); break;
      case '--streams': o.streams = number(a, value()); break;
      case '--h2-streams': o.h2Streams = number(a, value()); break;
      case '--stream-tokens': o.streamTokens = number(a, value()); break;
      case '--token-delay-ms': o.tokenDelayMs = number(a, value()); break;
      case '--ramp-per-s': o.rampPerS = number(a, value()); break;
      case '--phases': o.phases = value().split(','); break;
      case '--targets': o.targets = value().split(','); break;
      default: throw new Error(`unknown option ${a}\n${usage}`);
    }
  }
  // The streams must outlast the ramp, else they are never all open at once.
  const streamSeconds = (o.streamTokens * o.tokenDelayMs) / 1000;
  o.maxSeconds = Math.ceil(o.streams / o.rampPerS + streamSeconds * 2 + 30);
  o.recorded = {
    smoke: o.smoke,
    seconds: o.seconds,
    rounds: o.rounds,
    warmup_seconds: o.warmupSeconds,
    connections: o.connections,
    ttfb_requests: o.ttfbRequests,
    streams: o.streams,
    h2_streams: o.h2Streams,
    stream_tokens: o.streamTokens,
    token_delay_ms: o.tokenDelayMs,
    ramp_per_s: o.rampPerS,
    phases: o.phases,
  };
  return o;
}
