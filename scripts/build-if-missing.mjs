// npm's prepack step: builds the bundles when dist/ has none, so that a package packed from a
// fresh clone holds the CLI. That is what pre-commit does with a hook repository (npm install,
// npm pack, npm install -g of the tarball), and a git dependency too. A checkout that has been
// built is packed as it is: the build is `npm run build`'s job, not every pack's.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'dist', 'cli.js')) || !existsSync(join(root, 'dist', 'faultline-cli.js'))) {
  console.error('prepack: no dist/ bundles here; building them (npm run build)');
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  process.exit(build.status ?? 1);
}
