import { execFileSync, spawn, spawnSync } from 'node:child_process';

/** Runs `node <script> <args>` in a fresh process; the script prints one JSON line { ms, rss }. */
export function runChild(script, args, env = {}, nodeArgs = []) {
  const out = execFileSync(process.execPath, [...nodeArgs, script, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = out.trim().split('\n').pop();
  return JSON.parse(line);
}

/** runChild without blocking this process (when it serves the child, e.g. a loopback registry). */
export function runChildAsync(script, args, env = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [script, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) reject(new Error(`${script} exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()));
    });
  });
}

/** Wall time of a whole command, in milliseconds. */
export function timeCommand(cmd, args, options = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: 'ignore', ...options });
  const ms = performance.now() - t0;
  return { ms, status: r.status };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/** Interleaves the measured variants run by run, so background load hits them alike. */
export function measure(variants, runs) {
  const results = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, fn] of Object.entries(variants)) results[name].push(fn());
  }
  return results;
}

export const fmt = (ms) => `${ms.toFixed(0)} ms`;
export const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/**
 * CPU time (user + system) this process has used, in milliseconds. On a shared machine wall time
 * also counts the time other jobs held the cores; CPU time does not (children it spawns are not in it).
 */
export function cpuMs() {
  const { userCPUTime, systemCPUTime } = process.resourceUsage();
  return (userCPUTime + systemCPUTime) / 1000;
}

/** Microseconds on the monotonic clock that V8's CPU profiles stamp their samples with. */
export const hrUs = () => Number(process.hrtime.bigint() / 1000n);
