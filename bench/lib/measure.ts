// Wall time and peak RSS of a command, measured the same way for us and for the peers: python3's
// getrusage(RUSAGE_CHILDREN) after the command exits (Node exposes only its own rusage).
import { spawnSync } from 'node:child_process';

export interface Measurement {
  wallMs: number;
  /** KiB, the largest RSS of the command's process tree member that peaked highest. */
  maxRssKiB: number;
  /** User + system CPU time of the command and its children: steadier than wall time on a loaded machine. */
  cpuMs: number;
  code: number;
  stdout: string;
  stderr: string;
}

const WRAPPER = `
import resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
wall = (time.perf_counter() - t) * 1000
sys.stdout.buffer.write(p.stdout)
sys.stderr.buffer.write(p.stderr)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write("\\n@@measure %d %.3f %d %.3f\\n" % (p.returncode, wall, ru.ru_maxrss, (ru.ru_utime + ru.ru_stime) * 1000))
`;

export function measure(cmd: string, args: readonly string[], opts: { cwd?: string } = {}): Measurement {
  const r = spawnSync('python3', ['-c', WRAPPER, cmd, ...args], { ...opts, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.error) throw r.error;
  const m = /@@measure (-?\d+) ([\d.]+) (\d+) ([\d.]+)\s*$/.exec(r.stderr);
  if (!m) throw new Error(`measure ${cmd}: no result (${r.stderr.slice(-500)})`);
  return { code: Number(m[1]), wallMs: Number(m[2]), maxRssKiB: Number(m[3]), cpuMs: Number(m[4]), stdout: r.stdout, stderr: r.stderr.slice(0, m.index) };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
