-- #15: a change's page links to its audit records (`/audit?change=`): the records that name
-- it (its requests' intents and outcomes, the reads that followed them, its transitions).
CREATE INDEX audit_events_change ON audit_events ((coalesce(resource ->> 'change', params ->> 'change')))
    WHERE coalesce(resource ->> 'change', params ->> 'change') IS NOT NULL;
