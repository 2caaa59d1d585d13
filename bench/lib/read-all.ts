// Child process of bench/unpack.ts: unpack one image and read every byte of every file of every view (what
// an analysis does), then print one JSON line. Run fresh per measurement so its peak RSS is its own.
//   node --import tsx bench/lib/read-all.ts IMAGE | --startup-only
import { unpackImage, DEFAULT_UNPACK_LIMITS } from '../../service/unpack/unpack-image.js';

export interface ReadAllResult {
  ms: number;
  files: number;
  bytes: number;
  errors: number;
  chain: string[];
  /** KiB */
  maxRss: number;
}

async function main(image: string): Promise<ReadAllResult> {
  const t0 = performance.now();
  const r = await unpackImage({ imagePath: image, limits: DEFAULT_UNPACK_LIMITS });
  let files = 0;
  let bytes = 0;
  for (const view of r.filesystems) {
    for (const node of view.walk()) {
      if (node.type !== 'file') continue;
      files++;
      bytes += (await view.read(node.path)).length;
    }
  }
  r.close();
  return {
    ms: performance.now() - t0,
    files,
    bytes,
    errors: r.summary.errors.length,
    chain: r.summary.chain.filter((c) => c.path === undefined).map((c) => c.format),
    maxRss: process.resourceUsage().maxRSS,
  };
}

const image = process.argv[2];
if (image === '--startup-only') {
  // The same module graph loaded, nothing read: what a fresh process costs before any work.
  process.stdout.write(`${JSON.stringify({ ms: 0, files: 0, bytes: 0, errors: 0, chain: [], maxRss: process.resourceUsage().maxRSS })}\n`);
  process.exit(0);
}
if (!image) {
  process.stderr.write('usage: read-all.ts IMAGE\n');
  process.exit(2);
}
main(image).then(
  (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
