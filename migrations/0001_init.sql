-- Users of the console: local accounts and users provisioned from the SSO proxy.
CREATE TABLE users (
    id            uuid PRIMARY KEY,
    username      text NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 128),
    display_name  text NOT NULL,
    email         text,
    role          text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    -- argon2id PHC string; NULL for users who only sign in through the proxy.
    password_hash text,
    auth_source   text NOT NULL DEFAULT 'local' CHECK (auth_source IN ('local', 'proxy')),
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Cloud accounts: an AccessKey pair each; the secret is AES-256-GCM encrypted with the
-- master key named by key_id, its associated data binding it to this row and that key.
CREATE TABLE cloud_accounts (
    id                uuid PRIMARY KEY,
    name              text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
    access_key_id     text NOT NULL,
    secret_ciphertext bytea NOT NULL,
    secret_nonce      bytea NOT NULL CHECK (length(secret_nonce) = 12),
    key_id            text NOT NULL,
    regions           text[] NOT NULL DEFAULT '{}',
    signature_version text NOT NULL DEFAULT 'v2' CHECK (signature_version IN ('v2', 'v3')),
    endpoint          text,
    enabled           boolean NOT NULL DEFAULT true,
    created_at        timestamptz NOT NULL DEFAULT now(),
    rotated_at        timestamptz NOT NULL DEFAULT now(),
    last_used_at      timestamptz
);
