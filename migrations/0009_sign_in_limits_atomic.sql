-- Sign-in limits counted atomically with the attempt (issue 13, finding 7). One row per
-- client address ('addr') and one per user name ('user'); an attempt reserves its place
-- with one INSERT … ON CONFLICT … DO UPDATE … WHERE … RETURNING before any password is
-- hashed, so concurrent attempts cannot all pass a check made before the first is counted.
-- An attempt that succeeds, or was never evaluated, gives its place back.
CREATE TABLE sign_in_limits (
    scope        text NOT NULL CHECK (scope IN ('addr', 'user')),
    key          text NOT NULL CHECK (length(key) <= 256),
    -- Failed or still running attempts since window_start.
    attempts     integer NOT NULL CHECK (attempts >= 0),
    window_start timestamptz NOT NULL,
    last_at      timestamptz NOT NULL,
    -- 'user' rows: no attempt for this user name is evaluated before this time.
    next_at      timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);
-- Housekeeping removes rows nobody has used for a day.
CREATE INDEX sign_in_limits_last_at ON sign_in_limits (last_at);
