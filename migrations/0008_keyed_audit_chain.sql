-- A keyed audit chain (issue 13, finding 4). Records from `audit_key.keyed_from` on are
-- chained with HMAC-SHA256 under a random 32-byte key that only the console can read (it is
-- encrypted under the master key, like cloud-account secrets); older records keep their
-- unkeyed SHA-256 links and still verify. See backend/src/audit.rs.
--
-- Forward-only and additive. From this migration on, migrations run as the database's owner
-- (POLAR_DATABASE_OWNER_URL) and the console connects as a role that owns none of this: it
-- gets SELECT and INSERT on the audit tables (backend/src/db.rs grants it after migrating).

-- The chain key, encrypted; its associated data binds the row, keyed_from and the master
-- key id, so none of them can be changed without the key failing to decrypt.
CREATE TABLE audit_key (
    id          smallint    PRIMARY KEY CHECK (id = 1),
    keyed_from  bigint      NOT NULL CHECK (keyed_from >= 1),
    ciphertext  bytea       NOT NULL,
    nonce       bytea       NOT NULL CHECK (length(nonce) = 12),
    key_id      text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- The chain's last record, MACed, written in the same transaction as every append: a chain
-- that ends before its head lost its last records.
CREATE TABLE audit_head (
    id    smallint PRIMARY KEY CHECK (id = 1),
    seq   bigint   NOT NULL,
    hash  bytea    NOT NULL,
    mac   bytea    NOT NULL
);

-- Checkpoints are MACed too (NULL on checkpoints written before this migration).
ALTER TABLE audit_checkpoints ADD COLUMN mac bytea;
