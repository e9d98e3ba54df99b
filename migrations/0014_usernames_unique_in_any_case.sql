-- A user name is taken in every case: `Bob` and `bob` are one name. Checked before this by
-- the console, but two creations at the same moment (or a local user and an SSO user's
-- first sign-in) both passed the check (eleventh attack run, F4). If this fails, two users
-- differ only in case: rename or delete one, then migrate again.
CREATE UNIQUE INDEX users_username_any_case ON users (lower(username));
