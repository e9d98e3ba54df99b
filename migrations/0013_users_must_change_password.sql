-- A password an administrator set (a new local user's first one, or a reset) serves one
-- sign-in: until the user has chosen their own, the console lets them do nothing else.
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
