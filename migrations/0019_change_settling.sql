-- #15: a request of a change that the API accepted is followed until its clusters settle
-- (back to Running) before the next batch goes; meanwhile the step is 'settling' and shows
-- the status last read. Drafts nobody asked for are discarded after a while.
ALTER TABLE change_steps DROP CONSTRAINT change_steps_state_check;
ALTER TABLE change_steps ADD CONSTRAINT change_steps_state_check CHECK (state IN ('pending',
    'running', 'settling', 'succeeded', 'failed', 'skipped', 'cancelled'));
ALTER TABLE change_steps ADD COLUMN cluster_status text;
ALTER TABLE change_steps ADD COLUMN settled_at timestamptz;
