-- Keyset pagination of the audit trail by the filters the page offers.
CREATE INDEX audit_events_actor_name ON audit_events (actor_name, seq DESC);
CREATE INDEX audit_events_action ON audit_events (action, seq DESC);
CREATE INDEX audit_events_cloud_account ON audit_events (cloud_account, seq DESC);
CREATE INDEX audit_events_outcome ON audit_events (outcome, seq DESC);
