// Shared set-up for the browser tests: Debian's chromium, headless, a fresh profile.
import { chromium } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BASE = process.env.E2E_BASE_URL;
export const USER = process.env.E2E_USER || 'admin';
export const PASSWORD = process.env.E2E_PASSWORD;
if (!BASE || !PASSWORD) {
  throw new Error('E2E_BASE_URL and E2E_PASSWORD must be set (scripts/test.sh sets them)');
}

// `locale` sets the browser's language (its Accept-Language), e.g. 'zh-CN'; `timezoneId`
// its time zone, e.g. 'Asia/Shanghai'.
export async function launch({ locale, timezoneId } = {}) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'polar-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    ...(locale ? { locale } : {}),
    ...(timezoneId ? { timezoneId } : {}),
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
    viewport: { width: 1360, height: 860 },
  });
  const page = context.pages()[0] || await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return { context, page, errors };
}

// Waits until the wasm has hydrated the page (the module has run `hydrate`). The debug
// build's module is tens of megabytes: on a busy 2-core machine its compilation alone can
// take most of half a minute, hence the generous bound.
export async function waitForHydration(page) {
  // Every page is a lazy route: its chunks load after the main module, and the page marks
  // <html data-hydrated> once it has hydrated. Then the network goes quiet.
  await page.waitForFunction(() => document.documentElement.hasAttribute('data-hydrated'),
    null, { timeout: 60000 });
  let last = -1;
  for (let i = 0; i < 100; i++) {
    const n = await page.evaluate(() => performance.getEntriesByType('resource').length);
    if (n === last) break;
    last = n;
    await page.waitForTimeout(300);
  }
  // One frame more: the event handlers are attached.
  await page.waitForTimeout(200);
}

export async function signIn(page) {
  await page.goto(`${BASE}/clusters`);
  await page.waitForURL(/\/signin$/);
  await page.fill('input[name=username]', USER);
  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([
    page.waitForURL(/\/clusters/),
    page.click('button[type=submit]'),
  ]);
}

// Opens a cluster's page from the list by its description (after hydration); returns its ID.
export async function openFromList(page, description) {
  await page.goto(`${BASE}/clusters`);
  const row = page.locator('[data-testid=cluster-table] tbody tr', {
    has: page.locator('div.muted', { hasText: new RegExp(`^${description}$`) }),
  });
  await row.waitFor({ timeout: 60000 });
  const id = await row.getAttribute('data-cluster-id');
  await Promise.all([
    page.waitForURL(/\/clusters\/pc-/),
    row.locator('[data-testid=cluster-link]').click(),
  ]);
  await page.waitForSelector('[data-testid=cluster-overview]');
  await waitForHydration(page);
  return id;
}
