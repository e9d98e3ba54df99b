-- Ending a user's sessions everywhere: sessions remember the epoch they were made in;
-- bumping it ends them all at once, on every console process.
ALTER TABLE users ADD COLUMN session_epoch integer NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_sign_in_at timestamptz;
