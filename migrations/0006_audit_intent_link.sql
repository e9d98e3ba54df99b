-- The outcome record's link to its intent stays a plain column: a foreign key's check
-- locks the referenced row (FOR KEY SHARE), which needs the UPDATE privilege the console's
-- role gave up on this table. The hash chain already protects the link.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_intent_seq_fkey;
