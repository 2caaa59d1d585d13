// Mutation fuzzing of one codec, run as a child process by hostile.test.ts so that a hang (a synchronous
// loop that never ends) fails the test through the parent's timeout instead of freezing the test runner.
// Usage: node --import tsx fuzz-runner.ts <codec> <count> <seed>. Prints one JSON line; exit 1 on a crash.
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { FirmwardenError } from '../../../service/errors.js';
import { CODECS } from './codec-table.js';

const [name = '', countArg = '2000', seedArg = '1'] = process.argv.slice(2);
const codec = CODECS.find((c) => c.name === name);
if (!codec) {
  console.error(`unknown codec ${name}`);
  process.exit(2);
}

let state = Number(seedArg) >>> 0 || 1;
function rand(n: number): number {
  state ^= state << 13;
  state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state % n;
}

/** A few byte-level damages: flipped bits, replaced bytes, a cut, a deleted or inserted run. */
function mutate(base: Buffer): Buffer {
  let b = Buffer.from(base);
  const edits = 1 + rand(4);
  for (let e = 0; e < edits; e++) {
    // Half of the edits hit the first 64 bytes, where the headers are.
    const at = rand(2) === 0 ? rand(Math.min(64, b.length)) : rand(b.length);
    switch (rand(6)) {
      case 0:
      case 1:
        b[at] = (b[at] as number) ^ (1 << rand(8));
        break;
      case 2:
        b[at] = rand(256);
        break;
      case 3:
        b = b.subarray(0, at);
        break;
      case 4:
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + rand(16)))]);
        break;
      default:
        b = Buffer.concat([b.subarray(0, at), Buffer.from([rand(256), rand(256), 0, 0xff]).subarray(0, 1 + rand(4)), b.subarray(at)]);
    }
    if (b.length === 0) break;
  }
  return b;
}

const MAX_OUTPUT = 4 << 20;
const base = codec.sample();
const stats = { codec: name, runs: 0, results: 0, truncated: 0, limited: 0, errors: {} as Record<string, number>, measured: 0, slowestMs: 0 };
for (let i = 0; i < Number(countArg); i++) {
  const input = mutate(base);
  const t = performance.now();
  try {
    const r = codec.decode(input, { maxOutput: MAX_OUTPUT });
    if (r.data.length > MAX_OUTPUT) throw new Error(`output ${r.data.length} past maxOutput`);
    if (r.consumed < 0 || r.consumed > input.length) throw new Error(`consumed ${r.consumed} outside the input`);
    stats.results++;
    if (r.truncated) stats.truncated++;
    if (r.limited) stats.limited++;
  } catch (err) {
    if (!(err instanceof FirmwardenError)) {
      console.log(JSON.stringify({ crash: String(err), stack: (err as Error).stack, input: input.toString('base64') }));
      process.exit(1);
    }
    stats.errors[err.code] = (stats.errors[err.code] ?? 0) + 1;
  }
  // Walkers (identify) must never throw: a chunk or null.
  try {
    const m = codec.measure(new BufferSource(input), 0);
    if (m && (m.end < 0 || m.end > input.length)) throw new Error(`measured end ${m.end} outside the input`);
    if (m) stats.measured++;
  } catch (err) {
    console.log(JSON.stringify({ crash: `measure: ${String(err)}`, stack: (err as Error).stack, input: input.toString('base64') }));
    process.exit(1);
  }
  stats.slowestMs = Math.max(stats.slowestMs, Math.round(performance.now() - t));
  stats.runs++;
}
console.log(JSON.stringify(stats));
