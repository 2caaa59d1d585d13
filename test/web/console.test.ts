import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256File } from '../../service/analyze/pipeline.js';
import { launchChromium } from '../helpers/browser.js';
import { startDaemonProcess, type DaemonProcess } from '../helpers/daemon.js';
import { tempDir } from '../helpers/temp-dir.js';
import { buildRootfsTarGz } from '../fixtures/build-rootfs-tar.js';

const dir = tempDir();
const dataDir = join(dir, 'var');
let daemon: DaemonProcess;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  daemon = await startDaemonProcess(dataDir);
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  await page.goto(daemon.url);
});

afterAll(async () => {
  await browser?.close();
  await daemon?.stop();
});

describe('console first page (real Chromium)', () => {
  it('shows the live feed connected and an empty firmware list', async () => {
    await page.waitForSelector('#feed-state[data-state="live"]', { timeout: 20_000 });
    expect(await page.isVisible('#firmware-empty')).toBe(true);
  });

  it('a dropped image appears without reloading and turns analyzed, with a working report link', async () => {
    const image = buildRootfsTarGz(dir);
    const sha = await sha256File(image);
    copyFileSync(image, join(dataDir, 'inbox', 'plc-fw.tar.gz'));
    const row = page.locator('#firmware-rows tr', { hasText: 'plc-fw.tar.gz' });
    await row.waitFor({ timeout: 30_000 });
    await row.locator('[data-status="analyzed"]').waitFor({ timeout: 60_000 });
    const href = await row.locator('a').first().getAttribute('href');
    expect(href).toBe(`/api/firmware/${sha}/report`);
    const res = await page.request.get(new URL(href!, daemon.url).href);
    expect(res.status()).toBe(200);
    expect((await res.json()).firmware.sha256).toBe(sha);
    await page.screenshot({ path: join(dir, 'console.png'), fullPage: true });
  });

  it('a hostile file name is shown as text, never run as markup', async () => {
    const name = '<img src=x onerror="window.__xss=1">.bin';
    writeFileSync(join(dataDir, 'inbox', name), Buffer.from('not really firmware, but not empty either'));
    const row = page.locator('#firmware-rows tr', { hasText: name });
    await row.waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('#firmware-rows img').count()).toBe(0);
  });

  it('raised no script errors and no CSP violations', () => {
    expect(pageErrors).toEqual([]);
  });
});
