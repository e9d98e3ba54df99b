-- Background work runs once across every console process that shares this database.
-- A period of a job belongs to the process that inserts its row first; the others skip it.
-- (Forward-only and additive: an older process still serving ignores these tables.)
CREATE TABLE background_runs (
    job         text        NOT NULL,
    slot        bigint      NOT NULL,  -- floor(epoch seconds / the job's period in seconds)
    instance    text        NOT NULL,  -- host, process id and a random suffix
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    outcome     text,
    PRIMARY KEY (job, slot)
);
CREATE INDEX background_runs_started ON background_runs (started_at);

-- Audit checkpoints: the chain's head, each verified from the previous checkpoint. A chain
-- whose head falls below a checkpoint was cut short.
CREATE TABLE audit_checkpoints (
    seq  bigint      PRIMARY KEY,
    hash bytea       NOT NULL,
    at   timestamptz NOT NULL DEFAULT now()
);
REVOKE UPDATE, DELETE, TRUNCATE ON audit_checkpoints FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_checkpoints FROM CURRENT_USER;
