-- The time zone a user sees times in (#19), an IANA name (`Asia/Shanghai`); NULL: the
-- browser's.
ALTER TABLE users ADD COLUMN time_zone text CHECK (length(time_zone) BETWEEN 1 AND 64);
