-- Nightly cleanup, written in a hurry.
DELETE FROM sessions;

UPDATE users SET newsletter_opt_in = false WHERE 1 = 1;

-- Search by email domain.
SELECT id, email FROM users WHERE email LIKE '%@example.com' LIMIT 100;
