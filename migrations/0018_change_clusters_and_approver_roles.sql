-- Attack run 18 (#13, #15): a change is shown and decided on by every cluster its requests
-- name — also through a node, a maintenance event, a list or ResourceId.N — not only the
-- first; and an approval counts for a policy only when its approver had one of the
-- policy's roles when approving.
ALTER TABLE change_steps ADD COLUMN clusters text[] NOT NULL DEFAULT '{}';
UPDATE change_steps SET clusters = ARRAY[cluster] WHERE cluster <> '';
ALTER TABLE change_approvals ADD COLUMN role text NOT NULL DEFAULT '';
