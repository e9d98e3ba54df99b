-- Roles: the three built-in ones (their policies live in code) and custom ones written
-- like RAM policies. Users point at a role by name.
CREATE TABLE roles (
    name        text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_-]{0,39}$'),
    description text NOT NULL DEFAULT '',
    builtin     boolean NOT NULL DEFAULT false,
    policy      jsonb NOT NULL DEFAULT '{"Statement": []}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO roles (name, description, builtin) VALUES
    ('viewer', 'Reads everything; sees the audit trail of their own actions', true),
    ('operator', 'Viewer plus day-2 changes: whitelists, SSL, accounts, databases, backups, tags, parameters, endpoints, node restart, events, tasks, monitoring', true),
    ('admin', 'Everything, including cluster create/delete, failover, nodes, cloud accounts, users and roles', true);
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_fkey FOREIGN KEY (role) REFERENCES roles (name) ON UPDATE CASCADE;

-- The audit trail: append-only, one hash chain. Each record's hash covers the previous
-- record's hash and its own canonical content; `seq` is gap-free, assigned under a lock.
CREATE TABLE audit_events (
    seq                 bigint PRIMARY KEY,
    id                  uuid NOT NULL UNIQUE,
    at                  timestamptz NOT NULL,
    actor_id            uuid,
    actor_name          text NOT NULL,
    auth_method         text NOT NULL,
    client_addr         text,
    user_agent          text,
    request_id          text,
    cloud_account       text,
    region              text,
    action              text NOT NULL,
    kind                text NOT NULL CHECK (kind IN ('read', 'write', 'security')),
    resource            jsonb NOT NULL DEFAULT '{}',
    params              jsonb NOT NULL DEFAULT '{}',
    outcome             text NOT NULL CHECK (outcome IN ('intent', 'ok', 'error', 'denied', 'unknown')),
    http_status         integer,
    error_code          text,
    error_message       text,
    upstream_request_id text,
    client_token        text,
    attempts            integer,
    latency_ms          integer,
    intent_seq          bigint REFERENCES audit_events (seq),
    prev_hash           bytea NOT NULL,
    hash                bytea NOT NULL
);
CREATE INDEX audit_events_at ON audit_events (at DESC, seq DESC);
CREATE INDEX audit_events_actor ON audit_events (actor_id, seq DESC);
CREATE INDEX audit_events_cluster ON audit_events ((resource ->> 'cluster'), seq DESC);

-- A second wall behind the role's privileges: no update, delete or truncate.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP;
END $$;
CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
-- The owner (the console's own role) gives up the right to change history; a superuser
-- bypasses privileges, which is why the trigger above and the hash chain exist.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM CURRENT_USER;
