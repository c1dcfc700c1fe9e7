/**
 * unbounded-retry: not implemented yet (a stub so the catalogue is complete while the rule is written).
 */

import { defineRule } from '../../engine/rule';

export default defineRule<'todo'>({
  meta: {
    id: 'unbounded-retry',
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
