// /clusters/:id/whitelists, /ssl, /accounts and /databases after hydration, on a
// pay-as-you-go cluster the test creates for itself (and deletes at the end, so the seed's
// fleet stays as the other browser tests expect it):
// - a whitelist group is added, changed and removed, and the emulator's state follows;
//   0.0.0.0/0 raises the loud warning, needs a second confirmation and can be cancelled;
//   invalid entries are refused as they are typed, and no call goes out (emulator stats);
// - SSL is turned on and off (the restart is stated first), SQL collection on and off;
// - a database account with a password that breaks a rule is refused with the rule named,
//   a valid one is created, its description changed, its password reset, and it is deleted;
// - a database owned by it is created and deleted.
// Every database password typed is derived from E2E_DB_PASSWORD, so the leak check that
// scripts/e2e.sh runs afterwards (logs, full database dump with the audit trail) covers it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, signIn, waitForHydration } from './harness.mjs';

const STEP = 30000; // the longest wait for one change to settle
const REGION = 'cn-hangzhou';
const DB_PASSWORD = process.env.E2E_DB_PASSWORD;
const EMULATOR = process.env.E2E_EMULATOR_URL;

// One PolarDB call through the console (role check, audit, signing), as a page makes it.
async function api(page, account, action, params) {
  const res = await page.evaluate(async ({ account, region, action, params }) => {
    const r = await fetch('/api/call_api', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account, region, action, params }),
    });
    return { status: r.status, body: await r.text() };
  }, { account, region: REGION, action, params });
  return res.status === 200
    ? { ok: true, body: JSON.parse(JSON.parse(res.body).json) }
    : { ok: false, status: res.status, body: res.body };
}

async function waitFor(fn, what, timeout = STEP * 2) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function clusterStatus(page, account, id) {
  const r = await api(page, account, 'DescribeDBClusterAttribute', [['DBClusterId', id]]);
  return r.ok ? r.body.DBClusterStatus : null;
}

// How many requests of `action` the emulator has received (all clients together).
async function received(action) {
  const r = await fetch(new URL('_emulator/stats', EMULATOR));
  assert.equal(r.status, 200);
  const stats = await r.json();
  return stats.actions?.[action]?.received ?? 0;
}

async function groups(page, account, id) {
  const r = await api(page, account, 'DescribeDBClusterAccessWhitelist', [['DBClusterId', id]]);
  assert.ok(r.ok, JSON.stringify(r));
  return Object.fromEntries((r.body.Items?.DBClusterIPArray ?? [])
    .map((g) => [g.DBClusterIPArrayName, g.SecurityIps.split(',').filter(Boolean).sort()]));
}

// Waits until the element's text matches.
async function waitText(page, selector, re) {
  await page.waitForFunction(([s, src, flags]) => {
    const el = document.querySelector(s);
    return el && new RegExp(src, flags).test(el.textContent);
  }, [selector, re.source, re.flags], { timeout: STEP });
}

test('security and data: whitelists, SSL and SQL collection, database accounts, databases', async () => {
  assert.ok(DB_PASSWORD && EMULATOR, 'E2E_DB_PASSWORD and E2E_EMULATOR_URL are set by scripts/e2e.sh');
  const { context, page, errors } = await launch();
  let account;
  let id;
  try {
    await signIn(page);
    await page.waitForSelector('[data-testid=cluster-table]');
    const href = await page.getAttribute('[data-testid=cluster-table] tbody tr [data-testid=cluster-link]', 'href');
    account = new URL(href, BASE).searchParams.get('account');
    assert.ok(account, 'a cloud account in the list');

    const created = await api(page, account, 'CreateDBCluster', [
      ['ZoneId', 'cn-hangzhou-i'], ['DBType', 'PostgreSQL'], ['DBVersion', '14'],
      ['DBNodeClass', 'polar.pg.x4.medium'], ['PayType', 'Postpaid'],
      ['DBClusterDescription', 'e2e-security']]);
    assert.ok(created.ok, JSON.stringify(created));
    id = created.body.DBClusterId;
    await waitFor(async () => (await clusterStatus(page, account, id)) === 'Running', 'the new cluster to run', STEP * 4);
    const q = `?account=${encodeURIComponent(account)}&region=${REGION}`;

    // ---- Whitelists ----
    await page.goto(`${BASE}/clusters/${id}/whitelists${q}`);
    await page.waitForSelector('[data-testid=whitelist-table]');
    await waitForHydration(page);
    assert.equal(await page.getAttribute('[data-tab=whitelists]', 'aria-current'), 'page');
    // The service's own group is shown read-only.
    const system = page.locator('[data-testid=whitelist-table] tr[data-read-only=true]');
    assert.ok(await system.count() >= 1, 'a service-managed group');
    assert.equal(await system.locator('[data-testid=edit-group]').count(), 0);
    assert.equal(await system.locator('[data-testid=remove-group]').count(), 0);
    assert.match(await system.first().textContent(), /Managed by the service/);

    // Add a group: the name rule is checked as typed; the review shows the diff.
    await page.click('[data-testid=add-group]');
    await page.waitForSelector('[data-testid=group-editor]');
    await page.fill('[data-testid=group-name]', 'App_Servers');
    await waitText(page, '[data-testid=group-problem]', /only lowercase letters and digits/);
    assert.ok(await page.isDisabled('[data-testid=review-change]'));
    await page.fill('[data-testid=group-name]', 'e2eapps');
    await page.fill('[data-testid=group-entries]', '192.168.10.0/24\n10.1.2.3');
    await waitText(page, '[data-testid=group-problem]', /2 entries/);
    await page.click('[data-testid=review-change]');
    const review = page.locator('[data-testid=review-dialog]');
    await review.waitFor();
    assert.match(await review.locator('h2').textContent(), /Create whitelist group e2eapps/);
    assert.deepEqual(await review.locator('[data-testid=diff-added]').allTextContents(), ['+ 192.168.10.0/24', '+ 10.1.2.3']);
    assert.equal(await review.locator('[data-testid=wide-warning]').count(), 0);
    await page.click('[data-testid=apply-change]');
    await review.waitFor({ state: 'detached' });
    await page.waitForSelector('tr[data-group=e2eapps]');
    assert.deepEqual((await groups(page, account, id)).e2eapps, ['10.1.2.3', '192.168.10.0/24']);

    // Change it: one entry replaced (the review names both sides).
    await page.click('tr[data-group=e2eapps] [data-testid=edit-group]');
    await page.fill('[data-testid=group-entries]', '192.168.10.0/24\n10.1.2.4');
    await page.click('[data-testid=review-change]');
    await review.waitFor();
    assert.deepEqual(await review.locator('[data-testid=diff-added]').allTextContents(), ['+ 10.1.2.4']);
    assert.deepEqual(await review.locator('[data-testid=diff-removed]').allTextContents(), ['− 10.1.2.3']);
    assert.match(await review.locator('[data-testid=diff-mode]').textContent(), /ModifyMode=Cover/);
    await page.click('[data-testid=apply-change]');
    await review.waitFor({ state: 'detached' });
    await waitFor(async () => (await groups(page, account, id)).e2eapps?.join() === '10.1.2.4,192.168.10.0/24', 'the emulator to have the changed group');
    await waitText(page, 'tr[data-group=e2eapps] [data-testid=group-ips]', /10\.1\.2\.4/);

    // Invalid entries are refused as they are typed; nothing is sent.
    const sentBefore = await received('ModifyDBClusterAccessWhitelist');
    await page.click('tr[data-group=e2eapps] [data-testid=edit-group]');
    const entries = '[data-testid=group-entries]';
    await page.fill(entries, '192.168.10.0/24\n10.1.2.300');
    await waitText(page, '[data-testid=group-problem]', /10\.1\.2\.300: 300 is out of range/);
    assert.ok(await page.isDisabled('[data-testid=review-change]'));
    await page.fill(entries, '192.168.10.0/33');
    await waitText(page, '[data-testid=group-problem]', /prefix length after \/ must be from 1 to 32/);
    await page.fill(entries, '192.168.10.7/24');
    await waitText(page, '[data-testid=group-problem]', /bits set beyond the \/24 prefix; the block is 192\.168\.10\.0\/24/);
    await page.fill(entries, '10.1.2.4, 10.1.2.4/32');
    await waitText(page, '[data-testid=group-problem]', /listed twice/);
    assert.ok(await page.isDisabled('[data-testid=review-change]'));
    await page.locator('[data-testid=group-entries]').evaluate((el) => el.form.requestSubmit());
    assert.equal(await review.count(), 0, 'no review of an invalid list');

    // 0.0.0.0/0: a loud warning and a second confirmation; cancelled, nothing changes.
    await page.fill(entries, '192.168.10.0/24\n10.1.2.4\n0.0.0.0/0');
    await page.click('[data-testid=review-change]');
    await review.waitFor();
    const warning = review.locator('[data-testid=wide-warning]');
    await warning.waitFor();
    assert.match(await warning.textContent(), /very wide range/);
    assert.match(await warning.textContent(), /0\.0\.0\.0\/0: every IPv4 address on the internet/);
    assert.ok(await page.isDisabled('[data-testid=apply-change]'), 'apply waits for the second confirmation');
    await page.check('[data-testid=wide-ack]');
    await page.waitForSelector('[data-testid=apply-change]:not([disabled])');
    await page.click('[data-testid=cancel-review]');
    await review.waitFor({ state: 'detached' });
    await page.click('[data-testid=cancel-edit]');
    assert.equal(await received('ModifyDBClusterAccessWhitelist'), sentBefore, 'no call went out');
    assert.deepEqual((await groups(page, account, id)).e2eapps, ['10.1.2.4', '192.168.10.0/24']);

    // Remove the group.
    await page.click('tr[data-group=e2eapps] [data-testid=remove-group]');
    await review.waitFor();
    assert.match(await review.locator('h2').textContent(), /Remove whitelist group e2eapps/);
    assert.equal(await review.locator('[data-testid=diff-removed]').count(), 2);
    await page.click('[data-testid=apply-change]');
    await review.waitFor({ state: 'detached' });
    await page.waitForSelector('tr[data-group=e2eapps]', { state: 'detached' });
    assert.equal((await groups(page, account, id)).e2eapps, undefined);
    assert.ok((await groups(page, account, id)).default, 'the default group stays');

    // ---- SSL and SQL collection ----
    await page.click('[data-tab=ssl]');
    await page.waitForURL(new RegExp(`/clusters/${id}/ssl\\?`));
    await page.waitForSelector('[data-testid=ssl-table]');
    const sslRows = '[data-testid=ssl-table] tbody tr';
    assert.ok(await page.locator(sslRows).count() >= 1);
    assert.equal(await page.locator(`${sslRows}[data-ssl=Enabled]`).count(), 0);
    const confirm = page.locator('[data-testid=confirm-dialog]');
    await page.click('[data-testid=ssl-enable]');
    await confirm.waitFor();
    assert.match(await confirm.textContent(), /restarts/);
    await page.click('[data-testid=confirm-action]');
    await confirm.waitFor({ state: 'detached' });
    await page.waitForFunction((s) => {
      const rows = [...document.querySelectorAll(s)];
      return rows.length > 0 && rows.every((r) => r.dataset.ssl === 'Enabled');
    }, sslRows, { timeout: STEP * 2 });
    assert.match(await page.textContent(`${sslRows} [data-testid=ssl-countdown]`), /^36[45] days left$/);
    const ssl = await api(page, account, 'DescribeDBClusterSSL', [['DBClusterId', id]]);
    assert.ok(ssl.body.Items.every((i) => i.SSLEnabled === 'Enabled'), JSON.stringify(ssl.body));

    // Automatic certificate rotation (SSLAutoRotate): no restart, read back from the API.
    assert.equal((await page.textContent('[data-testid=ssl-rotate]')).trim(), 'off');
    await page.waitForSelector('[data-testid=ssl-rotate-on]:not([disabled])', { timeout: STEP });
    await page.click('[data-testid=ssl-rotate-on]');
    await confirm.waitFor();
    assert.match(await confirm.textContent(), /Nothing restarts now/);
    await page.click('[data-testid=confirm-action]');
    await confirm.waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.querySelector('[data-testid=ssl-rotate]')?.textContent.trim() === 'on', null, { timeout: STEP });
    const rotating = await api(page, account, 'DescribeDBClusterSSL', [['DBClusterId', id]]);
    assert.equal(rotating.body.SSLAutoRotate, 'Enable');
    assert.equal(await page.locator('[data-testid=ssl-rotate-on]').count(), 0);

    await page.waitForSelector('[data-testid=ssl-disable]:not([disabled])', { timeout: STEP });
    await page.click('[data-testid=ssl-disable]');
    await confirm.waitFor();
    assert.match(await confirm.textContent(), /fail to connect/);
    assert.match(await confirm.textContent(), /restarts/);
    await page.click('[data-testid=confirm-action]');
    await confirm.waitFor({ state: 'detached' });
    await page.waitForFunction((s) => {
      const rows = [...document.querySelectorAll(s)];
      return rows.length > 0 && rows.every((r) => r.dataset.ssl === 'Disabled');
    }, sslRows, { timeout: STEP * 2 });
    const sslOff = await api(page, account, 'DescribeDBClusterSSL', [['DBClusterId', id]]);
    assert.ok(sslOff.body.Items.every((i) => i.SSLEnabled === 'Disabled'));

    await page.waitForSelector('[data-testid=collector-enable]:not([disabled])', { timeout: STEP });
    assert.equal((await page.textContent('[data-testid=collector-status]')).trim(), 'Off');
    await page.click('[data-testid=collector-enable]');
    await confirm.waitFor();
    await page.click('[data-testid=confirm-action]');
    await confirm.waitFor({ state: 'detached' });
    await waitText(page, '[data-testid=collector-status]', /^On$/);
    const col = await api(page, account, 'DescribeDBClusterAuditLogCollector', [['DBClusterId', id]]);
    assert.equal(col.body.CollectorStatus, 'Enable');
    await page.click('[data-testid=collector-disable]');
    await confirm.waitFor();
    await page.click('[data-testid=confirm-action]');
    await confirm.waitFor({ state: 'detached' });
    await waitText(page, '[data-testid=collector-status]', /^Off$/);
    const colOff = await api(page, account, 'DescribeDBClusterAuditLogCollector', [['DBClusterId', id]]);
    assert.equal(colOff.body.CollectorStatus, 'Disabled');

    // ---- Database accounts ----
    await page.click('[data-tab=accounts]');
    await page.waitForURL(new RegExp(`/clusters/${id}/accounts\\?`));
    await page.waitForSelector('[data-testid=create-account]:not([disabled])');
    await page.click('[data-testid=create-account]');
    await page.waitForSelector('[data-testid=create-panel]');
    assert.equal(await page.getAttribute('[data-testid=account-password]', 'type'), 'password');
    assert.equal(await page.getAttribute('[data-testid=account-password]', 'autocomplete'), 'new-password');
    await page.fill('[data-testid=account-name]', 'root');
    await waitText(page, '[data-testid=name-problem]', /The name root is reserved/);
    await page.fill('[data-testid=account-name]', 'e2eowner');
    // Passwords breaking a rule: refused as typed, with the rule named.
    await page.fill('[data-testid=account-password]', 'Sh0rt!');
    await waitText(page, '[data-testid=password-problem]', /must have 8 to 32 characters/);
    await page.fill('[data-testid=account-password]', 'onlylowercase1');
    await page.fill('[data-testid=account-password-again]', 'onlylowercase1');
    await waitText(page, '[data-testid=password-problem]', /at least three of: uppercase letters, lowercase letters, digits/);
    assert.ok(await page.isDisabled('[data-testid=submit-create]'));
    const createsBefore = await received('CreateAccount');
    await page.locator('[data-testid=account-password]').evaluate((el) => el.form.requestSubmit());
    // The name was checked with CheckAccountName when the field was left.
    await page.waitForSelector('[data-testid=name-available]');
    // A valid one.
    const password = `${DB_PASSWORD}a1`;
    await page.fill('[data-testid=account-password]', password);
    await page.fill('[data-testid=account-password-again]', `${password}x`);
    await waitText(page, '[data-testid=password-problem]', /two passwords differ/);
    await page.fill('[data-testid=account-password-again]', password);
    await page.waitForSelector('[data-testid=submit-create]:not([disabled])');
    assert.equal(await received('CreateAccount'), createsBefore, 'the refused password was never sent');
    await page.click('[data-testid=submit-create]');
    await page.waitForSelector('tr[data-account=e2eowner]');
    await page.waitForSelector('[data-testid=create-panel]', { state: 'detached' });
    assert.ok(!(await page.content()).includes(password), 'the password is not on the page');
    const accounts = await api(page, account, 'DescribeAccounts', [['DBClusterId', id]]);
    const acc = accounts.body.Accounts.find((a) => a.AccountName === 'e2eowner');
    assert.equal(acc?.AccountType, 'Normal');

    // Its description.
    await page.click('tr[data-account=e2eowner] [data-testid=edit-account-description]');
    const accountDialog = page.locator('[data-testid=account-dialog]');
    await accountDialog.waitFor();
    await page.fill('[data-testid=description-input]', 'https://x');
    await waitText(page, '[data-testid=description-problem]', /must not start with http/);
    await page.fill('[data-testid=description-input]', 'owner of e2e data');
    await page.click('[data-testid=confirm-dialog]');
    await accountDialog.waitFor({ state: 'detached' });
    await waitText(page, 'tr[data-account=e2eowner] [data-testid=account-description]', /owner of e2e data/);

    // The list filters and sorts in the browser (the kit's data table).
    const rows = () => page.$$eval('[data-testid=accounts-table] tbody tr', (trs) => trs.map((r) => r.dataset.account));
    const all = await rows();
    await page.fill('[data-testid=table-filter]', 'no-such-account');
    await waitText(page, '[data-testid=table-count]', new RegExp(`^Showing 0 of ${all.length} accounts?$`));
    assert.deepEqual(await rows(), []);
    await page.fill('[data-testid=table-filter]', 'E2EOWNER owner');
    await waitText(page, '[data-testid=table-count]', new RegExp(`^Showing 1 of ${all.length} accounts?$`));
    assert.deepEqual(await rows(), ['e2eowner']);
    await page.fill('[data-testid=table-filter]', '');
    await waitText(page, '[data-testid=table-count]', new RegExp(`^${all.length} accounts?$`));
    const head = '[data-testid=accounts-table] th:first-child';
    await page.click(`${head} [data-testid=sort]`);
    assert.equal(await page.getAttribute(head, 'aria-sort'), 'ascending');
    assert.deepEqual(await rows(), [...all].sort());
    await page.click(`${head} [data-testid=sort]`);
    assert.equal(await page.getAttribute(head, 'aria-sort'), 'descending');
    assert.deepEqual(await rows(), [...all].sort().reverse());

    // ---- Databases ----
    await page.click('[data-tab=databases]');
    await page.waitForURL(new RegExp(`/clusters/${id}/databases\\?`));
    await page.waitForSelector('[data-testid=create-database]:not([disabled])');
    await page.click('[data-testid=create-database]');
    await page.waitForSelector('[data-testid=create-database-panel]');
    await page.fill('[data-testid=database-name]', 'Orders');
    await waitText(page, '[data-testid=database-problem]', /only lowercase letters, digits, - and _/);
    await page.fill('[data-testid=database-name]', 'e2e_orders');
    await page.fill('[data-testid=database-description]', 'orders of the e2e test');
    assert.equal(await page.inputValue('[data-testid=database-owner-select]'), 'e2eowner');
    const charset = await page.inputValue('[data-testid=database-charset-select]');
    assert.ok(charset, 'a character set from DescribeDBInitializeVariable');
    const collate = await page.inputValue('[data-testid=database-collate-select]');
    assert.ok(collate);
    await page.waitForSelector('[data-testid=submit-create-database]:not([disabled])');
    await page.click('[data-testid=submit-create-database]');
    const dbRow = 'tr[data-database=e2e_orders]';
    await page.waitForSelector(dbRow);
    assert.equal((await page.textContent(`${dbRow} [data-testid=database-owner]`)).trim(), 'e2eowner');
    assert.equal((await page.textContent(`${dbRow} [data-testid=database-charset]`)).trim(), charset);
    // DescribeDatabases answers no Collate or Ctype (neither the reference nor the SDK's
    // model has them): the list has no such columns.
    assert.equal(await page.$(`${dbRow} [data-testid=database-collate]`), null);
    assert.equal(await page.$(`${dbRow} [data-testid=database-ctype]`), null);
    const dbs = await api(page, account, 'DescribeDatabases', [['DBClusterId', id]]);
    const ordersDb = dbs.body.Databases.Database.find((d) => d.DBName === 'e2e_orders');
    assert.ok(ordersDb);
    assert.ok(!('Collate' in ordersDb) && !('Ctype' in ordersDb), JSON.stringify(ordersDb));

    await page.click(`${dbRow} [data-testid=delete-database]`);
    const dbDialog = page.locator('[data-testid=delete-database-dialog]');
    await dbDialog.waitFor();
    assert.ok(await page.isDisabled('[data-testid=confirm-delete-database]'));
    await page.fill('[data-testid=delete-database-input]', 'e2e_orders');
    await page.click('[data-testid=confirm-delete-database]');
    await dbDialog.waitFor({ state: 'detached' });
    await page.waitForSelector(dbRow, { state: 'detached' });
    const dbsAfter = await api(page, account, 'DescribeDatabases', [['DBClusterId', id]]);
    assert.ok(!(dbsAfter.body.Databases.Database ?? []).some((d) => d.DBName === 'e2e_orders'));

    // ---- Reset the account's password, then delete it ----
    await page.click('[data-tab=accounts]');
    await page.waitForSelector('tr[data-account=e2eowner] [data-testid=reset-password]:not([disabled])');
    const resetsBefore = await received('ModifyAccountPassword');
    await page.click('tr[data-account=e2eowner] [data-testid=reset-password]');
    await accountDialog.waitFor();
    const newPassword = `${DB_PASSWORD}b2`;
    await page.fill('[data-testid=new-password]', 'password');
    await waitText(page, '[data-testid=new-password-problem]', /at least three of/);
    await page.fill('[data-testid=new-password]', newPassword);
    await page.fill('[data-testid=new-password-again]', `${newPassword}-`);
    await waitText(page, '[data-testid=new-password-problem]', /two passwords differ/);
    assert.ok(await page.isDisabled('[data-testid=confirm-dialog]'));
    await page.fill('[data-testid=new-password-again]', newPassword);
    await page.click('[data-testid=confirm-dialog]');
    await accountDialog.waitFor({ state: 'detached' });
    await waitText(page, '[data-testid=accounts-done]', /password of e2eowner was reset/);
    assert.equal(await received('ModifyAccountPassword'), resetsBefore + 1);
    assert.ok(!(await page.content()).includes(newPassword), 'the new password is not on the page');

    await page.click('tr[data-account=e2eowner] [data-testid=delete-account]');
    await accountDialog.waitFor();
    assert.match(await accountDialog.textContent(), /Delete account e2eowner\?/);
    await page.click('[data-testid=confirm-dialog]');
    await accountDialog.waitFor({ state: 'detached' });
    await page.waitForSelector('tr[data-account=e2eowner]', { state: 'detached' });
    const accountsAfter = await api(page, account, 'DescribeAccounts', [['DBClusterId', id]]);
    assert.ok(!accountsAfter.body.Accounts.some((a) => a.AccountName === 'e2eowner'));

    assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'browser console errors');
  } finally {
    if (id) {
      // Leave the fleet as the seed made it.
      await waitFor(async () => (await clusterStatus(page, account, id)) === 'Running', 'the cluster to settle before deletion').catch(() => {});
      const del = await api(page, account, 'DeleteDBCluster', [['DBClusterId', id]]);
      if (del.ok) {
        await waitFor(async () => (await clusterStatus(page, account, id)) === null, 'the cluster to go').catch(() => {});
      }
    }
    await context.close();
  }
});
