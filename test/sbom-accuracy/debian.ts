// Real foreign-architecture Debian packages for the harness and the benchmark: apt-get with a private state
// directory per architecture (the host's package lists and dpkg database are never touched), the host's own
// source list, and dpkg-deb to read versions and unpack. Downloads are cached between runs.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const DEFAULT_CACHE = process.env.FIRMWARDEN_DEB_CACHE ?? path.join(os.homedir(), '.cache', 'firmwarden', 'debs');

export interface AptArch {
  arch: string;
  stateDir: string;
  debDir: string;
}

function aptOptions(a: AptArch): string[] {
  return [
    '-q',
    `-o`, `Dir::State=${a.stateDir}/state`,
    `-o`, `Dir::State::Lists=${a.stateDir}/lists`,
    `-o`, `Dir::State::status=${a.stateDir}/status`,
    `-o`, `Dir::Cache=${a.stateDir}/cache`,
    `-o`, `APT::Architecture=${a.arch}`,
    `-o`, `APT::Architectures=${a.arch}`,
  ];
}

/** Whether apt-get and dpkg-deb exist here (the harness skips without them). */
export function haveDebianTools(): boolean {
  return ['apt-get', 'dpkg-deb'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);
}

/** Private apt state for `arch`, with package lists fetched once per day. */
export function prepareArch(arch: string, cache = DEFAULT_CACHE): AptArch {
  const a: AptArch = { arch, stateDir: path.join(cache, 'apt', arch), debDir: path.join(cache, 'debs', arch) };
  for (const d of ['state', 'lists/partial', 'cache/archives/partial']) fs.mkdirSync(path.join(a.stateDir, d), { recursive: true });
  fs.mkdirSync(a.debDir, { recursive: true });
  const status = path.join(a.stateDir, 'status');
  if (!fs.existsSync(status)) fs.writeFileSync(status, '');
  const stamp = path.join(a.stateDir, 'updated');
  const fresh = fs.existsSync(stamp) && Date.now() - fs.statSync(stamp).mtimeMs < 86_400_000;
  if (!fresh) {
    // A mirror in sync may fail one index (security, updates): the main list is enough for the labelled set.
    spawnSync('apt-get', [...aptOptions(a), 'update'], { stdio: 'ignore' });
    const lists = fs.readdirSync(path.join(a.stateDir, 'lists')).filter((f) => f.includes('_Packages'));
    if (lists.length === 0) throw new Error(`apt-get update for ${arch} fetched no package list`);
    fs.writeFileSync(stamp, new Date().toISOString());
  }
  return a;
}

function cachedDeb(a: AptArch, pkg: string): string | undefined {
  const name = fs.readdirSync(a.debDir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  return name ? path.join(a.debDir, name) : undefined;
}

/** The .deb of each package (downloaded when not cached); packages the archive lacks are left out. */
export function download(a: AptArch, pkgs: readonly string[]): Map<string, string> {
  const missing = pkgs.filter((p) => !cachedDeb(a, p));
  if (missing.length > 0) {
    const all = spawnSync('apt-get', [...aptOptions(a), 'download', ...missing], { cwd: a.debDir, stdio: 'ignore' });
    if (all.status !== 0) {
      for (const p of missing) spawnSync('apt-get', [...aptOptions(a), 'download', p], { cwd: a.debDir, stdio: 'ignore' });
    }
  }
  const out = new Map<string, string>();
  for (const p of pkgs) {
    const deb = cachedDeb(a, p);
    if (deb) out.set(p, deb);
  }
  return out;
}

export function debVersion(deb: string): string {
  return execFileSync('dpkg-deb', ['-f', deb, 'Version'], { encoding: 'utf8' }).trim();
}

/** The regular-file paths a package installs ("/usr/sbin/dnsmasq"). */
export function debFiles(deb: string): string[] {
  const listing = execFileSync('dpkg-deb', ['-c', deb], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const files: string[] = [];
  for (const line of listing.split('\n')) {
    if (!line.startsWith('-')) continue;
    const m = /\s\.(\/\S.*)$/.exec(line);
    if (m) files.push(m[1]!);
  }
  return files;
}

/** Unpacks a package into `root` (no maintainer scripts, no dpkg database). */
export function extract(deb: string, root: string): void {
  fs.mkdirSync(root, { recursive: true });
  execFileSync('dpkg-deb', ['-x', deb, root]);
}
