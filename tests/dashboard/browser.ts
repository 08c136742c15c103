// Real Chromium (Debian's, never downloaded) driven by playwright-core, and a dashboard build
// compiled with tsc into a private folder so parallel test files never share output.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const SCREENSHOTS = path.resolve('test-output/screenshots');

export function buildDashboard(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dashboard-build-'));
  const tsc = path.resolve('node_modules/.bin/tsc');
  const r = spawnSync(tsc, ['-p', 'dashboard', '--outDir', path.join(dir, 'dist')], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`dashboard build failed:\n${r.stdout}\n${r.stderr}`);
  symlinkSync(path.resolve('dashboard/public'), path.join(dir, 'public'));
  return dir;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

/** Fails the test on any browser-side error, so a broken page cannot pass by accident. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 40[13]/.test(m.text()))
      errors.push(`console: ${m.text()} (${m.location().url})`);
  });
  return errors;
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

export async function loginThroughPage(
  page: Page,
  base: string,
  name: string,
  password: string,
  next = '/',
): Promise<void> {
  await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
  await page.fill('#login-name', name);
  await page.fill('#login-password', password);
  await Promise.all([page.waitForURL(`${base}${next}`), page.click('form.login-form button[type=submit]')]);
}
