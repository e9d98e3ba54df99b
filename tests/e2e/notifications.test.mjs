// Notifications in the browser: an administrator adds a signed webhook channel on
// /settings/notifications, sends a test message that reaches a receiver on loopback (its
// signature checked as a receiver would), adds a rule, and reads the delivery log. The
// channel's secret and the URL's path never come back in a response.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import { launch, signIn, waitForHydration, BASE } from './harness.mjs';

const SECRET = `whsec-e2e-${crypto.randomBytes(8).toString('hex')}`;
const TOKEN = `path-token-${crypto.randomBytes(6).toString('hex')}`;

test('a webhook channel added in the browser receives a signed test message', async () => {
  const seen = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      seen.push({ url: req.url, headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${receiver.address().port}/hooks/${TOKEN}`;
  const { context, page } = await launch();
  const bodies = [];
  page.on('response', async (r) => {
    try { bodies.push(await r.text()); } catch { /* no body */ }
  });
  try {
    await signIn(page);
    await page.goto(`${BASE}/settings/notifications`);
    await page.waitForSelector('[data-testid=add-channel]');
    await waitForHydration(page);
    await page.fill('[data-testid=add-channel] input[name=name]', 'e2e-hook');
    await page.selectOption('[data-testid=add-channel] select[name=kind]', 'webhook');
    await page.fill('[data-testid=add-channel] input[name=url]', url);
    await page.fill('[data-testid=add-channel] input[name=secret]', SECRET);
    // The page's language is offered; this channel speaks Chinese.
    assert.equal(await page.inputValue('[data-testid=channel-language-choice]'), 'en');
    await page.selectOption('[data-testid=channel-language-choice]', 'zh');
    await page.click('[data-testid=add-channel] button[type=submit]');
    await page.waitForSelector('tr[data-channel=e2e-hook]');
    assert.equal(await page.getAttribute('tr[data-channel=e2e-hook] [data-testid=channel-language]', 'data-language'), 'zh');
    const row = await page.textContent('tr[data-channel=e2e-hook]');
    assert.match(row, /webhook/);
    assert.match(row, /http:\/\/127\.0\.0\.1:\d+/);
    assert.ok(!row.includes(TOKEN), 'the URL path is not shown');

    // The test button: delivered, and the receiver can verify it.
    await page.click('tr[data-channel=e2e-hook] button:has-text("Send test")');
    await page.waitForSelector('[data-testid=test-result]');
    assert.match(await page.textContent('[data-testid=test-result]'), /delivered/);
    assert.equal(seen.length, 1);
    const got = seen[0];
    assert.equal(got.url, `/hooks/${TOKEN}`);
    const ts = got.headers['x-polar-timestamp'];
    const want = `sha256=${crypto.createHmac('sha256', SECRET).update(`${ts}.${got.body}`).digest('hex')}`;
    assert.equal(got.headers['x-polar-signature'], want);
    assert.ok(Math.abs(Number(ts) - Date.now() / 1000) < 120);
    assert.equal(JSON.parse(got.body).event, 'test');
    assert.equal(JSON.parse(got.body).language, 'zh');
    assert.match(JSON.parse(got.body).title, /测试消息/);

    // A rule for prod clusters' failed backups.
    await page.selectOption('[data-testid=add-rule] select[name=event]', 'backup_failed');
    await page.fill('[data-testid=add-rule] input[name=tag_key]', 'env');
    await page.fill('[data-testid=add-rule] input[name=tag_value]', 'prod');
    await page.click('[data-testid=add-rule] button[type=submit]');
    await page.waitForSelector('[data-testid=rules-table]');
    const rules = await page.textContent('[data-testid=rules-table]');
    assert.match(rules, /backup_failed/);
    assert.match(rules, /env=prod/);

    // The delivery log shows the test.
    await page.reload();
    await page.waitForSelector('tr[data-channel=e2e-hook]');
    await page.click('tr[data-channel=e2e-hook] summary:has-text("Deliveries")');
    await page.waitForSelector('tr[data-channel=e2e-hook] [data-testid=deliveries]');
    const log = await page.textContent('tr[data-channel=e2e-hook] [data-testid=deliveries]');
    assert.match(log, /sent/);
    assert.match(log, /HTTP 200/);

    for (const b of bodies) {
      assert.ok(!b.includes(SECRET), 'the channel secret came back in a response');
      assert.ok(!b.includes(TOKEN), 'the URL path came back in a response');
    }
  } finally {
    await context.close();
    receiver.close();
  }
});
