// The console's main pages in Chinese (#19): a Chinese browser signed in sees no English
// word of the UI on any of them — only data (cluster ids, names, descriptions, regions,
// API actions and messages, addresses, times) and the technical names Chinese writes alike
// (PolarDB, PostgreSQL, VPC, SSL …). Every page also hydrates without an error. The browser
// is in Shanghai: once a page has been interactive, times are on its clock (UTC+08:00).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, waitForHydration, BASE, USER, PASSWORD } from './harness.mjs';

// Names written alike in Chinese: the product's and the cloud's, technical terms and units.
const TECHNICAL = [
  'Polar Console', 'PolarDB', 'PostgreSQL', 'Oracle', 'MySQL', 'English', 'AccessKeyId',
  'AccessKeySecret', 'AccessKey', 'RequestId', 'ClientToken', 'Webhook', 'Slack', 'VPC', 'SSL',
  'TDE', 'CIDR', 'IP', 'ID', 'UTC', 'CPU', 'IOPS', 'TPS', 'QPS', 'WAL', 'DML', 'DDL', 'SQL',
  'HTTP', 'HTTPS', 'URL', 'JSON', 'DNS', 'ESSD', 'PSL4', 'PSL5', 'AutoPL', 'vSwitch', 'KiB',
  'MiB', 'GiB', 'TiB', 'MB', 'GB', 'ms', 'Endpoint', 'PolarDB for PostgreSQL',
  'polar-console audit verify', 'aliyun', 'PolarDB for MySQL', 'https', 'http',
  // The words of a role's policy (its syntax).
  'Effect', 'Action', 'Resource', 'Allow', 'Deny',
];

// The emulator's and the test's own data that the pages show: user, account, database and
// whitelist group names, descriptions, tag keys and values.
const DATA_WORDS = ['cluster administrator', 'Administrator', 'admin', 'default', 'sessions',
  'edge', 'cache', 'env', 'prod'];

// Words known to be still English in Chinese: none. A word not listed here fails.
const KNOWN_LEFT = [];

// Data: elements that hold it, and tokens shaped like it.
const DATA_SELECTORS = [
  '[data-testid=user-name]', 'option', 'noscript', 'input', 'textarea', 'code', 'pre', '.mono',
  '[data-data]', 'select', '.tag',
];
const DATA_TOKENS = [
  /[（(][A-Za-z][\w .,/=-]*[)）]/g, // an API code beside its Chinese word: 按量付费（Postpaid）
  /\bsslmode=[\w-]+|verify-[\w*]+/g, // client settings
  /\b(Writer|Reader\d*)\b/g, // node names of an endpoint's Nodes (the API's identifiers)
  /\b[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\b/gi, // RequestIds (a group may be 0BDE)
  /\b(?=\w*\d)\w{5,}\b/g, // ids
  /https?:\/\/\S+/g, // addresses
  /\b(?:acs|polardb|console):[\w*:/-]*/g, // a policy's actions and resources (acs:…)
  /\b[\w.-]+@[\w.-]+/g, // e-mail
  /\b[\w-]+(\.[\w-]+){2,}\b/g, // host names
  /\b[a-z]{1,4}-[a-z0-9]+(-[a-z0-9]+)*\b/g, // pc-…, pi-…, cn-hangzhou, vpc-…, rg-…
  /\b[a-z0-9]+(-[a-z0-9]+)+\b/g, // names and descriptions (legacy-reporting)
  /\b[A-Z][a-z]+(?:[A-Z][A-Za-z]*)+\b/g, // API actions and codes (DescribeDBClusters)
  /\b[A-Z][A-Z0-9_]{2,}\b/g, // codes (POLARDB, NS_MAINTAINING)
  /\b[a-z]+_[a-z_]+\b/g, // event names, keys
  /polar\.\w+/g,
];

async function visibleText(page) {
  return page.evaluate((selectors) => {
    const skip = [...selectors, 'script', 'style', 'template'].join(',');
    const parts = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const el = walker.currentNode.parentElement;
      if (!el || el.closest(skip) || !el.checkVisibility()) continue;
      // Cells of a cluster's id, name and description (data).
      // The first cell of a row names it: an id or a name (data).
      const td = el.closest('td');
      if (td && (td.querySelector('a[href*="/clusters/"]') || td.matches('td:first-child'))) continue;
      parts.push(walker.currentNode.textContent);
    }
    // Labels and hints in attributes; a placeholder of one or two words is an example
    // value (env, prod), data.
    for (const el of document.querySelectorAll('[placeholder], [aria-label]')) {
      if (!el.checkVisibility()) continue;
      const hint = el.getAttribute('placeholder') || '';
      if (hint.trim().split(/\s+/).length >= 3 && !/[,{]/.test(hint)) parts.push(hint);
      parts.push(el.getAttribute('aria-label') || '');
    }
    // Names the rows carry as data (parameter names).
    const names = [...document.querySelectorAll('[data-param]')].map((e) => e.dataset.param)
      .sort((a, b) => b.length - a.length);
    let text = parts.join(' \n ');
    for (const n of names) text = text.split(n).join(' ');
    return text;
  }, DATA_SELECTORS);
}

function englishWords(text, data) {
  let t = text;
  for (const w of [...TECHNICAL].sort((a, b) => b.length - a.length)) t = t.split(w).join(' ');
  for (const re of DATA_TOKENS) t = t.replace(re, ' ');
  for (const d of [...data, ...DATA_WORDS]) t = t.split(d).join(' ');
  return [...new Set(t.match(/[A-Za-z]{3,}/g) || [])].filter((w) => !KNOWN_LEFT.includes(w));
}

test('the main pages in Chinese show no English word of the UI', async () => {
  const { context, page, errors } = await launch({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  try {
    await page.goto(`${BASE}/signin`);
    await page.fill('input[name=username]', USER);
    await page.fill('input[name=password]', PASSWORD);
    await Promise.all([page.waitForURL(/\/clusters/), page.click('button[type=submit]')]);
    // Chinese here, whatever language the user saved elsewhere (another test switches it).
    await context.addCookies([{ name: 'polar_lang', value: 'zh', url: BASE }]);

    await page.goto(`${BASE}/clusters`);
    await waitForHydration(page);
    // A cluster of the emulator, for its tabs; its id, name and description are data.
    const href = await page.getAttribute('a[href^="/clusters/pc-"]', 'href');
    assert.ok(href, 'a cluster is listed');
    const cluster = href.split('?')[0];
    const query = href.includes('?') ? `?${href.split('?')[1]}` : '';
    const data = await page.evaluate(() => [...document.querySelectorAll('td, [data-testid=cluster-description]')]
      .map((e) => e.innerText.trim()).filter((t) => t.length > 0 && !/[\u4e00-\u9fff]/.test(t)));

    const pages = ['/clusters', '/clusters/new', '/tags', '/events', '/tasks', '/changes', '/changes/new',
      '/renewals', '/backups/released', '/audit', '/settings', '/settings/users', '/settings/roles',
      '/settings/password', '/settings/accounts', '/settings/notifications', '/settings/approvals',
      ...['', '/nodes', '/endpoints', '/accounts', '/databases', '/whitelists', '/backups', '/parameters',
        '/monitoring', '/ssl', '/tags'].map((tab) => `${cluster}${tab}${query}`)];
    const found = {};
    for (const path of pages) {
      await page.goto(`${BASE}${path}`);
      await waitForHydration(page);
      assert.equal(await page.getAttribute('html', 'lang'), 'zh', path);
      const words = englishWords(await visibleText(page), data);
      // README pictures (scripts/screenshots.sh sets the directory).
      const shots = { '/clusters': 'clusters-zh.png', [`${cluster}${query}`]: 'cluster-zh.png' };
      if (process.env.E2E_SCREENSHOT_DIR && shots[path]) {
        await page.screenshot({ path: `${process.env.E2E_SCREENSHOT_DIR}/${shots[path]}` });
      }
      if (words.length) found[path] = words;
    }
    if (Object.keys(found).length) console.log(`English on Chinese pages: ${JSON.stringify(found)}`);
    assert.deepEqual(found, {}, 'English words of the UI on Chinese pages');

    // The browser's time zone, taken once the first page was interactive: the server
    // renders times on its clock, with the offset.
    const cookies = await context.cookies(BASE);
    assert.equal(cookies.find((c) => c.name === 'polar_tz')?.value, 'Asia/Shanghai');
    await page.goto(`${BASE}${cluster}${query}`);
    await waitForHydration(page);
    const created = await page.textContent('[data-testid=field-created]');
    assert.match(created, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\+08:00$/, created);

    // The reference's rules as the page checks them while typing, in Chinese.
    await page.click('[data-testid=edit-description]');
    for (const [typed, rule] of [['x', /至少需要 2 个字符/], ['https://orders', /http:\/\//], ['9orders', /字母或汉字开头/]]) {
      await page.fill('[data-testid=description-input]', typed);
      await page.waitForFunction((re) => new RegExp(re).test(document.querySelector('[data-testid=description-problem]').textContent), rule.source);
      const line = await page.textContent('[data-testid=description-problem]');
      assert.deepEqual(englishWords(line, ['http']), [], line);
    }
    assert.deepEqual(errors, []);
    // A refusal the server writes (the backend's words), in Chinese: the current password
    // is wrong (the browser logs the 400 of it).
    await page.goto(`${BASE}/settings/password`);
    await waitForHydration(page);
    await page.fill('input[name=current_password]', 'not-the-password-1');
    await page.fill('input[name=new_password]', 'another-password-42');
    await page.fill('input[name=confirm_password]', 'another-password-42');
    await page.click('[data-testid=change-password]');
    await page.waitForSelector('.form-error');
    const refusal = await page.textContent('.form-error');
    assert.match(refusal, /当前密码/, refusal);
    assert.deepEqual(englishWords(refusal, []), [], refusal);
    assert.deepEqual(errors.filter((e) => !/status of 400/.test(e)), []);
  } finally {
    await context.close();
  }
});
