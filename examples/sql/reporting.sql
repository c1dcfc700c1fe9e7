-- Weekly revenue by customer segment.
SELECT date_trunc('week', o.created_at) AS week, c.segment, sum(o.total) AS revenue
FROM orders o, customers c
WHERE o.status = 'paid'
GROUP BY 1, 2;

-- Orders placed on new year's day.
SELECT id, total FROM orders WHERE DATE(created_at) = '2025-01-01';

-- Customers who never ordered.
SELECT id, email FROM customers WHERE id NOT IN (SELECT customer_id FROM orders);

-- Abandoned carts: the filter never matches anything.
SELECT id FROM carts WHERE checked_out_at = NULL;

-- A sample of products for the home page.
SELECT id, name FROM products ORDER BY random() LIMIT 12;
