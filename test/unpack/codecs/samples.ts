// Inputs for the codec tests and the way to compress them: the real command-line tools, run at test time
// (Debian packages xz-utils, bzip2, zstd, lzop, lz4, lzma-alone), never checked-in blobs.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { FirmwardenError } from '../../../service/errors.js';

/** Which Debian package provides each tool the tests run. */
export const TOOL_PACKAGES: Record<string, string> = {
  xz: 'xz-utils',
  bzip2: 'bzip2',
  zstd: 'zstd',
  lzop: 'lzop',
  lz4: 'lz4',
  lzma_alone: 'lzma-alone',
};

/** Fails with the package to install when a tool is missing (a skipped codec test would prove nothing). */
export function requireTool(tool: string): void {
  const r = spawnSync('sh', ['-c', `command -v ${tool}`]);
  if (r.status !== 0) throw new Error(`${tool} is not installed: apt-get install ${TOOL_PACKAGES[tool] ?? tool}`);
}

/** Runs a compressor with `input` on stdin and returns its stdout. */
export function compress(tool: string, args: string[], input: Buffer): Buffer {
  return execFileSync(tool, args, { input, maxBuffer: 1 << 30 });
}

/** Deterministic bytes that do not compress (xorshift32). */
export function noise(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export function text(size: number): Buffer {
  const lines: string[] = [];
  let n = 0;
  for (let i = 0; n < size; i++) {
    const line = `${i}: sensor ${i % 97} reads ${(i * 7919) % 1000} units; status ${i % 13 ? 'OK' : 'WARN'} at plant floor ${i % 5}\n`;
    lines.push(line);
    n += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, size);
}

/** A real ELF executable of this machine. */
export function elf(): Buffer {
  return fs.readFileSync(fs.existsSync('/bin/ls') ? '/bin/ls' : process.execPath);
}

/** Text, an ELF, zeros, noise and a short repeating pattern, interleaved: what firmware looks like. */
export function mixed(size: number): Buffer {
  const parts: Buffer[] = [];
  let n = 0;
  const e = elf();
  for (let i = 0; n < size; i++) {
    const p = [text(40_000 + i * 1000), e.subarray(0, 200_000), Buffer.alloc(30_000 + i * 10), noise(50_000, i + 7), Buffer.from('\x7fELF\x01\x02'.repeat(5000), 'latin1')][i % 5] as Buffer;
    parts.push(p);
    n += p.length;
  }
  return Buffer.concat(parts).subarray(0, size);
}

export interface Sample {
  name: string;
  data: Buffer;
}

/** The usual set: text, noise, zeros, an ELF, empty, one byte and 5 MiB of mixed content. */
export function samples(): Sample[] {
  return [
    { name: 'empty', data: Buffer.alloc(0) },
    { name: 'one byte', data: Buffer.from('x') },
    { name: 'text', data: text(300_000) },
    { name: 'noise', data: noise(200_000) },
    { name: 'zeros', data: Buffer.alloc(1_000_000) },
    { name: 'elf', data: elf() },
    { name: 'mixed 5 MiB', data: mixed(5 << 20) },
  ];
}

/** Runs `fn`, which must return normally or throw a FirmwardenError; returns the result or the error. */
export function settle<T>(fn: () => T): T | FirmwardenError {
  try {
    return fn();
  } catch (err) {
    if (err instanceof FirmwardenError) return err;
    throw err;
  }
}
