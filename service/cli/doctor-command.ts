import { accessSync, constants } from 'node:fs';
import { loadConfig } from '../config/load-config.js';
import { errorMessage } from '../errors.js';
import { version } from '../paths.js';
import { openStore } from '../store/store.js';

export async function doctorCommand(args: { config?: string | undefined; dataDir?: string | undefined }): Promise<boolean> {
  const lines: string[] = [];
  let ok = true;
  const check = (name: string, fn: () => string) => {
    try {
      lines.push(`ok    ${name}: ${fn()}`);
    } catch (err) {
      ok = false;
      lines.push(`FAIL  ${name}: ${errorMessage(err)}`);
    }
  };
  lines.push(`firmwarden ${version} on Node.js ${process.version} (${process.platform}/${process.arch})`);
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  check('node version', () => {
    if (major < 20 || (major === 20 && minor < 19)) throw new Error(`Node.js >= 20.19 required, found ${process.version}`);
    return process.version;
  });
  const loaded = loadConfig({ configFile: args.config, overrides: { dataDir: args.dataDir } });
  lines.push(`ok    configuration: ${loaded.sources.join(' < ')}`);
  const store = await openStore(loaded.config.dataDir);
  try {
    check('data directory', () => {
      accessSync(store.layout.root, constants.W_OK);
      return store.layout.root;
    });
    check('database', () => {
      const jobs = store.jobs.counts();
      return `${store.layout.databaseFile} (jobs: ${Object.entries(jobs).map(([k, v]) => `${k} ${v}`).join(', ')})`;
    });
  } finally {
    store.close();
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return ok;
}
