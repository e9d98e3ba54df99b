-- What the fleet watcher saw last (notify watch, #16): a cluster's status, a region that
-- could not be read. It tells a change from what it saw, once; `notification_deliveries`
-- remembers what was told.
CREATE TABLE notification_watch (
    key text PRIMARY KEY,
    value text NOT NULL,
    since timestamptz NOT NULL DEFAULT now(),
    seen_at timestamptz NOT NULL DEFAULT now()
);
