/** Paths shared by the tests. Compiled tests live in out/test/, two levels below the repo root. */

import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
