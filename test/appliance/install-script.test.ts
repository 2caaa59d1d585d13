// appliance/install.sh and uninstall.sh: syntax, shellcheck, and a real run in a sandbox.
//
// The sandbox is a private mount namespace (unshare -m) in which /etc, /opt and /var/lib are bind mounts
// of temporary directories and /var/log, /var/cache and /run/systemd are empty tmpfs: useradd, the unit install and
// the data directory all land in the temporary tree, the host stays untouched, and the scripts see no
// systemd PID 1 so they skip systemctl. The checkout is a tiny stand-in whose postinstall script records
// how `npm ci` was run (no dependencies: nothing is fetched).
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const scripts = ['appliance/install.sh', 'appliance/uninstall.sh'];
const haveShellcheck = spawnSync('shellcheck', ['--version']).status === 0;

describe('appliance scripts: static checks', () => {
  it.each(scripts)('%s parses (bash -n)', (script) => {
    const r = spawnSync('bash', ['-n', join(repo, script)], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.each(scripts)('%s is executable and strict (set -euo pipefail)', (script) => {
    const path = join(repo, script);
    expect(statSync(path).mode & 0o111).not.toBe(0);
    expect(readFileSync(path, 'utf8')).toMatch(/^#!\/usr\/bin\/env bash\n[\s\S]*?^set -euo pipefail$/m);
  });

  it.skipIf(!haveShellcheck)('shellcheck finds nothing, optional checks included (skipped without the shellcheck package)', () => {
    const r = spawnSync('shellcheck', ['--enable=all', ...scripts.map((s) => join(repo, s))], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

const isRoot = process.getuid?.() === 0;
const canUnshare = isRoot && spawnSync('unshare', ['-m', 'true']).status === 0;
const sandboxSkip = !isRoot ? 'needs root' : !canUnshare ? 'unshare -m is not permitted here' : '';
if (sandboxSkip) console.warn(`install.sh sandbox test skipped: ${sandboxSkip}`);

// Runs its arguments with /etc, /opt, /var/lib redirected into $BOX.
const SANDBOX = String.raw`
set -euo pipefail
box=$1; shift
mount --bind "$box/etc" /etc
mount --bind "$box/opt" /opt
mount --bind "$box/varlib" /var/lib
mount -t tmpfs tmpfs /var/log
mount -t tmpfs tmpfs /var/cache
if [[ -d /run/systemd ]]; then mount -t tmpfs tmpfs /run/systemd; fi
exec "$@"
`;

describe.skipIf(sandboxSkip !== '')('install.sh and uninstall.sh in a sandbox', () => {
  let box = '';
  let src = '';

  function run(script: string, args: string[] = [], pathPrefix = ''): { status: number | null; out: string } {
    const r = spawnSync(
      'unshare',
      ['-m', '--propagation', 'private', 'bash', join(box, 'sandbox.sh'), box, 'bash', join(repo, script), ...args],
      {
        encoding: 'utf8',
        env: {
          ...process.env,
          PATH: pathPrefix + (process.env.PATH ?? '/usr/bin:/bin'),
          npm_config_cache: join(box, 'npm-cache'),
        },
        timeout: 120_000,
      },
    );
    return { status: r.status, out: r.stdout + r.stderr };
  }

  const at = (path: string) => join(box, path);
  const userLines = () => readFileSync(at('etc/passwd'), 'utf8').split('\n').filter((l) => l.startsWith('firmwarden:'));
  const ids = () => {
    const [, , uid, gid] = userLines()[0]!.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  };

  beforeAll(() => {
    box = mkdtempSync(join(tmpdir(), 'fw-install-'));
    cpSync('/etc', at('etc'), { recursive: true, verbatimSymlinks: true });
    for (const d of ['opt', 'varlib', 'bin']) mkdirSync(at(d));
    writeFileSync(at('sandbox.sh'), SANDBOX);

    src = at('src');
    const files: Record<string, string> = {
      'bin/firmwarden.js': '#!/usr/bin/env node\nimport "../dist/service/cli.js";\n',
      'dist/service/cli.js': 'console.log("firmwarden");\n',
      'config/default.yaml': 'api:\n  port: 8080\n',
      'web/index.html': '<!doctype html><title>Firmwarden</title>\n',
      'service/schemas/report.schema.json': '{}\n',
      'test/should-not-be-installed.ts': '',
      'package.json': JSON.stringify({
        name: 'firmwarden',
        version: '0.0.0-sandbox',
        private: true,
        scripts: {
          // Records how npm ci was run, so the test can check --omit=dev and the no-download settings.
          postinstall: [
            'node -e "const e = process.env; require(\'fs\').writeFileSync(\'npm-ci.json\', JSON.stringify({',
            'omit: e.npm_config_omit, fromSource: e.npm_config_build_from_source, nodedir: e.npm_config_nodedir}))"',
          ].join(''),
        },
      }),
      'package-lock.json': JSON.stringify({
        name: 'firmwarden',
        version: '0.0.0-sandbox',
        lockfileVersion: 3,
        requires: true,
        packages: { '': { name: 'firmwarden', version: '0.0.0-sandbox' } },
      }),
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(src, path)), { recursive: true });
      writeFileSync(join(src, path), text);
    }
    cpSync(join(repo, 'systemd/firmwarden.service'), join(src, 'systemd/firmwarden.service'));
  });

  afterAll(() => {
    if (box) rmSync(box, { recursive: true, force: true });
  });

  it('installs: user, app in /opt, npm ci --omit=dev built from source, config, data dir, unit; skips systemctl', () => {
    const r = run('appliance/install.sh', ['--source', src]);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('systemd is not PID 1 here: skipped daemon-reload, enable and start');

    expect(userLines()).toHaveLength(1);
    expect(userLines()[0]).toMatch(/^firmwarden:x:\d+:\d+:Firmwarden daemon:\/var\/lib\/firmwarden:\/usr\/sbin\/nologin$/);
    const { uid, gid } = ids();
    expect(uid).toBeLessThan(1000); // a system account

    const app = at('opt/firmwarden');
    const installed = [
      'bin/firmwarden.js',
      'dist/service/cli.js',
      'config/default.yaml',
      'web/index.html',
      'service/schemas/report.schema.json',
      'package.json',
      'package-lock.json',
    ];
    for (const f of installed) {
      expect(existsSync(join(app, f)), f).toBe(true);
    }
    expect(existsSync(join(app, 'test'))).toBe(false);
    expect(statSync(join(app, 'dist/service/cli.js')).uid).toBe(0);
    expect(statSync(join(app, 'dist/service/cli.js')).mode & 0o022).toBe(0);

    const npmCi = JSON.parse(readFileSync(join(app, 'npm-ci.json'), 'utf8')) as Record<string, string>;
    expect(npmCi.omit).toBe('dev');
    expect(npmCi.fromSource).toBe('true');
    expect(existsSync(join(npmCi.nodedir!, 'include/node/node.h'))).toBe(true);

    const config = at('etc/firmwarden/config.yaml');
    expect(readFileSync(config, 'utf8')).toBe('api:\n  port: 8080\n');
    expect(statSync(config).mode & 0o777).toBe(0o640);
    expect(statSync(config).gid).toBe(gid);

    const data = statSync(at('varlib/firmwarden'));
    expect([data.uid, data.gid, data.mode & 0o777]).toEqual([uid, gid, 0o750]);

    expect(readFileSync(at('etc/systemd/system/firmwarden.service'), 'utf8')).toBe(
      readFileSync(join(repo, 'systemd/firmwarden.service'), 'utf8'),
    );
    // /usr/bin/node is the node on PATH here: no ExecStart override.
    expect(existsSync(at('etc/systemd/system/firmwarden.service.d/10-node-path.conf'))).toBe(false);
    // Nothing left over from staging.
    expect(spawnSync('ls', ['-A', at('opt')], { encoding: 'utf8' }).stdout.trim()).toBe('firmwarden');
  });

  it('runs again without changing the user or the edited config, and replaces stale app files', () => {
    const config = at('etc/firmwarden/config.yaml');
    writeFileSync(config, 'api:\n  port: 9443 # edited by the operator\n');
    writeFileSync(at('opt/firmwarden/dist/stale.js'), '');
    writeFileSync(at('varlib/firmwarden/blob'), 'kept');

    const r = run('appliance/install.sh', ['--source', src]);
    expect(r.status, r.out).toBe(0);
    expect(r.out).not.toContain('created user');
    expect(r.out).toContain('kept /etc/firmwarden/config.yaml');
    expect(userLines()).toHaveLength(1);
    expect(readFileSync(config, 'utf8')).toContain('edited by the operator');
    expect(existsSync(at('opt/firmwarden/dist/stale.js'))).toBe(false);
    expect(readFileSync(at('varlib/firmwarden/blob'), 'utf8')).toBe('kept');
  });

  it('points ExecStart at a node that is not /usr/bin/node with a drop-in, and drops it again', () => {
    const wrapper = at('bin/node');
    writeFileSync(wrapper, `#!/bin/sh\nexec ${process.execPath} "$@"\n`);
    chmodSync(wrapper, 0o755);
    const dropin = at('etc/systemd/system/firmwarden.service.d/10-node-path.conf');

    const r = run('appliance/install.sh', ['--source', src], `${at('bin')}:`);
    expect(r.status, r.out).toBe(0);
    expect(readFileSync(dropin, 'utf8')).toContain(
      `ExecStart=\nExecStart=${wrapper} /opt/firmwarden/bin/firmwarden.js serve --config /etc/firmwarden/config.yaml\n`,
    );

    expect(run('appliance/install.sh', ['--source', src]).status).toBe(0);
    expect(existsSync(dirname(dropin))).toBe(false);
  });

  it('refuses a checkout that was not built, and leaves the installed app alone', () => {
    rmSync(join(src, 'dist'), { recursive: true });
    try {
      const r = run('appliance/install.sh', ['--source', src]);
      expect(r.status).toBe(1);
      expect(r.out).toContain('dist is missing: build first (npm ci && npm run build)');
      expect(existsSync(at('opt/firmwarden/dist/service/cli.js'))).toBe(true);
    } finally {
      mkdirSync(join(src, 'dist/service'), { recursive: true });
      writeFileSync(join(src, 'dist/service/cli.js'), 'console.log("firmwarden");\n');
    }
  });

  /**
   * A PATH directory with Debian 12's node (answers 18.19.0) and stand-ins for apt-get and apt-cache that
   * log their arguments and offer `candidate`; `apt-get install nodejs` swaps in the real node.
   */
  function oldNodeBox(candidate: string): { path: string; aptLog: string } {
    const bin = mkdtempSync(join(box, 'oldnode-'));
    const aptLog = join(bin, 'apt.log');
    const script = (name: string, body: string) => {
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    script('node', 'echo 18.19.0');
    script('apt-cache', `echo "apt-cache $*" >>${aptLog}\nprintf 'nodejs:\\n  Installed: 18.19.0\\n  Candidate: ${candidate}\\n'`);
    script('apt-get', `echo "apt-get $*" >>${aptLog}\nif [ "$1" = install ]; then ln -sf ${process.execPath} ${join(bin, 'node')}; fi`);
    return { path: `${bin}:`, aptLog };
  }

  it('fails with directions when node is older than 20.19 and apt offers nothing newer', () => {
    const { path, aptLog } = oldNodeBox('18.20.4+dfsg-1~deb12u3');
    const r = run('appliance/install.sh', ['--source', src], path);
    expect(r.status).toBe(1);
    expect(r.out).toContain('Firmwarden needs Node.js >= 20.19; found 18.19.0. Debian 12 ships Node 18.');
    expect(r.out).toContain("NodeSource's Debian repository");
    expect(r.out).toContain('This script does not download Node itself.');
    expect(readFileSync(aptLog, 'utf8')).toBe('apt-get update\napt-cache policy nodejs\n');
    expect(existsSync(at('opt/firmwarden/dist/service/cli.js'))).toBe(true);
  });

  it('installs nodejs with apt when a configured repository offers >= 20.19', () => {
    const { path, aptLog } = oldNodeBox('20.20.2-1nodesource1');
    const r = run('appliance/install.sh', ['--source', src], path);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('installing nodejs 20.20.2-1nodesource1 with apt');
    expect(readFileSync(aptLog, 'utf8')).toBe('apt-get update\napt-cache policy nodejs\napt-get install -y nodejs\n');
  });

  it('uninstalls keeping config, data and user; --purge removes them', () => {
    let r = run('appliance/uninstall.sh');
    expect(r.status, r.out).toBe(0);
    expect(existsSync(at('opt/firmwarden'))).toBe(false);
    expect(existsSync(at('etc/systemd/system/firmwarden.service'))).toBe(false);
    expect(existsSync(at('etc/firmwarden/config.yaml'))).toBe(true);
    expect(existsSync(at('varlib/firmwarden/blob'))).toBe(true);
    expect(userLines()).toHaveLength(1);

    r = run('appliance/uninstall.sh', ['--purge']);
    expect(r.status, r.out).toBe(0);
    expect(existsSync(at('etc/firmwarden'))).toBe(false);
    expect(existsSync(at('varlib/firmwarden'))).toBe(false);
    expect(userLines()).toHaveLength(0);
    expect(readFileSync(at('etc/group'), 'utf8')).not.toMatch(/^firmwarden:/m);
  });
});
