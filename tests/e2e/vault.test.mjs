// Cloud accounts end to end: add one through the settings page, test it, use it for reads
// and writes, and check that neither its secret nor a database password sent through the
// console ever comes back in a response. (scripts/test.sh then searches the database
// dump and the logs for the same strings.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn, waitForHydration, BASE } from './harness.mjs';

const KEY_ID = process.env.E2E_KEY_ID;
const SECRET = process.env.E2E_KEY_SECRET;
const DB_PASSWORD = process.env.E2E_DB_PASSWORD;
const EMULATOR = process.env.E2E_EMULATOR_URL;

test('a cloud account added in the browser works and its secret never comes back', async () => {
  assert.ok(KEY_ID && SECRET && DB_PASSWORD && EMULATOR, 'E2E_KEY_ID, E2E_KEY_SECRET, E2E_DB_PASSWORD and E2E_EMULATOR_URL must be set');
  const { context, page } = await launch();
  const bodies = [];
  page.on('response', async (r) => {
    try { bodies.push(await r.text()); } catch { /* redirects and aborted loads have no body */ }
  });
  try {
    await signIn(page);
    await page.goto(`${BASE}/settings/accounts`);
    await page.waitForSelector('[data-testid=accounts-table]');
    await waitForHydration(page);
    await page.fill('[data-testid=add-account] input[name=name]', 'second');
    await page.fill('[data-testid=add-account] input[name=access_key_id]', KEY_ID);
    await page.fill('[data-testid=add-account] input[name=access_key_secret]', SECRET);
    await page.fill('[data-testid=add-account] input[name=regions]', 'cn-hangzhou, cn-shanghai');
    await page.selectOption('[data-testid=add-account] select[name=signature_version]', 'v3');
    await page.fill('[data-testid=add-account] input[name=endpoint]', EMULATOR);
    await page.check('[data-testid=add-account] input[name=emulator]');
    await page.click('[data-testid=add-account] button[type=submit]');
    await page.waitForSelector('tr[data-account=second]');
    const row = await page.textContent('tr[data-account=second]');
    assert.match(row, /LTAI\*\*\*\*/);
    assert.ok(!row.includes(KEY_ID), 'the full AccessKeyId is masked');

    // Test it: DescribeRegions through the new account.
    await page.click('tr[data-account=second] button:has-text("Test")');
    await page.waitForSelector('[data-testid=test-result]');
    assert.match(await page.textContent('[data-testid=test-result]'), /regions offered/);

    // Reads: the list shows its clusters too (two regions only).
    await page.goto(`${BASE}/clusters?account=second`);
    await page.waitForSelector('[data-testid=cluster-table]');
    const text = await page.textContent('[data-testid=cluster-table]');
    assert.match(text, /second/);
    assert.match(text, /cn-shanghai/);
    assert.ok(!/eu-central-1/.test(text), 'only the chosen regions');

    // A write carrying a password, through the console's API, as a page would send it.
    await waitForHydration(page);
    const clusterId = await page.getAttribute('[data-testid=cluster-table] tbody tr', 'data-cluster-id');
    const region = (await page.textContent('[data-testid=cluster-table] tbody tr td:nth-child(4) div')).trim();
    assert.ok(clusterId);
    const callApi = '/api/call_api';
    const created = await page.evaluate(async ({ callApi, clusterId, region, password }) => {
      const res = await fetch(callApi, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          account: 'second', region, action: 'CreateAccount',
          params: [['DBClusterId', clusterId], ['AccountName', 'e2e_user'], ['AccountPassword', password], ['AccountType', 'Normal']],
        }),
      });
      return { status: res.status, body: await res.text() };
    }, { callApi, clusterId, region, password: DB_PASSWORD });
    assert.equal(created.status, 200, created.body);
    assert.ok(!created.body.includes(DB_PASSWORD));

    // The audit trail shows the call with the password redacted.
    await page.goto(`${BASE}/audit?action=CreateAccount`);
    await page.waitForSelector('[data-testid=audit-table]');
    const audit = await page.textContent('[data-testid=audit-table]');
    assert.match(audit, /CreateAccount/);
    assert.match(audit, /redacted/);

    for (const b of bodies) {
      assert.ok(!b.includes(SECRET), 'the AccessKey secret came back in a response');
      assert.ok(!b.includes(DB_PASSWORD), 'the database password came back in a response');
    }
  } finally {
    await context.close();
  }
});
