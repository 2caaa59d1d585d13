// The worker pool that decodes blocks on other cores: the same bytes as the main thread, the vendor LZMA
// detection inside workers, errors carried back as FW_ERR_* codes, and a worker that dies mid-task costing
// nothing but time (its blocks are decoded on the main thread).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Compression } from '../../../service/unpack/squashfs/superblock.js';
import { DecodePool } from '../../../service/unpack/squashfs/decode-pool.js';
import { pseudoRandom } from '../../fixtures/unpack/source-tree.js';

function xzBlock(data: Buffer): Buffer {
  return execFileSync('xz', ['-c', '--check=crc32', '-6'], { input: data });
}

const plain = Buffer.concat([pseudoRandom(40_000, 4), Buffer.from('compressible '.repeat(8000))]);

describe('squashfs decode pool', () => {
  it('decodes xz blocks on workers to the same bytes, and reports damage with a code', async () => {
    const pool = new DecodePool(2);
    const input = new Uint8Array(xzBlock(plain));
    const runs = await Promise.all(Array.from({ length: 6 }, () => pool.run({ compression: Compression.xz, legacy: false, dictSize: 131072, input, max: 262144, exact: plain.length })));
    for (const r of runs) {
      expect(r.data.equals(plain)).toBe(true);
      expect(r.variant).toBe('xz');
    }
    // Decoded by real workers, not by the main-thread fallback.
    expect((pool as unknown as { broken: boolean }).broken).toBe(false);
    const bad = new Uint8Array(input);
    const mid = bad.length >> 1;
    bad[mid] = (bad[mid] ?? 0) ^ 0xff;
    await expect(pool.run({ compression: Compression.xz, legacy: false, dictSize: 131072, input: bad, max: 262144, exact: plain.length })).rejects.toMatchObject({ code: 'FW_ERR_UNPACK_MALFORMED' });
  });

  it('detects the vendor LZMA layout inside a worker (legacy image, no zlib header)', async () => {
    const pool = new DecodePool(2);
    // A 5-byte props+dictionary header and raw LZMA: what `xz --format=raw` writes behind one.
    const raw = execFileSync('xz', ['-c', '--format=raw', '--lzma1=preset=6,lc=3,lp=0,pb=2,dict=1MiB'], { input: plain });
    const header = Buffer.from([0x5d, 0, 0, 0x10, 0]);
    const r = await pool.run({ compression: Compression.zlib, legacy: true, dictSize: 65536, input: new Uint8Array(Buffer.concat([header, raw])), max: 1 << 20, exact: plain.length });
    expect(r.data.equals(plain)).toBe(true);
    expect(r.variant).toBe('lzma-vendor');
  });

  it('finishes the tasks of a worker that dies on the main thread', async () => {
    const pool = new DecodePool(2);
    const input = new Uint8Array(xzBlock(plain));
    const tasks = Array.from({ length: 8 }, () => pool.run({ compression: Compression.xz, legacy: false, dictSize: 131072, input, max: 262144, exact: plain.length }));
    const slots = (pool as unknown as { slots: Array<{ worker: { terminate(): Promise<number> } }> }).slots;
    await slots[0]!.worker.terminate();
    for (const r of await Promise.all(tasks)) expect(r.data.equals(plain)).toBe(true);
    // Later tasks run here too.
    expect((await pool.run({ compression: Compression.xz, legacy: false, dictSize: 131072, input, max: 262144, exact: plain.length })).data.equals(plain)).toBe(true);
  });

  it('stops idle workers and starts new ones for later work', async () => {
    const pool = new DecodePool(2);
    const input = new Uint8Array(xzBlock(plain));
    const task = { compression: Compression.xz, legacy: false, dictSize: 131072, input, max: 262144, exact: plain.length };
    expect((await pool.run(task)).data.equals(plain)).toBe(true);
    (pool as unknown as { stop(): void }).stop();
    expect((pool as unknown as { slots?: unknown[] }).slots).toBeUndefined();
    expect((await pool.run(task)).data.equals(plain)).toBe(true);
    expect((pool as unknown as { slots?: unknown[] }).slots).toHaveLength(2);
  });
});
