-- Devices that signed in (issue 13, finding 7): a browser that signed in as a user keeps a
-- device cookie (random; only its SHA-256 is stored). An attempt for that user carrying it
-- is paced on its own ('device' row) instead of by the user name ('user' row), so a
-- guesser spread over many addresses, who slows the user name down, does not hold off
-- the real user on a browser they signed in with before.
CREATE TABLE sign_in_devices (
    token_hash   bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_devices_user ON sign_in_devices (user_id, last_used_at);

ALTER TABLE sign_in_limits DROP CONSTRAINT sign_in_limits_scope_check;
ALTER TABLE sign_in_limits ADD CONSTRAINT sign_in_limits_scope_check
    CHECK (scope IN ('addr', 'user', 'device'));
