-- #19: the console in Chinese and English. The language a user chose in the top bar
-- (NULL: none chosen, the browser's Accept-Language decides). Signing in sets the
-- language cookie from it, so the choice follows the user to another browser.
ALTER TABLE users ADD COLUMN language text CHECK (language IN ('en', 'zh'));
