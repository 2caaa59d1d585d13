import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256File } from '../../service/analyze/pipeline.js';
import { runAnalysisChild } from '../../service/jobs/child-runner.js';
import type { RunMessage } from '../../service/jobs/ipc.js';
import { DEFAULT_UNPACK_LIMITS } from '../../service/unpack/limits.js';
import { buildRootfsTarGz } from '../fixtures/build-rootfs-tar.js';
import { expectValidReport } from '../helpers/report-schema.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir();
const work = join(dir, 'work');
mkdirSync(work);

async function message(imagePath: string): Promise<RunMessage> {
  return {
    type: 'run',
    job: { id: 'job-1', sha256: await sha256File(imagePath), fileName: 'img', imagePath },
    options: { limits: { ...DEFAULT_UNPACK_LIMITS }, analyzerTimeoutMs: 10_000 },
  };
}

describe('analysis child process', () => {
  it('runs the pipeline in a separate process and returns a valid report with progress', async () => {
    const image = buildRootfsTarGz(dir);
    const stages: string[] = [];
    let childPid = 0;
    const report = await runAnalysisChild({
      message: await message(image),
      cwd: work,
      timeoutMs: 60_000,
      maxHeapMb: 256,
      onProgress: (stage) => stages.push(stage),
      onSpawn: (pid) => (childPid = pid),
    });
    expectValidReport(report);
    expect(childPid).not.toBe(process.pid);
    expect(childPid).toBeGreaterThan(0);
    expect(stages).toContain('done');
  });

  it('kills an analysis past its time limit: FW_ERR_JOB_TIMEOUT', async () => {
    const big = join(dir, 'big.bin');
    writeFileSync(big, randomBytes(32 * 1024 * 1024));
    await expect(
      runAnalysisChild({ message: await message(big), cwd: work, timeoutMs: 200, maxHeapMb: 256, onProgress: () => {} }),
    ).rejects.toMatchObject({ code: 'FW_ERR_JOB_TIMEOUT' });
  });

  it('a child that dies (native crash, kill) is FW_ERR_JOB_CRASHED and the caller lives on', async () => {
    const big = join(dir, 'big2.bin');
    writeFileSync(big, randomBytes(64 * 1024 * 1024));
    let pid = 0;
    const run = runAnalysisChild({
      message: await message(big),
      cwd: work,
      timeoutMs: 60_000,
      maxHeapMb: 256,
      onProgress: () => {
        if (pid) process.kill(pid, 'SIGSEGV');
      },
      onSpawn: (p) => (pid = p),
    });
    await expect(run).rejects.toMatchObject({ code: 'FW_ERR_JOB_CRASHED', message: expect.stringContaining('SIGSEGV') });
  });

  it('an aborted run (daemon shutdown) ends with FW_ERR_JOB_ABANDONED', async () => {
    const image = buildRootfsTarGz(dir, 'again.tar.gz');
    const controller = new AbortController();
    const run = runAnalysisChild({
      message: await message(image),
      cwd: work,
      timeoutMs: 60_000,
      maxHeapMb: 256,
      onProgress: () => {},
      onSpawn: () => setTimeout(() => controller.abort(), 10),
      signal: controller.signal,
    });
    await expect(run).rejects.toMatchObject({ code: 'FW_ERR_JOB_ABANDONED' });
  });
});
