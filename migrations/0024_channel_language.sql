-- The language a notification channel's messages are written in (#19): English or
-- Simplified Chinese, chosen when the channel is added.
ALTER TABLE notification_channels
    ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'zh'));
