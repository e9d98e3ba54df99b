// Team members without SSO (#17.4): an administrator adds a local Operator on the users
// page and reads the one-time password once; the Operator signs in with it, is held on the
// password page until they choose their own, and then can do what an Operator may and no
// more: day-2 changes on a cluster, no deletion, no user management. Finally the
// administrator deletes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn, waitForHydration, BASE } from './harness.mjs';

const NAME = `e2e-op-${Date.now() % 100000}`;
const OWN = 'operator-chose-this-password';

test('an added Operator chooses a password, then has exactly an Operator\'s rights', async () => {
  const admin = await launch();
  let oneTime;
  try {
    await signIn(admin.page);
    await admin.page.goto(`${BASE}/settings/users`);
    await admin.page.waitForSelector('[data-testid=users-table]');
    await waitForHydration(admin.page);
    await admin.page.fill('[data-testid=new-user-name]', NAME);
    await admin.page.fill('[data-testid=new-user-display]', 'E2E Operator');
    await admin.page.selectOption('[data-testid=new-user-role]', 'operator');
    await admin.page.click('[data-testid=add-user-submit]');
    oneTime = (await (await admin.page.waitForSelector('[data-testid=one-time-password]')).textContent()).trim();
    assert.ok(oneTime.length >= 16, oneTime);
    await admin.page.waitForSelector(`tr[data-user="${NAME}"] [data-testid=user-must-change]`);
  } finally {
    await admin.context.close();
  }

  const op = await launch();
  try {
    const { page } = op;
    await page.goto(`${BASE}/signin`);
    await page.fill('input[name=username]', NAME);
    await page.fill('input[name=password]', oneTime);
    await Promise.all([page.waitForURL(/\/settings\/password$/), page.click('button[type=submit]')]);
    await page.waitForSelector('[data-testid=must-change-password]');
    // Any other page leads back here.
    await page.goto(`${BASE}/clusters`);
    await page.waitForURL(/\/settings\/password$/);
    await waitForHydration(page);
    await page.fill('input[name=current_password]', oneTime);
    await page.fill('input[name=new_password]', OWN);
    await page.fill('input[name=confirm_password]', OWN);
    await page.click('[data-testid=change-password]');
    await page.waitForSelector('[data-testid=password-changed]');
    await Promise.all([page.waitForURL(/\/clusters/), page.click('[data-testid=password-changed] a')]);
    const first = await page.waitForSelector('[data-testid=cluster-table] a[href*="/clusters/pc-"]', { timeout: 60000 });
    const href = await first.getAttribute('href');
    assert.equal(await page.textContent('.user-role'), 'Operator'); // the built-in role by its name in the language

    // An Operator's day-2 change is offered; deleting the cluster is not.
    await page.goto(`${BASE}${href}`);
    await page.waitForSelector('[data-testid=cluster-overview]');
    assert.ok(await page.$('[data-testid=edit-description]'), 'an Operator may change the description');
    assert.equal(await page.$('[data-testid=delete-cluster]'), null, 'an Operator may not delete');
    // Managing users is not theirs.
    await page.goto(`${BASE}/settings/users`);
    await page.waitForSelector('.error-box, [role=alert]');
    assert.equal(await page.$('[data-testid=users-table]'), null);
  } finally {
    await op.context.close();
  }

  // The administrator deletes the user: the name typed to confirm (a plain form).
  const again = await launch();
  try {
    await signIn(again.page);
    await again.page.goto(`${BASE}/settings/users`);
    const row = `tr[data-user="${NAME}"]`;
    await again.page.waitForSelector(row);
    await again.page.click(`${row} [data-testid=delete-user-open]`);
    await again.page.fill(`${row} [data-testid=delete-user-confirm]`, NAME);
    await again.page.click(`${row} [data-testid=delete-user]`);
    await again.page.waitForSelector(row, { state: 'detached' });
  } finally {
    await again.context.close();
  }
});
