-- #15: "Schedule…" from every page. A user may collect their writes instead of sending
-- them: each is kept as a request of one draft change (marked `collecting`), which they
-- then ask for — now, at a time or in the maintenance windows — with a reason.
ALTER TABLE users ADD COLUMN collect_changes boolean NOT NULL DEFAULT false;
ALTER TABLE changes ADD COLUMN collecting boolean NOT NULL DEFAULT false;
