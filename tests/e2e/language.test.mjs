// The console in Chinese and English (#19): a browser that asks for Chinese gets the
// sign-in page and the console's frame in Chinese (`<html lang="zh">`, no English UI
// string); switching to English in the top bar turns the page at once, and the choice is
// saved with the user: signing in from a Chinese browser afterwards shows English.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, waitForHydration, BASE, USER, PASSWORD } from './harness.mjs';

// Words of the UI that may stay Latin in Chinese: the product's and the cloud's names,
// and the language menu's own names.
const ALLOWED_LATIN = /Polar Console|PolarDB|English/g;

async function signInAs(page) {
  await page.goto(`${BASE}/signin`);
  await page.fill('input[name=username]', USER);
  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([
    page.waitForURL(/\/clusters/),
    page.click('button[type=submit]'),
  ]);
}

// The visible text of `selector` without the allowed names and without data (the user's
// name; the language menu's options, each in its own language).
async function uiText(page, selector) {
  return (await page.evaluate((sel) => {
    const root = document.querySelector(sel).cloneNode(true);
    root.querySelectorAll('[data-testid=user-name], option, noscript').forEach((e) => e.remove());
    return root.innerText;
  }, selector)).replace(ALLOWED_LATIN, '');
}

test('a Chinese browser gets Chinese; the choice of English is saved with the user', async () => {
  const zh = await launch({ locale: 'zh-CN' });
  try {
    const { page, errors } = zh;
    await page.goto(`${BASE}/signin`);
    await waitForHydration(page);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh');
    assert.equal(await page.textContent('.signin-card p.muted'), '登录以管理您的 PolarDB 集群。');
    const signin = await uiText(page, '.signin-card');
    assert.doesNotMatch(signin, /[A-Za-z]{2,}/, `English on the Chinese sign-in page: ${signin}`);
    assert.match(await page.title(), /^登录 · Polar Console$/);
    // Before signing in the menu only sets the language (nothing to save it with); the
    // page turns at once, then is loaded again in it.
    for (const [code, lead] of [['en', 'Sign in to manage your PolarDB clusters.'], ['zh', '登录以管理您的 PolarDB 集群。']]) {
      await Promise.all([
        page.waitForEvent('load'),
        page.waitForResponse((r) => r.url().includes('/api/set_language') && r.status() === 200),
        page.selectOption('[data-testid=language-menu]', code),
      ]);
      await waitForHydration(page);
      assert.equal(await page.textContent('.signin-card p.muted'), lead);
      assert.equal(await page.getAttribute('html', 'lang'), code);
    }

    await signInAs(page);
    await page.waitForSelector('[data-testid=language-menu]');
    await waitForHydration(page);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh');
    const frame = (await uiText(page, 'header.topbar')) + (await uiText(page, 'nav.sidenav'));
    assert.doesNotMatch(frame, /[A-Za-z]{2,}/, `English in the Chinese frame: ${frame}`);
    assert.match(await page.textContent('nav.sidenav'), /集群.*标签.*待处理事件.*变更.*审计日志.*设置/s);

    // English, now: the frame turns at once; once saved, the page is loaded again in
    // English (what the server wrote too), and stays so after a reload.
    await page.evaluate(() => { window.__before_switch = true; });
    await Promise.all([
      page.waitForEvent('load'),
      page.waitForResponse((r) => r.url().includes('/api/set_language') && r.status() === 200),
      page.selectOption('[data-testid=language-menu]', 'en'),
    ]);
    await page.waitForFunction(() => document.querySelector('nav.sidenav').innerText.includes('Clusters'));
    assert.equal(await page.evaluate(() => window.__before_switch), undefined, 'the page was loaded again');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await page.reload();
    await page.waitForSelector('nav.sidenav');
    assert.match(await page.textContent('nav.sidenav'), /Clusters.*Audit trail/s);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.deepEqual(errors, []);
  } finally {
    await zh.context.close();
  }

  // Another Chinese browser: signing in brings the user's English back.
  const again = await launch({ locale: 'zh-CN' });
  try {
    const { page, errors } = again;
    await page.goto(`${BASE}/signin`);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh');
    await signInAs(page);
    await page.waitForSelector('nav.sidenav');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.match(await page.textContent('nav.sidenav'), /Clusters.*Audit trail/s);
    assert.deepEqual(errors, []);
  } finally {
    await again.context.close();
  }
});
