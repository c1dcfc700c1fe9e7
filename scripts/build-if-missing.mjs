// npm's postinstall step, for pre-commit: pre-commit installs a hook repository by cloning it,
// running `npm install` in the clone, `npm pack`, and installing the tarball into its own Node
// environment. A clone has no dist/, so the tarball would hold no CLI; this builds it in the
// clone, after npm install has fetched the dev dependencies the build needs. It does so only in
// such an environment (nodeenv's NODE_VIRTUAL_ENV, which pre-commit's node hooks run in) and
// only when the bundles are missing: a developer's `npm ci` and an install of the published
// package (which has dist/ and not this file: package.json's postinstall looks for it first)
// do nothing here. Not prepack or prepare: npm prints their banners on npm pack's stdout, which
// pre-commit reads as the tarball's name.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = existsSync(join(root, 'dist', 'cli.js')) && existsSync(join(root, 'dist', 'faultline-cli.js'));
if (!built && process.env.NODE_VIRTUAL_ENV) {
  console.error('postinstall: building the bundles for an isolated Node environment (npm run build)');
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  process.exit(build.status ?? 1);
}
