/**
 * The catalogue: the only list of rules, sorted by id. A test checks that it matches the rule
 * folders and that every rule has its docs and fixtures.
 */

import type { Rule } from './engine/rule';
import cartesianJoin from './sql/cartesian-join/rule';
import equalsNull from './sql/equals-null/rule';
import fullHistoryScan from './sql/full-history-scan/rule';
import leadingWildcardLike from './sql/leading-wildcard-like/rule';
import limitWithoutOrderBy from './sql/limit-without-order-by/rule';
import nonSargablePredicate from './sql/non-sargable-predicate/rule';
import notInSubquery from './sql/not-in-subquery/rule';
import offsetPagination from './sql/offset-pagination/rule';
import orderByRandom from './sql/order-by-random/rule';
import selectStar from './sql/select-star/rule';
import sqlBuiltFromStrings from './app/sql-built-from-strings/rule';
import timezoneNaiveDateBucket from './sql/timezone-naive-date-bucket/rule';
import unboundedInList from './sql/unbounded-in-list/rule';
import unboundedSelect from './sql/unbounded-select/rule';
import writeWithoutWhere from './sql/write-without-where/rule';

export const RULES: readonly Rule[] = [
  cartesianJoin,
  equalsNull,
  fullHistoryScan,
  leadingWildcardLike,
  limitWithoutOrderBy,
  nonSargablePredicate,
  notInSubquery,
  offsetPagination,
  orderByRandom,
  selectStar,
  sqlBuiltFromStrings,
  timezoneNaiveDateBucket,
  unboundedInList,
  unboundedSelect,
  writeWithoutWhere,
];
