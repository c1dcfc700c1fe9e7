/**
 * The composite GitHub Action (action.yml at the repository root), tested as far as it can be
 * without GitHub: the file parses and holds what GitHub requires, every expression names an input
 * or step that exists, and each `run:` step is executed with bash as the runner executes it
 * (`bash --noprofile --norc -eo pipefail`, the step's env with its `${{ }}` expressions filled
 * in, GITHUB_OUTPUT and GITHUB_WORKSPACE set) against a temp project where `npx faultline`
 * resolves to this build. The `uses:` steps (setup-node, upload-sarif) are GitHub's own and are
 * only checked for their inputs and conditions. npm runs offline, so nothing is downloaded.
 * The scripts need bash, which GitHub's runners have; without it (Windows) they are skipped.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLEAN_QUERY, DAU_QUERY, makeProject, TEAM_CONFIG, TIMEZONE_RULE } from './helpers/cli';
import { REPO_ROOT } from './helpers/paths';
import { parseYamlSubset, type YamlValue } from './helpers/yaml-subset';

interface ActionStep {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string | number>;
}

interface Action {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

const NO_BASH = spawnSync('bash', ['--version']).status !== 0 ? 'bash is not installed' : false;

function readAction(): Action {
  return parseYamlSubset(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as unknown as Action;
}

/** Every `${{ ... }}` expression in a value, with its inner text. */
function expressionsIn(value: YamlValue): string[] {
  if (typeof value === 'string') return [...value.matchAll(/\$\{\{\s*(.*?)\s*\}\}/g)].map((match) => match[1] ?? '');
  if (Array.isArray(value)) return value.flatMap(expressionsIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(expressionsIn);
  return [];
}

test('action.yml is a composite action whose expressions name existing inputs and steps', () => {
  const action = readAction();
  assert.equal(action.runs.using, 'composite');
  assert.ok(action.name !== '' && action.description !== '');
  for (const input of ['paths', 'severity', 'sarif-file', 'args']) assert.ok(action.inputs[input]?.description, `input ${input}`);
  const stepIds = new Set(action.runs.steps.map((step) => step.id).filter((id) => id !== undefined));
  for (const expression of expressionsIn(action as unknown as YamlValue).concat(action.runs.steps.flatMap((step) => (step.if === undefined ? [] : [step.if])))) {
    for (const match of expression.matchAll(/\binputs\.([\w-]+)/g)) assert.ok(match[1] !== undefined && match[1] in action.inputs, `unknown input in ${expression}`);
    for (const match of expression.matchAll(/\bsteps\.([\w-]+)\./g)) assert.ok(stepIds.has(match[1] ?? ''), `unknown step in ${expression}`);
  }
  for (const step of action.runs.steps) {
    // A composite step must say its shell; an input pasted into a script could run as code.
    if (step.run !== undefined) {
      assert.equal(step.shell, 'bash', `${step.name ?? ''} says its shell`);
      assert.deepEqual(expressionsIn(step.run), [], `${step.name ?? ''} reads inputs from env, not pasted into the script`);
      assert.equal(step.if, undefined, 'run steps decide in the script, so this test runs them as the runner would');
    } else {
      assert.ok(step.uses !== undefined, `${step.name ?? ''} either runs or uses`);
    }
  }
  const upload = action.runs.steps.find((step) => step.uses?.startsWith('github/codeql-action/upload-sarif@') === true);
  assert.ok(upload !== undefined, 'the SARIF report is uploaded to code scanning');
  assert.match(upload.if ?? '', /always\(\)/, 'even when the audit found something');
  assert.equal(upload.with?.['sarif_file'], '${{ inputs.sarif-file }}');
  const setupNode = action.runs.steps.find((step) => step.uses?.startsWith('actions/setup-node@') === true);
  assert.match(setupNode?.if ?? '', /steps\.node\.outputs\.needed == 'true'/, 'Node is set up only when the runner lacks 20+');
});

interface StepRun {
  name: string;
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the action's `run:` steps in order in `workspace`, as the runner does, and returns each
 * one's result. Stops after a step that fails, as a job does.
 */
function runActionScripts(action: Action, workspace: string, inputs: Record<string, string>): StepRun[] {
  const values: Record<string, string> = {};
  for (const [name, input] of Object.entries(action.inputs)) values[name] = inputs[name] ?? input.default ?? '';
  const outputs = new Map<string, Record<string, string>>();
  const evaluate = (text: string): string =>
    text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_whole, expression: string) => {
      const input = /^inputs\.([\w-]+)$/.exec(expression);
      if (input !== null) return values[input[1] ?? ''] ?? '';
      const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expression);
      if (output !== null) return outputs.get(output[1] ?? '')?.[output[2] ?? ''] ?? '';
      throw new Error(`the test cannot evaluate \${{ ${expression} }}`);
    });
  const runs: StepRun[] = [];
  action.runs.steps.forEach((step, index) => {
    if (step.run === undefined || runs.some((run) => run.status !== 0)) return;
    const outputFile = join(workspace, '..', `github-output-${index}`);
    writeFileSync(outputFile, '');
    const env: NodeJS.ProcessEnv = { ...process.env, GITHUB_OUTPUT: outputFile, GITHUB_WORKSPACE: workspace, GITHUB_ACTIONS: 'true', npm_config_offline: 'true', npm_config_update_notifier: 'false' };
    for (const [name, value] of Object.entries(step.env ?? {})) env[name] = evaluate(String(value));
    const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run], { cwd: workspace, env, encoding: 'utf8', timeout: 120_000 });
    if (result.error) throw result.error;
    const stepOutputs: Record<string, string> = {};
    for (const line of readFileSync(outputFile, 'utf8').split('\n')) {
      const equals = line.indexOf('=');
      if (equals > 0) stepOutputs[line.slice(0, equals)] = line.slice(equals + 1);
    }
    if (step.id !== undefined) outputs.set(step.id, stepOutputs);
    runs.push({ name: step.name ?? `step ${index}`, status: result.status, stdout: result.stdout, stderr: result.stderr });
  });
  return runs;
}

/** A checked-out repository whose `npx faultline` is this build (a devDependency, as a project would have it). */
function makeWorkspace(t: { after(callback: () => void): void }, files: Record<string, string>): string {
  const outer = makeProject(t, {});
  const workspace = join(outer, 'repo');
  mkdirSync(join(workspace, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(REPO_ROOT, join(workspace, 'node_modules', 'faultline'), 'dir');
  symlinkSync(join('..', 'faultline', 'dist', 'cli.js'), join(workspace, 'node_modules', '.bin', 'faultline'));
  writeFileSync(join(workspace, 'package.json'), '{ "name": "shop", "private": true, "devDependencies": { "faultline": "*" } }\n');
  for (const [path, contents] of Object.entries(files)) {
    mkdirSync(join(workspace, path, '..'), { recursive: true });
    writeFileSync(join(workspace, path), contents);
  }
  return workspace;
}

function stepNamed(runs: readonly StepRun[], name: string): StepRun {
  const run = runs.find((candidate) => candidate.name === name);
  assert.ok(run !== undefined, `step ${name} ran`);
  return run;
}

test("the action's scripts audit, keep the exit code for the last step, write SARIF and annotate", { skip: NO_BASH }, (t) => {
  const workspace = makeWorkspace(t, { '.faultline.json': TEAM_CONFIG, 'db/dau.sql': DAU_QUERY });
  const runs = runActionScripts(readAction(), workspace, { 'sarif-file': 'reports/faultline.sarif', args: `--rules ${TIMEZONE_RULE}` });
  assert.equal(stepNamed(runs, 'Check for Node.js 20 or later').status, 0);
  const audit = stepNamed(runs, 'Audit (SARIF)');
  assert.equal(audit.status, 0, `the audit step itself passes, so the report is uploaded: ${audit.stderr}`);
  const sarif = JSON.parse(readFileSync(join(workspace, 'reports', 'faultline.sarif'), 'utf8')) as { runs: { results: { ruleId: string }[] }[] };
  assert.deepEqual(sarif.runs[0]?.results.map((result) => result.ruleId), [TIMEZONE_RULE]);
  const annotate = stepNamed(runs, 'Annotate the pull request');
  assert.equal(annotate.status, 0, annotate.stderr);
  assert.match(annotate.stdout, /^::warning file=db\/dau\.sql,line=1,endLine=1,col=8,endColumn=24,title=faultline\(timezone-naive-date-bucket\)::`DATE\(login_time\)`/m);
  const fail = stepNamed(runs, 'Fail on findings');
  assert.equal(fail.status, 1, 'the job fails as `faultline audit` exited');
});

test('the action passes on a clean project, and a hostile input stays data', { skip: NO_BASH }, (t) => {
  const clean = makeWorkspace(t, { 'ok.sql': CLEAN_QUERY });
  const runs = runActionScripts(readAction(), clean, {});
  assert.deepEqual(
    runs.map((run) => [run.name, run.status]),
    [
      ['Check for Node.js 20 or later', 0],
      ['Audit (SARIF)', 0],
      ['Annotate the pull request', 0],
      ['Fail on findings', 0],
    ],
  );
  assert.equal(stepNamed(runs, 'Annotate the pull request').stdout, '');

  const hostile = makeWorkspace(t, { 'ok.sql': CLEAN_QUERY });
  const attacked = runActionScripts(readAction(), hostile, { paths: '$(touch pwned) `touch pwned2` *.sql', annotations: 'false' });
  assert.ok(!existsSync(join(hostile, 'pwned')) && !existsSync(join(hostile, 'pwned2')), 'no input is run as a command');
  assert.match(stepNamed(attacked, 'Audit (SARIF)').stderr, /no such file or folder: \$\(touch/);
  assert.equal(stepNamed(attacked, 'Fail on findings').status, 2, 'a run that could not be done fails the job');
});
