/**
 * A generated TypeScript file of a given length with a dozen embedded queries spread through it,
 * shared by the latency benchmarks.
 */

const QUERIES = [
  "SELECT DATE(login_time) AS date, COUNT(DISTINCT user_id) AS dau FROM user_events WHERE event_type = 'login' GROUP BY DATE(login_time)",
  'SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 50',
  "SELECT id, email FROM users WHERE lower(email) = lower($1)",
  'UPDATE accounts SET balance = balance - $1 WHERE id = $2',
  'SELECT id FROM products ORDER BY random() LIMIT 5',
  'SELECT id, name FROM items LIMIT 20 OFFSET $1',
];

export function makeFile(lines: number): string {
  const parts: string[] = ["import { Pool } from 'pg';", 'const pool = new Pool({ max: 10, connectionTimeoutMillis: 5000 });', ''];
  let query = 0;
  while (parts.length < lines) {
    const index = parts.length;
    if (index % 250 === 0) {
      parts.push(`export async function query${query}(id: number) {`, `  const { rows } = await pool.query(\`${QUERIES[query % QUERIES.length] ?? ''}\`, [id]);`, '  return rows;', '}');
      query++;
      continue;
    }
    parts.push(`export function helper${index}(value: number): number { return value * ${index % 7} + ${index}; }`);
  }
  return parts.join('\n');
}

