// A reporter for Node's test runner that prints nothing while tests run and, at the end, the
// names of the tests that failed, so that one failure is not buried in thousands of lines of TAP
// (#14). scripts/run-tests.mjs runs it beside the TAP reporter, writing to stderr.

export default async function* failingTests(source) {
  const failed = [];
  for await (const event of source) {
    if (event.type !== 'test:fail') continue;
    // A suite fails when a test in it does: name the tests, not their suites as well.
    if (event.data.details?.type === 'suite') continue;
    failed.push(`  ✖ ${event.data.name}${event.data.file === undefined ? '' : `  (${event.data.file})`}`);
  }
  if (failed.length > 0) yield `\nFailing tests (${failed.length}):\n${failed.join('\n')}\n`;
}
