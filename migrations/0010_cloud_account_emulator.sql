-- An endpoint override must be https unless the account is explicitly marked as a local
-- emulator. Accounts that already point at a plain-http endpoint were the emulator.
ALTER TABLE cloud_accounts ADD COLUMN emulator boolean NOT NULL DEFAULT false;
UPDATE cloud_accounts SET emulator = true WHERE endpoint LIKE 'http://%';
