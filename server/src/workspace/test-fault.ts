/**
 * A fault the end-to-end tests plant, to see how an internal error travels through the CLI, its
 * worker threads and the language server (issue #15) now that no known input makes one. With
 * FAULTLINE_TEST_FAULT set to a marker, a document whose text contains the marker fails inside
 * the engine's guard, as a bug in the engine would: reading its text throws. Without the variable
 * (outside the tests) every document passes through untouched.
 */

const MARKER = process.env['FAULTLINE_TEST_FAULT'];

export const PLANTED_FAULT_MESSAGE = 'planted test fault (FAULTLINE_TEST_FAULT)';

export function withPlantedFault<T extends { text: string }>(document: T): T {
  if (MARKER === undefined || MARKER === '' || !document.text.includes(MARKER)) return document;
  return Object.defineProperty({ ...document }, 'text', {
    get(): string {
      throw new Error(PLANTED_FAULT_MESSAGE);
    },
  });
}
