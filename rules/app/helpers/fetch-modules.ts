/**
 * The modules whose `fetch` (their default or named export) is the Fetch API's: a call of it is
 * an HTTP request with no timeout unless it passes a signal (or, for node-fetch 2 and
 * make-fetch-happen, a `timeout` option, which defaults to none). One list, so that every rule
 * that recognises a fetch call agrees on what one is. Clients with an API of their own (axios,
 * got, ky) are not fetch, whatever they use underneath.
 */
export const FETCH_MODULES: ReadonlySet<string> = new Set([
  'node-fetch',
  'undici',
  'cross-fetch',
  'isomorphic-fetch',
  'make-fetch-happen',
  'node-fetch-native',
  '@whatwg-node/fetch',
]);
