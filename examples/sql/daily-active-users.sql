-- The query every dashboard starts with. It runs, it returns numbers, and in production:
-- its days follow whatever time zone the session uses, and it scans the table's whole history.
SELECT DATE(login_time) as date, COUNT(DISTINCT user_id) as dau
FROM user_events
WHERE event_type = 'login'
GROUP BY DATE(login_time);
