/**
 * request-without-timeout: not implemented yet (a stub so the catalogue is complete while the rule is written).
 */

import { defineRule } from '../../engine/rule';

export default defineRule<'todo'>({
  meta: {
    id: 'request-without-timeout',
    family: 'app',
    target: 'script',
    defaultSeverity: 'warning',
    fix: 'none',
    requiresParse: false,
    summary: 'TODO',
    why: 'TODO',
    messages: { todo: 'TODO' },
    options: {},
    prefilter: [],
    sources: [],
  },
  create() {
    return {};
  },
});
