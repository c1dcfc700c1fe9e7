/**
 * Checks what the built faultline.vsix actually contains: the three bundles, the manifest, the
 * config schema, the rule docs, the SQL-in-JS grammar, the icon, the walkthrough's pages, the
 * users' README (client/README.md) with the screenshot it shows, and the CHANGELOG; none of the sources,
 * source maps, tests or node_modules that .vscodeignore is meant to keep out; and that it stays
 * small (the bundles hold the TypeScript compiler, so a dependency bundled twice shows up here).
 * CI runs `npm run package` before the tests; without the .vsix this test fails rather than
 * skips, because a missing package is exactly what it guards.
 *
 * A .vsix is a zip file. Its central directory is read here directly, so the test needs no
 * `unzip` on the machine.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

// Compiled to out/test/package-contents.test.js, so the repo root is two folders up.
const repoRoot = join(__dirname, '..', '..');
const vsixPath = join(repoRoot, 'faultline.vsix');

/**
 * The most the .vsix may weigh. It is about 4.5 MB today, most of it the TypeScript compiler
 * bundled into the server and the CLI.
 */
const MAX_VSIX_BYTES = 8 * 1024 * 1024;

/** Files under extension/ that the package may hold; vsce renames README, CHANGELOG and LICENSE. */
const ALLOWED_ENTRIES: RegExp[] = [
  /^extension\/dist\/(extension|server|cli|faultline-cli)\.js$/,
  /^extension\/dist\/(web-tree-sitter|tree-sitter-python)\.wasm$/,
  /^extension\/dist\/docs\/[a-z0-9-]+\.md$/,
  /^extension\/schemas\/[^/]+\.json$/,
  /^extension\/syntaxes\/sql-in-js\.tmLanguage\.json$/,
  /^extension\/images\/(icon|quick-fix)\.png$/,
  /^extension\/walkthrough\/[a-z-]+\.md$/,
  /^extension\/package\.json$/,
  /^extension\/(readme|changelog)\.md$/,
  /^extension\/LICENSE(\.txt)?$/,
];

/** Files vsce writes at the top of every .vsix, outside extension/. */
const VSIX_METADATA = new Set(['[Content_Types].xml', 'extension.vsixmanifest']);

function readVsixEntries(): string[] {
  assert.ok(existsSync(vsixPath), `faultline.vsix not found at ${vsixPath}: run \`npm run package\` first.`);
  return listZipEntries(readFileSync(vsixPath));
}

/** Reads the names in a zip file's central directory (APPNOTE.TXT sections 4.3.12 and 4.3.16). */
function listZipEntries(zip: Buffer): string[] {
  return readZipDirectory(zip).map((entry) => entry.name);
}

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  localHeaderOffset: number;
}

/** The text of one entry of the .vsix (stored or deflated, the two methods vsce writes). */
function readVsixText(name: string): string {
  assert.ok(existsSync(vsixPath), `faultline.vsix not found at ${vsixPath}: run \`npm run package\` first.`);
  const zip = readFileSync(vsixPath);
  const entry = readZipDirectory(zip).find((candidate) => candidate.name === name);
  assert.ok(entry !== undefined, `faultline.vsix has no ${name}`);
  // The local header (APPNOTE.TXT 4.3.7) repeats the name and has its own extra field length.
  const dataStart = entry.localHeaderOffset + 30 + zip.readUInt16LE(entry.localHeaderOffset + 26) + zip.readUInt16LE(entry.localHeaderOffset + 28);
  const data = zip.subarray(dataStart, dataStart + entry.compressedSize);
  return (entry.method === 8 ? inflateRawSync(data) : data).toString('utf8');
}

function readZipDirectory(zip: Buffer): ZipEntry[] {
  const endOfCentralDirectory = 0x06054b50;
  const centralDirectoryHeader = 0x02014b50;
  // The end record is 22 bytes plus a comment of up to 65535 bytes, so search backwards for it.
  const searchFrom = Math.max(0, zip.length - 22 - 0xffff);
  let endOffset = -1;
  for (let offset = zip.length - 22; offset >= searchFrom; offset--) {
    if (zip.readUInt32LE(offset) === endOfCentralDirectory) {
      endOffset = offset;
      break;
    }
  }
  assert.ok(endOffset >= 0, 'faultline.vsix is not a zip file: no end-of-central-directory record.');
  const entryCount = zip.readUInt16LE(endOffset + 10);
  const directoryOffset = zip.readUInt32LE(endOffset + 16);
  assert.ok(entryCount !== 0xffff && directoryOffset !== 0xffffffff, 'faultline.vsix is a ZIP64 file, which this test does not read.');

  const entries: ZipEntry[] = [];
  let offset = directoryOffset;
  for (let index = 0; index < entryCount; index++) {
    assert.equal(zip.readUInt32LE(offset), centralDirectoryHeader, `zip central directory entry ${index} is corrupt`);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    entries.push({
      name: zip.toString('utf8', offset + 46, offset + 46 + nameLength),
      method: zip.readUInt16LE(offset + 10),
      compressedSize: zip.readUInt32LE(offset + 20),
      localHeaderOffset: zip.readUInt32LE(offset + 42),
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The rule ids that have a docs.md under rules/, as the build names them: the folder's name. */
function ruleIdsWithDocs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const ids: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'fixtures') ids.push(...ruleIdsWithDocs(path));
    else if (entry.isFile() && entry.name === 'docs.md') ids.push(basename(dirname(path)));
  }
  return ids;
}

test('the .vsix contains the bundles, the manifest and the config schema', () => {
  const entries = new Set(readVsixEntries());
  for (const required of [
    'extension/dist/extension.js',
    'extension/dist/server.js',
    'extension/dist/cli.js',
    'extension/dist/faultline-cli.js',
    // The Python parser: the tree-sitter runtime and the grammar, read at startup (issue #6).
    'extension/dist/web-tree-sitter.wasm',
    'extension/dist/tree-sitter-python.wasm',
    'extension/package.json',
    'extension/schemas/faultline.schema.json',
  ]) {
    assert.ok(entries.has(required), `faultline.vsix is missing ${required}`);
  }
});

test('the .vsix contains the icon and the grammar that package.json names', () => {
  const entries = new Set(readVsixEntries());
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    icon?: string;
    contributes?: { grammars?: { path?: string }[] };
  };
  assert.ok(manifest.icon !== undefined, 'package.json has no "icon"');
  const grammarPaths = (manifest.contributes?.grammars ?? []).map((grammar) => grammar.path);
  assert.ok(grammarPaths.length > 0, 'package.json contributes no grammar');
  for (const path of [manifest.icon, ...grammarPaths]) {
    assert.ok(path !== undefined, 'a contributed grammar has no path');
    const entry = `extension/${path.replace(/^\.\//, '')}`;
    assert.ok(entries.has(entry), `faultline.vsix is missing ${entry}, which package.json refers to`);
  }
});

test(`the .vsix is under ${MAX_VSIX_BYTES / 1024 / 1024} MB`, () => {
  assert.ok(existsSync(vsixPath), `faultline.vsix not found at ${vsixPath}: run \`npm run package\` first.`);
  const { size } = statSync(vsixPath);
  assert.ok(size < MAX_VSIX_BYTES, `faultline.vsix is ${(size / 1024 / 1024).toFixed(1)} MB, over the ${MAX_VSIX_BYTES / 1024 / 1024} MB limit`);
});

test('the .vsix contains every rule docs.md as dist/docs/<rule-id>.md', () => {
  const entries = new Set(readVsixEntries());
  for (const ruleId of ruleIdsWithDocs(join(repoRoot, 'rules'))) {
    assert.ok(entries.has(`extension/dist/docs/${ruleId}.md`), `faultline.vsix is missing the docs of rule '${ruleId}'`);
  }
});

test('the .vsix contains no sources, source maps, tests or node_modules', () => {
  const entries = readVsixEntries();
  const forbidden = entries.filter(
    (entry) =>
      entry.endsWith('.ts') ||
      entry.endsWith('.map') ||
      entry.includes('node_modules/') ||
      /^extension\/(test|out|rules|server|client|bench|examples|scripts)\//.test(entry),
  );
  assert.deepEqual(forbidden, [], 'faultline.vsix holds files .vscodeignore should exclude');
});

test('the .vsix holds only the files .vscodeignore re-includes', () => {
  const unexpected = readVsixEntries().filter(
    (entry) => !VSIX_METADATA.has(entry) && !ALLOWED_ENTRIES.some((allowed) => allowed.test(entry)),
  );
  assert.deepEqual(unexpected, [], 'faultline.vsix holds files outside the intended list; update .vscodeignore or this test');
});

interface Manifest {
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus: { commandPalette: { command: string; when: string }[] };
    configuration: { properties: Record<string, unknown> };
    walkthroughs: { steps: { description: string; media: { markdown?: string; image?: string } }[] }[];
  };
}

function readManifest(): Manifest {
  return JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Manifest;
}

test('the .vsix README is the one written for users: what it does, a screenshot it ships, every setting and command (#14)', () => {
  const readme = readVsixText('extension/readme.md');
  assert.equal(readme, readFileSync(join(repoRoot, 'client', 'README.md'), 'utf8').replace(/\]\((images\/[^)]+)\)/g, '](https://github.com/faultline/faultline/raw/HEAD/$1)'), 'client/README.md, its image links made absolute by vsce');
  assert.doesNotMatch(readme, /^## (Development|Measurements|Precision on real code)/m, 'not the developers\' README');
  const entries = new Set(readVsixEntries());
  const images = [...readme.matchAll(/!\[[^\]]*\]\(https:\/\/github\.com\/faultline\/faultline\/raw\/HEAD\/([^)]+)\)/g)].map((match) => match[1]);
  assert.ok(images.length > 0, 'the README shows a screenshot');
  for (const image of images) assert.ok(entries.has(`extension/${image}`), `the .vsix ships ${image}, which the README shows`);
  const manifest = readManifest();
  for (const setting of Object.keys(manifest.contributes.configuration.properties)) assert.ok(readme.includes(`\`${setting}\``), `the README documents ${setting}`);
  const hidden = new Set(manifest.contributes.menus.commandPalette.filter((entry) => entry.when === 'false').map((entry) => entry.command));
  for (const command of manifest.contributes.commands.filter((candidate) => !hidden.has(candidate.command))) {
    assert.ok(readme.includes(`${command.category ?? 'Faultline'}: ${command.title}`), `the README lists ${command.title}`);
  }
});

test('the .vsix ships the CHANGELOG, and the walkthrough pages package.json names', () => {
  assert.equal(readVsixText('extension/changelog.md'), readFileSync(join(repoRoot, 'CHANGELOG.md'), 'utf8'));
  const entries = new Set(readVsixEntries());
  const pages = readManifest().contributes.walkthroughs.flatMap((walkthrough) => walkthrough.steps.map((step) => step.media.markdown ?? step.media.image));
  assert.ok(pages.length >= 3, 'a walkthrough of at least three steps');
  for (const page of pages) assert.ok(page !== undefined && entries.has(`extension/${page}`), `faultline.vsix is missing ${String(page)}`);
  // A step's button runs one of our commands: it must be one the extension contributes.
  const contributed = new Set(readManifest().contributes.commands.map((command) => command.command));
  const linked = readManifest().contributes.walkthroughs.flatMap((walkthrough) => walkthrough.steps.flatMap((step) => [...step.description.matchAll(/\(command:(faultline\.[A-Za-z]+)\)/g)].map((match) => match[1])));
  assert.ok(linked.length > 0, 'the walkthrough links our commands');
  for (const command of linked) assert.ok(command !== undefined && contributed.has(command), `the walkthrough links ${String(command)}, which package.json does not contribute`);
});
