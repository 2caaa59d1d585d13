import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../service/config/load-config.js';
import { FirmwardenError } from '../../service/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir();
const noSystem = join(dir, 'absent.yaml');

function configError(fn: () => unknown): FirmwardenError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FirmwardenError);
    return err as FirmwardenError;
  }
  throw new Error('expected a configuration error');
}

describe('configuration', () => {
  it('embedded defaults run from a checkout: data in ./var, API on loopback', () => {
    const { config, sources } = loadConfig({ env: {}, systemConfigFile: noSystem });
    expect(config.dataDir).toBe('./var');
    expect(config.api.host).toBe('127.0.0.1');
    expect(config.collect.watchFolders[0]?.path).toBe('inbox');
    expect(sources).toHaveLength(1);
  });

  it('layers: defaults < file < environment < command line', () => {
    const file = join(dir, 'layer.yaml');
    writeFileSync(file, 'api:\n  port: 9001\njobs:\n  concurrency: 2\ndataDir: /from/file\n');
    const { config } = loadConfig({
      configFile: file,
      env: { FIRMWARDEN_JOBS__CONCURRENCY: '3', FIRMWARDEN_DATA_DIR: '/from/env' },
      overrides: { dataDir: '/from/flag' },
    });
    expect(config.api.port).toBe(9001);
    expect(config.jobs.concurrency).toBe(3);
    expect(config.dataDir).toBe('/from/flag');
    expect(config.api.host).toBe('127.0.0.1');
  });

  it('the system file is read when present and no --config is given', () => {
    const file = join(dir, 'system.yaml');
    writeFileSync(file, 'log:\n  level: debug\n');
    expect(loadConfig({ env: {}, systemConfigFile: file }).config.log.level).toBe('debug');
  });

  it('a bad value names the key, the file and what was expected', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'api:\n  port: "eighty"\n');
    const err = configError(() => loadConfig({ configFile: file, env: {} }));
    expect(err.code).toBe('FW_ERR_CONFIG_INVALID');
    expect(err.message).toContain('api.port');
    expect(err.message).toContain(file);
    expect(err.message).toContain('must be integer');
  });

  it('an out-of-range value and a bad enum are both reported', () => {
    const file = join(dir, 'range.yaml');
    writeFileSync(file, 'jobs:\n  concurrency: 0\nlog:\n  format: xml\n');
    const err = configError(() => loadConfig({ configFile: file, env: {} }));
    expect(err.message).toContain('jobs.concurrency');
    expect(err.message).toContain('log.format');
    expect(err.message).toMatch(/must be one of "json", "pretty", "auto"/);
  });

  it('an unknown key is reported with its file', () => {
    const file = join(dir, 'unknown.yaml');
    writeFileSync(file, 'api:\n  prot: 80\n');
    const err = configError(() => loadConfig({ configFile: file, env: {} }));
    expect(err.code).toBe('FW_ERR_CONFIG_UNKNOWN_KEY');
    expect(err.message).toContain('api.prot: unknown key');
    expect(err.message).toContain(file);
  });

  it('a bad environment variable is named as such', () => {
    const err = configError(() =>
      loadConfig({ env: { FIRMWARDEN_JOBS__TIMEOUT_SECONDS: 'soon' }, systemConfigFile: noSystem }),
    );
    expect(err.message).toContain('jobs.timeoutSeconds');
    expect(err.message).toContain('environment variable FIRMWARDEN_JOBS__TIMEOUT_SECONDS');
  });

  it('an unknown environment variable is reported', () => {
    const err = configError(() => loadConfig({ env: { FIRMWARDEN_API__PROTT: '1' }, systemConfigFile: noSystem }));
    expect(err.message).toContain('api.prott: unknown key');
  });

  it('invalid YAML and a missing --config file name the file', () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'api: [unclosed\n');
    expect(configError(() => loadConfig({ configFile: file, env: {} })).message).toContain(file);
    const missing = join(dir, 'nope.yaml');
    const err = configError(() => loadConfig({ configFile: missing, env: {} }));
    expect(err.code).toBe('FW_ERR_CONFIG_UNREADABLE');
    expect(err.message).toContain(missing);
  });

  it('watch folders can be given as JSON in the environment', () => {
    const { config } = loadConfig({
      env: { FIRMWARDEN_COLLECT__WATCH_FOLDERS: '[{"path":"/srv/drop","tag":"vendor","afterProcessing":"keep"}]' },
      systemConfigFile: noSystem,
    });
    expect(config.collect.watchFolders).toEqual([{ path: '/srv/drop', tag: 'vendor', afterProcessing: 'keep' }]);
  });

  it('every key of default.yaml is documented by a comment', async () => {
    const { readFileSync } = await import('node:fs');
    const { DEFAULTS_FILE } = await import('../../service/config/load-config.js');
    const lines = readFileSync(DEFAULTS_FILE, 'utf8').split('\n');
    const undocumented: string[] = [];
    lines.forEach((line, i) => {
      const m = /^(\s*)([a-zA-Z]+):\s*\S/.exec(line);
      if (!m) return;
      const prev = lines[i - 1] ?? '';
      if (!/^\s*#/.test(prev) && !/^\s*- /.test(line)) undocumented.push(m[2]!);
    });
    expect(undocumented).toEqual([]);
  });
});
