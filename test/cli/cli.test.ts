import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { version } from '../../service/paths.js';
import { runCli } from '../helpers/cli.js';
import { expectValidReport } from '../helpers/report-schema.js';
import { tempDir } from '../helpers/temp-dir.js';
import { buildRootfsTarGz } from '../fixtures/build-rootfs-tar.js';

const dir = tempDir();
const image = buildRootfsTarGz(dir);
const env = { FIRMWARDEN_DATA_DIR: join(dir, 'var') };

describe('firmwarden command line', () => {
  it('prints its version and help', () => {
    expect(runCli(['--version']).stdout.trim()).toBe(version);
    const help = runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/analyze <image>/);
    for (const cmd of ['analyze', 'serve', 'doctor']) {
      const r = runCli([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout, cmd).toContain(`Usage: firmwarden ${cmd}`);
    }
  });

  it('analyze prints a schema-valid JSON report', () => {
    const r = runCli(['analyze', image], { env });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expectValidReport(report);
    expect(report.firmware.fileName).toBe('rootfs.tar.gz');
    expect(report.firmware.size).toBe(readFileSync(image).length);
  });

  it('analyze --out writes the file and --format table is a readable summary', () => {
    const out = join(dir, 'report.json');
    expect(runCli(['analyze', image, '--out', out], { env }).code).toBe(0);
    expectValidReport(JSON.parse(readFileSync(out, 'utf8')));
    const table = runCli(['analyze', image, '--format', 'table'], { env });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('SHA-256');
    expect(table.stdout).toContain('rootfs.tar.gz');
  });

  it('analyze --format cyclonedx and spdx produce SBOM documents', () => {
    const cdx = JSON.parse(runCli(['analyze', image, '--format', 'cyclonedx'], { env }).stdout);
    expect(cdx).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
    const spdx = JSON.parse(runCli(['analyze', image, '--format', 'spdx'], { env }).stdout);
    expect(spdx).toMatchObject({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT' });
  });

  it('analyze --extract writes each filesystem under DIR/<id>/ faithfully', async () => {
    const { readdirSync, readlinkSync, lstatSync } = await import('node:fs');
    const out = join(dir, 'extracted');
    const r = runCli(['analyze', image, '--extract', out, '--format', 'table'], { env });
    expect(r.code, r.stderr).toBe(0);
    const ids = readdirSync(out);
    expect(ids.length).toBeGreaterThan(0);
    const root = join(out, ids.find((id) => readdirSync(join(out, id)).includes('etc'))!);
    expect(readFileSync(join(root, 'etc', 'passwd'), 'utf8')).toBe('root:x:0:0:root:/root:/bin/sh\n');
    expect(lstatSync(join(root, 'bin', 'sh')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(root, 'bin', 'sh'))).toBe('busybox');
    expect(lstatSync(join(root, 'bin', 'busybox')).mode & 0o777).toBe(0o755);
  });

  it('unreadable input ends with a clear message and exit code 4', () => {
    const missing = runCli(['analyze', join(dir, 'nope.bin')], { env });
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/nope\.bin: no such file/);
    const sub = join(dir, 'a-directory');
    mkdirSync(sub);
    const isDir = runCli(['analyze', sub], { env });
    expect(isDir.code).toBe(4);
    expect(isDir.stderr).toContain('is a directory');
    expect(isDir.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('empty and random inputs still give valid reports that say what happened', () => {
    const empty = join(dir, 'empty.bin');
    writeFileSync(empty, '');
    const r1 = runCli(['analyze', empty], { env });
    expect(r1.code).toBe(0);
    const rep1 = JSON.parse(r1.stdout);
    expectValidReport(rep1);
    expect(rep1.extraction.errors[0].code).toBe('FW_ERR_INPUT_EMPTY');
    const random = join(dir, 'random.bin');
    writeFileSync(random, randomBytes(200_000));
    const r2 = runCli(['analyze', random], { env });
    expect(r2.code).toBe(0);
    expectValidReport(JSON.parse(r2.stdout));
  });

  it('usage errors exit 2; configuration errors exit 3 naming key and file', () => {
    expect(runCli(['analyze']).code).toBe(2);
    expect(runCli(['frobnicate']).code).toBe(2);
    const badFormat = runCli(['analyze', image, '--format', 'xml'], { env });
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain('--format must be one of');
    const cfg = join(dir, 'bad.yaml');
    writeFileSync(cfg, 'jobs:\n  concurrency: many\n');
    const bad = runCli(['analyze', image, '--config', cfg], { env });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('jobs.concurrency');
    expect(bad.stderr).toContain(cfg);
    const envBad = runCli(['serve'], { env: { ...env, FIRMWARDEN_API__PORT: '70000' } });
    expect(envBad.code).toBe(3);
    expect(envBad.stderr).toContain('FIRMWARDEN_API__PORT');
  });

  it('doctor checks configuration and data directory', () => {
    const r = runCli(['doctor'], { env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('ok    data directory');
    expect(r.stdout).toContain('ok    database');
  });
});
