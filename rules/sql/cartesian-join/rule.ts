/**
 * cartesian-join: FROM items that nothing links to the items before them, so every row of one
 * pairs with every row of the other: `FROM a, b` with no WHERE comparison naming both, MySQL's
 * `JOIN b` with no ON, `JOIN b ON TRUE` / `ON 1 = 1`, and an ON that names only one side. Items
 * are linked through a graph of the WHERE and ON atoms that name two of them; explicit CROSS
 * JOIN / NATURAL / USING / LATERAL / APPLY link by construction, and functions, VALUES and
 * single-row CTEs or subqueries cannot multiply rows. Unqualified columns in an atom that might
 * link make the rule stay silent on the whole block: it cannot tell which table they belong to.
 */

import { columnReferences, comparisonsIn, findClause, fromItems, isValueExpression, type FromItem, type QueryBlock, type StatementModel } from '../../engine/languages/sql/structure';
import { defineRule } from '../../engine/rule';
import { isKeyLikeColumn, isSingleRowItem, predicateAtoms, tableNameParts } from '../helpers/relations';
import { tokenRange, tokenText } from '../helpers/tokens';

type MessageId = 'noCondition' | 'noOn' | 'constantOn' | 'oneSidedOn';

/** Union-find over FROM item positions. */
function createLinks(size: number): { union(a: number, b: number): void; find(a: number): number } {
  const parents = Array.from({ length: size }, (_, index) => index);
  const find = (a: number): number => {
    let root = a;
    while (parents[root] !== root) root = parents[root] ?? root;
    // Path compression: the next find from anywhere on this path is one step.
    for (let node = a; node !== root; ) {
      const next = parents[node] ?? root;
      parents[node] = root;
      node = next;
    }
    return root;
  };
  return {
    find,
    union(a, b) {
      const rootA = find(a);
      const rootB = find(b);
      if (rootA !== rootB) parents[rootB] = rootA;
    },
  };
}

/** Items that cannot multiply rows, or are joined on purpose: linked to everything before them. */
function joinsByConstruction(model: StatementModel, item: FromItem): boolean {
  if (item.join === 'cross' || item.join === 'natural' || item.join === 'apply' || item.lateral || item.hasUsing) return true;
  if (item.kind === 'function' || item.kind === 'values' || item.kind === 'other') return true;
  return isSingleRowItem(model, item);
}

/** The display name of an item: its table name as written, or its alias. */
function displayName(model: StatementModel, item: FromItem): string {
  if (item.kind === 'table') return tableNameParts(model, item).join('.');
  return item.alias ?? 'subquery';
}

/** Names (lower-cased) that the blocks enclosing this one expose to correlated references. */
function outerNames(model: StatementModel, block: QueryBlock): Set<string> {
  const names = new Set<string>();
  for (let outer = block.parent; outer !== null; outer = outer.parent) {
    const from = findClause(outer, 'from');
    if (from === undefined) continue;
    for (const item of fromItems(model, outer, from)) {
      if (item.alias !== null) names.add(item.alias.toLowerCase());
      if (item.tableName !== null) names.add(item.tableName.toLowerCase());
    }
  }
  return names;
}

export default defineRule<MessageId>({
  meta: {
    id: 'cartesian-join',
    family: 'sql',
    target: 'sql',
    defaultSeverity: 'info',
    fix: 'none',
    requiresParse: true,
    appliesTo: ['production', 'warehouse', 'notebook'],
    summary: 'Tables joined without a condition linking them, so the result pairs every row of one with every row of the other.',
    why: 'The result has rows(a) × rows(b) rows: nine with three-row fixtures, billions in production, where the query runs for hours, fills temp space or takes the database down with it.',
    messages: {
      noCondition: '`{{item}}` is joined to `{{other}}` with no condition linking them, so every row pairs with every row; add the join condition (`JOIN {{item}} ON ...`), or write `CROSS JOIN` if every pair is wanted.',
      noOn: '`JOIN {{item}}` has no ON or USING, so every row of `{{other}}` pairs with every row of `{{item}}`; add `ON` with the join condition, or write `CROSS JOIN` if every pair is wanted.',
      constantOn: '`ON {{condition}}` links nothing, so every row of `{{other}}` pairs with every row of `{{item}}`; join on the related columns, or write `CROSS JOIN` if every pair is wanted.',
      oneSidedOn: '`ON {{condition}}` does not link `{{item}}` to `{{other}}`, so every row of one pairs with every row of the other; add the condition that relates the two tables.',
    },
    options: {},
    prefilter: ['join', ','],
    sources: ['sqlfluff AM08 (ambiguous.join_condition)', 'sqlcheck "JOIN Without Equality Check"', 'Sonar S5141 (join conditions should involve all joined tables)'],
  },
  create(context) {
    return {
      block(block, statement, source) {
        if (block.kind !== 'select') return;
        const from = findClause(block, 'from');
        if (from === undefined) return;
        const model = statement.model;
        const items = fromItems(model, block, from);
        if (items.length < 2) return;

        // Map the names columns are qualified with to item positions.
        const positions = new Map<string, number>();
        items.forEach((item, position) => {
          if (item.tableName !== null && !positions.has(item.tableName.toLowerCase())) positions.set(item.tableName.toLowerCase(), position);
          if (item.alias !== null) positions.set(item.alias.toLowerCase(), position);
        });
        const correlated = outerNames(model, block);
        const links = createLinks(items.length + 1);
        const outside = items.length; // One node stands for every enclosing query's row.

        // Predicate atoms of the WHERE and of every ON.
        const predicates: { start: number; end: number }[] = [];
        const where = findClause(block, 'where');
        if (where !== undefined && where.end > where.start) predicates.push(...predicateAtoms(model, where.start, where.end));
        for (const item of items) if (item.on !== null && item.on.end > item.on.start) predicates.push(...predicateAtoms(model, item.on.start, item.on.end));

        for (const atom of predicates) {
          const references = columnReferences(model, atom.start, atom.end);
          const touched = new Set<number>();
          let unknown = false;
          for (const reference of references) {
            const qualifier = reference.qualifier?.toLowerCase() ?? null;
            const position = qualifier === null ? undefined : positions.get(qualifier);
            if (position !== undefined) touched.add(position);
            else if (qualifier !== null && correlated.has(qualifier)) touched.add(outside);
            else unknown = true;
          }
          // `name.col = 'x'` on a key of a lookup table pins it to one row: it cannot multiply rows.
          // Linked to every item, it puts them all in one component: nothing is left to report.
          if (references.length === 1 && touched.size === 1 && isKeyPin(model, atom)) {
            const [position] = [...touched];
            if (position !== undefined && position !== outside) return;
          }
          // Two or more columns, some of which we cannot place: the atom may link anything.
          if (unknown && references.length >= 2) return;
          const [first, ...rest] = [...touched];
          if (first !== undefined) for (const other of rest) links.union(first, other);
        }

        // An item joined by construction links to every earlier item, and one that cannot multiply
        // rows to every later one as well. Linear, not a union per pair (#15: 20,000 FROM items):
        // the earlier items already merged are skipped, and only the first item that links to
        // every later one needs to (the later ones it reaches include the others).
        let mergedUpTo = 0;
        let linksAllLater: number | null = null;
        items.forEach((item, position) => {
          if (position === 0) return;
          if (joinsByConstruction(model, item)) {
            for (let earlier = mergedUpTo; earlier < position; earlier++) links.union(earlier, position);
            mergedUpTo = position;
            if (linksAllLater === null && (item.kind === 'function' || item.kind === 'values' || item.kind === 'other' || isSingleRowItem(model, item))) linksAllLater = position;
          }
        });
        // A first item that cannot multiply rows links to everything as well.
        const first = items[0];
        if (first !== undefined && (first.kind === 'function' || first.kind === 'values' || first.kind === 'other' || isSingleRowItem(model, first))) linksAllLater = 0;
        if (linksAllLater !== null) for (let later = linksAllLater + 1; later < items.length; later++) links.union(linksAllLater, later);

        // An item is linked when an earlier one is in its component: the components of the
        // earlier items are kept in a set rather than compared pair by pair.
        const earlierComponents = new Set<number>();
        items.forEach((item, position) => {
          const component = links.find(position);
          const linked = earlierComponents.has(component);
          earlierComponents.add(component);
          if (position === 0 || linked) return;
          const other = items[position - 1];
          if (other === undefined) return;
          const data = { item: displayName(model, item), other: displayName(model, other) };
          const range = tokenRange(model, item.referenceStart, item.referenceEnd);
          if (item.join === 'comma') {
            context.report({ messageId: 'noCondition', data, range });
            return;
          }
          if (item.on === null) {
            context.report({ messageId: 'noOn', data, range });
            return;
          }
          const condition = tokenText(source.text, model, item.on.start, item.on.end).replace(/\s+/g, ' ');
          const onReferences = columnReferences(model, item.on.start, item.on.end);
          context.report({ messageId: onReferences.length === 0 ? 'constantOn' : 'oneSidedOn', data: { ...data, condition }, range });
        });
      },
    };
  },
});

/** True when an atom is `name.key = value` on a key-like column: the item is narrowed to one row. */
function isKeyPin(model: StatementModel, atom: { start: number; end: number }): boolean {
  const [comparison] = comparisonsIn(model, atom.start, atom.end);
  if (comparison === undefined || comparison.operator !== '=' || comparison.negated) return false;
  const left = columnReferences(model, comparison.start, comparison.leftEnd);
  const right = columnReferences(model, comparison.rightStart, comparison.end);
  if (left.length === 1 && right.length === 0) return isKeyLikeColumn(left[0]?.name ?? '') && isValueExpression(model, comparison.rightStart, comparison.end);
  if (right.length === 1 && left.length === 0) return isKeyLikeColumn(right[0]?.name ?? '') && isValueExpression(model, comparison.start, comparison.leftEnd);
  return false;
}
