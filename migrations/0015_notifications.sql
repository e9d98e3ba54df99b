-- Notification channels, the rules that route events to them, and every delivery (#16).
-- A channel's URL (it may carry a token: DingTalk's access_token, WeCom's key, Slack's
-- path) and its signing secret are sealed with the master keys like AccessKey secrets;
-- they never return to a browser.
CREATE TABLE notification_channels (
    id uuid PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
    kind text NOT NULL CHECK (kind IN ('webhook', 'dingtalk', 'feishu', 'wecom', 'slack')),
    -- What may be shown: scheme and host of the URL.
    url_shown text NOT NULL,
    url_ciphertext bytea NOT NULL,
    url_nonce bytea NOT NULL,
    secret_ciphertext bytea,
    secret_nonce bytea,
    key_id text NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notification_rules (
    id uuid PRIMARY KEY,
    channel_id uuid NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
    -- Event kinds (notify.rs EventKind); empty: every kind.
    events text[] NOT NULL DEFAULT '{}',
    cloud_account text,
    region text,
    tag_key text,
    tag_value text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_rules_channel ON notification_rules (channel_id);

-- One row per message and channel. `dedup` names the fact told (an event's id and its
-- state), so a fact is told once per channel however often, and by however many
-- processes, the fleet is watched.
CREATE TABLE notification_deliveries (
    id bigserial PRIMARY KEY,
    channel_id uuid NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
    event_kind text NOT NULL,
    dedup text NOT NULL,
    message jsonb NOT NULL,
    state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_status integer,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    UNIQUE (channel_id, dedup)
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX notification_deliveries_channel ON notification_deliveries (channel_id, id DESC);
