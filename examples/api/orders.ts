// An orders API written the way it usually starts: correct on a laptop, risky at scale.
import { Pool } from 'pg';

const pool = new Pool({ max: 10, connectionTimeoutMillis: 5_000 });

export async function listOrders(page: number) {
  // Deep pages scan and discard every earlier row.
  const { rows } = await pool.query('SELECT id, total, created_at FROM orders ORDER BY created_at DESC LIMIT 50 OFFSET $1', [page * 50]);
  return rows;
}

export async function exportAllOrders() {
  // Loads the whole table into memory.
  const { rows } = await pool.query('SELECT * FROM orders');
  return rows;
}

export async function ordersByIds(ids: number[]) {
  // One statement text per array length, and a failure past the parameter limit.
  const { rows } = await pool.query(`SELECT id, total FROM orders WHERE id IN (${ids.join(',')})`);
  return rows;
}

export async function findCustomer(email: string) {
  // A value spliced into the SQL text.
  const { rows } = await pool.query(`SELECT id, name FROM customers WHERE email = '${email}'`);
  return rows[0];
}

export async function latestOrders() {
  // Which 20 rows? Whichever the plan returns first.
  const { rows } = await pool.query('SELECT id, total FROM orders WHERE status = $1 LIMIT 20', ['paid']);
  return rows;
}

export async function dailyActiveUsers() {
  const { rows } = await pool.query(`
    SELECT DATE(login_time) as date, COUNT(DISTINCT user_id) as dau
    FROM user_events
    WHERE event_type = 'login'
    GROUP BY DATE(login_time)`);
  return rows;
}
