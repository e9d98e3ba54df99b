-- Changes as data (#15): a change is a record of the requests it will send, to one cluster
-- or a fleet, with who asked and why, its approvals, its schedule and the progress of
-- each request. The requests are canonical parameter lists (polardb::request) with no
-- secret in them: a change whose request carries a password runs at once or not at all.

-- Which writes need how many approvals, from which roles (administrators' settings).
CREATE TABLE approval_policies (
    id uuid PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
    -- Action names of the catalogue; empty: every write.
    actions text[] NOT NULL DEFAULT '{}',
    cloud_account text,
    region text,
    tag_key text,
    tag_value text,
    approvals integer NOT NULL CHECK (approvals BETWEEN 1 AND 5),
    -- Roles whose members may approve (built-in or custom role names).
    approver_roles text[] NOT NULL CHECK (cardinality(approver_roles) BETWEEN 1 AND 16),
    -- How long a request waits for its approvals, and how long approvals stay good.
    expires_hours integer NOT NULL DEFAULT 72 CHECK (expires_hours BETWEEN 1 AND 720),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE changes (
    id uuid PRIMARY KEY,
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    reason text NOT NULL DEFAULT '' CHECK (length(reason) <= 2000),
    -- The requester (kept by name as well: a removed user's changes stay readable).
    requested_by uuid NOT NULL,
    requester text NOT NULL,
    action text NOT NULL,
    state text NOT NULL CHECK (state IN ('draft', 'awaiting_approval', 'approved', 'scheduled',
        'running', 'succeeded', 'partly_failed', 'failed', 'cancelled', 'rejected', 'expired')),
    -- The policy that asked for approvals (by name, as it was), how many, from whom.
    policy text,
    approvals_needed integer NOT NULL DEFAULT 0 CHECK (approvals_needed BETWEEN 0 AND 5),
    approver_roles text[] NOT NULL DEFAULT '{}',
    expires_hours integer NOT NULL DEFAULT 72,
    -- 'now', 'at' (run_at), or 'window' (each cluster's maintenance window).
    schedule text NOT NULL CHECK (schedule IN ('now', 'at', 'window')),
    -- When the scheduler next looks at it (NULL: not waiting for a time).
    run_at timestamptz,
    -- An awaiting change expires then; an approved one must have run by then.
    expires_at timestamptz,
    -- Rollout of a fleet change: a canary batch, then batches, stop past max_failures.
    canary integer NOT NULL DEFAULT 1 CHECK (canary BETWEEN 1 AND 100),
    batch_size integer NOT NULL DEFAULT 10 CHECK (batch_size BETWEEN 1 AND 100),
    max_failures integer NOT NULL DEFAULT 0 CHECK (max_failures BETWEEN 0 AND 1000),
    revert_of uuid REFERENCES changes (id),
    retry_of uuid REFERENCES changes (id),
    -- The process running it and until when its claim holds (a crashed runner's change
    -- is taken over after that).
    claimed_by text,
    claimed_until timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX changes_due ON changes (run_at) WHERE state IN ('scheduled', 'running');
CREATE INDEX changes_waiting ON changes (expires_at) WHERE state = 'awaiting_approval';
CREATE INDEX changes_requester ON changes (requested_by, created_at DESC);
CREATE INDEX changes_recent ON changes (created_at DESC);

-- One request of a change: one cluster (or region-wide) in one account and region.
CREATE TABLE change_steps (
    change_id uuid NOT NULL REFERENCES changes (id) ON DELETE CASCADE,
    seq integer NOT NULL,
    batch integer NOT NULL,
    cloud_account text NOT NULL,
    region text NOT NULL,
    cluster text NOT NULL DEFAULT '',
    action text NOT NULL,
    -- The canonical parameters, [[key, value], ...], secrets never stored.
    params jsonb NOT NULL,
    -- What the preview read before (the values a revert puts back), as the page showed it.
    before jsonb,
    -- The cluster's maintenance window (`MaintainTime`) when the change runs in windows:
    -- the step is sent only while it is open.
    maintain_window text,
    state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'succeeded',
        'failed', 'skipped', 'cancelled')),
    request_id text,
    error_code text,
    error_message text,
    started_at timestamptz,
    finished_at timestamptz,
    PRIMARY KEY (change_id, seq)
);
CREATE INDEX change_steps_cluster ON change_steps (cluster);

CREATE TABLE change_approvals (
    change_id uuid NOT NULL REFERENCES changes (id) ON DELETE CASCADE,
    user_id uuid NOT NULL,
    username text NOT NULL,
    decision text NOT NULL CHECK (decision IN ('approve', 'reject')),
    comment text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
    decided_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (change_id, user_id)
);
