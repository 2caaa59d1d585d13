import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../service/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = tempDir();

describe('data directory store', () => {
  it('stores blobs by sha256 and deduplicates identical bytes', async () => {
    const store = await openStore(join(root, 'a'));
    const bytes = randomBytes(100_000);
    const a = await store.blobs.putBuffer(bytes);
    const b = await store.blobs.putBuffer(bytes);
    expect(a.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(readFileSync(store.blobs.pathOf(a.sha256)).equals(bytes)).toBe(true);
    expect(readdirSync(store.layout.tmp)).toEqual([]);
    store.close();
  });

  it('refuses a blob over the size limit and leaves no temp file', async () => {
    const store = await openStore(join(root, 'b'));
    const src = join(root, 'big.bin');
    writeFileSync(src, randomBytes(4096));
    await expect(store.blobs.putFile(src, { maxBytes: 1000 })).rejects.toMatchObject({ code: 'FW_ERR_INPUT_TOO_LARGE' });
    expect(readdirSync(store.layout.tmp)).toEqual([]);
    store.close();
  });

  it('keeps both provenances of the same image and one firmware record', async () => {
    const store = await openStore(join(root, 'c'));
    const sha = 'a'.repeat(64);
    const p = (source: string) => ({
      source,
      tag: null,
      originalPath: null,
      receivedAt: new Date().toISOString(),
      claimedSha256: null,
      deviceId: null,
    });
    expect(store.firmware.recordArrival({ sha256: sha, size: 10, fileName: 'x.bin', provenance: p('upload') }).isNew).toBe(true);
    expect(store.firmware.recordArrival({ sha256: sha, size: 10, fileName: 'y.bin', provenance: p('watch:inbox') }).isNew).toBe(
      false,
    );
    const rec = store.firmware.get(sha)!;
    expect(rec.provenance.map((x) => x.source)).toEqual(['upload', 'watch:inbox']);
    expect(store.firmware.list({ limit: 10, offset: 0 }).total).toBe(1);
    store.close();
  });

  it('persists the job queue: running jobs are requeued on reopen, then abandoned after maxAttempts', async () => {
    const dir = join(root, 'd');
    let store = await openStore(dir);
    const sha = 'b'.repeat(64);
    store.firmware.recordArrival({
      sha256: sha,
      size: 1,
      fileName: 'f',
      provenance: { source: 't', tag: null, originalPath: null, receivedAt: new Date().toISOString(), claimedSha256: null, deviceId: null },
    });
    const job = store.jobs.enqueue(sha, 'f');
    expect(store.jobs.claimNext()?.id).toBe(job.id);
    expect(store.jobs.claimNext()).toBeUndefined();
    store.close(); // as if the process died here

    store = await openStore(dir);
    expect(store.jobs.get(job.id)?.status).toBe('running');
    const first = store.jobs.requeueInterrupted(2);
    expect(first.requeued.map((j) => j.id)).toEqual([job.id]);
    expect(store.jobs.claimNext()?.attempts).toBe(2);
    const second = store.jobs.requeueInterrupted(2);
    expect(second.abandoned.map((j) => j.id)).toEqual([job.id]);
    expect(store.jobs.get(job.id)).toMatchObject({ status: 'failed', errorCode: 'FW_ERR_JOB_ABANDONED' });
    store.close();
  });

  it('applies migrations once and opens an existing database again', async () => {
    const dir = join(root, 'e');
    const s1 = await openStore(dir);
    const v1 = s1.db.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number };
    s1.close();
    const s2 = await openStore(dir);
    const v2 = s2.db.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number };
    expect(v2.n).toBe(v1.n);
    expect(s2.db.pragma('journal_mode', { simple: true })).toBe('wal');
    s2.close();
  });

  it('sets aside a corrupt state file instead of overwriting it', async () => {
    const dir = join(root, 'f');
    const s1 = await openStore(dir);
    s1.state.data.settings.siteName = 'Plant 4';
    await s1.state.write();
    s1.close();
    writeFileSync(s1.layout.stateFile, '{"settings": {"siteName": "Pla');
    const s2 = await openStore(dir);
    expect(s2.state.data.settings).toEqual({});
    expect(readdirSync(s2.layout.db).some((n) => n.startsWith('state.json.corrupt-'))).toBe(true);
    s2.close();
  });
});
