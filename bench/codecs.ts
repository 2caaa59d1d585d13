// Decoding speed of our codecs against the command-line tools, on the same 20 MiB of firmware-like content
// (text, ELF code, zeros, noise). Prints MB/s and the ratio ours/tool; it asserts nothing (machines differ).
// Speeds are from CPU time (ours: this process; the tool: the shell's children), so a busy shared machine
// skews the ratio less than wall-clock time would. Our output is streamed (as the unpack handlers use the
// codecs) and checked by CRC32, the tool's goes to /dev/null.
// Run: node --import tsx bench/codecs.ts [MiB]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { DecodeOptions, DecodeResult } from '../service/unpack/codecs/codec.js';
import { decodeBzip2 } from '../service/unpack/codecs/bzip2.js';
import { decodeLz4 } from '../service/unpack/codecs/lz4.js';
import { decodeLzmaAlone } from '../service/unpack/codecs/lzma.js';
import { decodeLzop } from '../service/unpack/codecs/lzo.js';
import { decodeXz } from '../service/unpack/codecs/xz.js';
import { decodeZstd } from '../service/unpack/codecs/zstd.js';
import { mixed } from '../test/unpack/codecs/samples.js';

interface Case {
  name: string;
  compress: string[];
  /** The tool's own decoder, reading `file` and writing to /dev/null. */
  tool: (file: string) => string;
  decode: (input: Buffer, opts: DecodeOptions) => DecodeResult;
}

const CASES: Case[] = [
  { name: 'xz -6', compress: ['xz', '-c', '-6', '-T1'], tool: (f) => `xz -dc "${f}"`, decode: decodeXz },
  { name: 'lzma -6', compress: ['xz', '--format=lzma', '-c', '-6'], tool: (f) => `xz -dc "${f}"`, decode: decodeLzmaAlone },
  { name: 'bzip2 -9', compress: ['bzip2', '-c', '-9'], tool: (f) => `bzip2 -dc "${f}"`, decode: decodeBzip2 },
  { name: 'lz4 -1', compress: ['lz4', '-q', '-c', '-1'], tool: (f) => `lz4 -q -dc "${f}"`, decode: decodeLz4 },
  { name: 'zstd -3', compress: ['zstd', '-q', '-c', '-3'], tool: (f) => `zstd -q -dc "${f}"`, decode: decodeZstd },
  { name: 'lzop -3', compress: ['lzop', '-c', '-3'], tool: (f) => `lzop -dc "${f}"`, decode: decodeLzop },
];

const mib = Number(process.argv[2] ?? 20);
const data = mixed(mib << 20);
const expectedCrc = zlib.crc32(data);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-bench-'));
/** Best CPU seconds of `runs` calls. */
const seconds = (fn: () => void, runs = 3): number => {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const t = process.cpuUsage();
    fn();
    const d = process.cpuUsage(t);
    best = Math.min(best, (d.user + d.system) / 1e6);
  }
  return best;
};

/** Best CPU seconds of a shell command, from bash's `times` (user and system time of its children). */
const toolSeconds = (command: string, runs = 3): number => {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const out = execFileSync('bash', ['-c', `${command} > /dev/null; times`]).toString().trim().split('\n');
    const [user = 0, sys = 0] = (out[out.length - 1] ?? '').split(/\s+/).map((t) => {
      const m = /(\d+)m([\d.]+)s/.exec(t);
      return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
    });
    best = Math.min(best, user + sys);
  }
  return best;
};
const mbps = (s: number): string => (data.length / 1e6 / s).toFixed(1).padStart(7);

console.log(`${mib} MiB of mixed content, best of 3 runs, MB/s of output per CPU second (load average ${os.loadavg()[0]?.toFixed(1)})`);
console.log(`${'codec'.padEnd(10)} ${'ours'.padStart(7)} ${'tool'.padStart(7)}  ours/tool`);
try {
  for (const c of CASES) {
    const [cmd, ...args] = c.compress as [string, ...string[]];
    const compressed = execFileSync(cmd, args, { input: data, maxBuffer: 1 << 30 });
    const file = path.join(dir, c.name.replace(/\W+/g, '_'));
    fs.writeFileSync(file, compressed);
    let ok = true;
    const ours = seconds(() => {
      let crc = 0;
      let size = 0;
      c.decode(compressed, { maxOutput: 1 << 30, onOutput: (p) => ((crc = zlib.crc32(p, crc)), (size += p.length), true) });
      ok = crc === expectedCrc && size === data.length;
    });
    const tool = toolSeconds(c.tool(file));
    console.log(`${c.name.padEnd(10)} ${mbps(ours)} ${mbps(tool)}  ${(tool / ours).toFixed(2).padStart(9)}${ok ? '' : '  OUTPUT DIFFERS'}`);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
