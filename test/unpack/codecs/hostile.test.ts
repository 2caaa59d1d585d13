// Hostile input for every codec: cut streams, thousands of random mutations, never anything but a result or
// a FirmwardenError, never a hang. Fuzzing runs in child processes (fuzz-runner.ts) so that a synchronous
// endless loop would fail here through the timeout rather than freeze the test runner.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { FirmwardenError } from '../../../service/errors.js';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { CODECS, plain } from './codec-table.js';
import { requireTool, settle } from './samples.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const MUTATIONS = 2000;
/** Far above what 2000 small decodes take; only an endless loop gets near it. */
const FUZZ_TIMEOUT_MS = 240_000;

function fuzz(codec: string, seed: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fuzz-runner.ts'), codec, String(MUTATIONS), String(seed)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), FUZZ_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('hostile input', () => {
  beforeAll(() => {
    for (const t of ['xz', 'bzip2', 'zstd', 'lzop', 'lz4']) requireTool(t);
  });

  for (const codec of CODECS) {
    it(`${codec.name}: a stream cut anywhere gives a prefix of the data marked truncated, or a typed error`, () => {
      const data = plain();
      const full = codec.sample();
      // A legacy LZ4 stream has no end mark: cut between blocks, it is a shorter complete stream.
      const endless = codec.name === 'lz4-legacy';
      const cuts = new Set([0, 1, 2, 4, 5, 6, 12, 13, 14, 20, 40, full.length >> 3, full.length >> 1, full.length - 40, full.length - 13, full.length - 5, full.length - 1]);
      for (const cut of [...cuts].filter((c) => c >= 0 && c < full.length)) {
        const input = full.subarray(0, cut);
        const r = settle(() => codec.decode(input, { maxOutput: 1 << 26 }));
        if (r instanceof FirmwardenError) {
          expect(['FW_ERR_UNPACK_TRUNCATED', 'FW_ERR_UNPACK_MALFORMED'], `${codec.name} cut at ${cut}`).toContain(r.code);
        } else {
          if (!endless) expect(r.truncated, `${codec.name} cut at ${cut} of ${full.length}`).toBe(true);
          expect(data.subarray(0, r.data.length).equals(r.data), `${codec.name} cut at ${cut}: output is a prefix`).toBe(true);
        }
        const m = codec.measure(new BufferSource(input), 0);
        if (m && !endless) expect(m.truncated, `${codec.name} measured cut at ${cut}`).toBe(true);
      }
    });
  }

  // Two codecs at a time: the CI box has two cores.
  for (let i = 0; i < CODECS.length; i += 2) {
    const pair = CODECS.slice(i, i + 2);
    it(
      `${pair.map((c) => c.name).join(' and ')}: ${MUTATIONS} random mutations each end in a result or a FirmwardenError`,
      async () => {
        const runs = await Promise.all(pair.map((c, k) => fuzz(c.name, 1000 + i + k)));
        for (const [k, r] of runs.entries()) {
          const name = pair[k]?.name;
          expect(r.code, `${name}: ${r.out.slice(0, 2000)}`).toBe(0);
          const stats = JSON.parse(r.out.trim().split('\n').pop() ?? '{}') as { runs: number; slowestMs: number };
          expect(stats.runs, name).toBe(MUTATIONS);
        }
      },
      FUZZ_TIMEOUT_MS + 10_000,
    );
  }
});
