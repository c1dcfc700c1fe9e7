/**
 * The catalogue: the only list of rules, sorted by id. A test checks that it matches the rule
 * folders and that every rule has its docs and fixtures.
 */

import type { Rule } from './engine/rule';
import airflowInsertNotUpsert from './app/airflow-insert-not-upsert/rule';
import airflowNowInTask from './app/airflow-now-in-task/rule';
import boto3UnpaginatedList from './app/boto3-unpaginated-list/rule';
import cartesianJoin from './sql/cartesian-join/rule';
import connectionPerRequest from './app/connection-per-request/rule';
import equalsNull from './sql/equals-null/rule';
import fullHistoryScan from './sql/full-history-scan/rule';
import idempotencyKeyPerAttempt from './app/idempotency-key-per-attempt/rule';
import ioInsideTransaction from './app/io-inside-transaction/rule';
import kafkaCommitBeforeProcessing from './app/kafka-commit-before-processing/rule';
import kafkaProducerNotIdempotent from './app/kafka-producer-not-idempotent/rule';
import kafkaWeakAcks from './app/kafka-weak-acks/rule';
import leadingWildcardLike from './sql/leading-wildcard-like/rule';
import limitWithoutOrderBy from './sql/limit-without-order-by/rule';
import localTimeBucketing from './app/local-time-bucketing/rule';
import naiveDatetimeInPipeline from './app/naive-datetime-in-pipeline/rule';
import nonSargablePredicate from './sql/non-sargable-predicate/rule';
import notInSubquery from './sql/not-in-subquery/rule';
import offsetPagination from './sql/offset-pagination/rule';
import orderByRandom from './sql/order-by-random/rule';
import poolClientLeak from './app/pool-client-leak/rule';
import poolWithoutLimits from './app/pool-without-limits/rule';
import queryInLoop from './app/query-in-loop/rule';
import requestWithoutTimeout from './app/request-without-timeout/rule';
import retryNonIdempotent from './app/retry-non-idempotent/rule';
import retryWithoutBackoff from './app/retry-without-backoff/rule';
import selectStar from './sql/select-star/rule';
import sparkCollectToDriver from './app/spark-collect-to-driver/rule';
import sqlBuiltFromStrings from './app/sql-built-from-strings/rule';
import timezoneNaiveDateBucket from './sql/timezone-naive-date-bucket/rule';
import unboundedConcurrency from './app/unbounded-concurrency/rule';
import unboundedFind from './app/unbounded-find/rule';
import unboundedInList from './sql/unbounded-in-list/rule';
import unboundedRetry from './app/unbounded-retry/rule';
import unboundedSelect from './sql/unbounded-select/rule';
import unencodedCredentialsInUrl from './app/unencoded-credentials-in-url/rule';
import writeWithoutWhere from './sql/write-without-where/rule';

export const RULES: readonly Rule[] = [
  airflowInsertNotUpsert,
  airflowNowInTask,
  boto3UnpaginatedList,
  cartesianJoin,
  connectionPerRequest,
  equalsNull,
  fullHistoryScan,
  idempotencyKeyPerAttempt,
  ioInsideTransaction,
  kafkaCommitBeforeProcessing,
  kafkaProducerNotIdempotent,
  kafkaWeakAcks,
  leadingWildcardLike,
  limitWithoutOrderBy,
  localTimeBucketing,
  naiveDatetimeInPipeline,
  nonSargablePredicate,
  notInSubquery,
  offsetPagination,
  orderByRandom,
  poolClientLeak,
  poolWithoutLimits,
  queryInLoop,
  requestWithoutTimeout,
  retryNonIdempotent,
  retryWithoutBackoff,
  selectStar,
  sparkCollectToDriver,
  sqlBuiltFromStrings,
  timezoneNaiveDateBucket,
  unboundedConcurrency,
  unboundedFind,
  unboundedInList,
  unboundedRetry,
  unboundedSelect,
  unencodedCredentialsInUrl,
  writeWithoutWhere,
];
