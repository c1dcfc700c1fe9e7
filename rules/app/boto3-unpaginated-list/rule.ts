/**
 * boto3-unpaginated-list: a boto3 call to an operation AWS pages (`list_objects_v2`, DynamoDB
 * `scan` / `query`, `list_functions`, `get_parameters_by_path`, Athena `get_query_results` ...)
 * made once, with no paginator and no loop over the continuation token, so only the first page is
 * read. The client's service is known from `boto3.client("s3")` / `session.client(...)` /
 * `resource(...).meta.client` / `resource("dynamodb").Table(...)` assigned in the file, or from a
 * receiver named for the service (`s3_client`, `ddb`).
 *
 * Left alone: a call with an explicit page size (`MaxKeys=1`, `Limit=`: one page is the intent),
 * with `**kwargs` (the token may be in them), inside a `while` loop, in a function that mentions
 * the operation's continuation token or a paginator, a result only tested for emptiness, and EC2
 * and SQS, whose list calls return everything (EC2 `Describe*`) or a capped list without a token
 * (SQS `ListQueues`) when no page size is given. No fix: the loop body is the author's.
 */

import type { PythonNode } from '../../engine/languages/python';
import { pythonArguments } from '../../engine/languages/python';
import { defineRule } from '../../engine/rule';

type MessageId = 'unpaginated';

/**
 * Paginated operations per service, with the names of their continuation tokens (input and
 * output tokens and the "more results" flag), as botocore's paginators-1.json lists them.
 * EC2 and SQS are left out on purpose (see above).
 */
const PAGINATED: Record<string, Record<string, string>> = {
  // Generated from botocore 1.29.27 (Debian python3-botocore, /usr/lib/python3/dist-packages/botocore): data/<service>/<version>/paginators-1.json.
  athena: { get_query_results: 'NextToken', list_data_catalogs: 'NextToken', list_databases: 'NextToken', list_named_queries: 'NextToken', list_query_executions: 'NextToken', list_table_metadata: 'NextToken', list_tags_for_resource: 'NextToken' },
  cloudformation: { describe_account_limits: 'NextToken', describe_change_set: 'NextToken', describe_stack_events: 'NextToken', describe_stacks: 'NextToken', list_change_sets: 'NextToken', list_exports: 'NextToken', list_imports: 'NextToken', list_stack_instances: 'NextToken', list_stack_resources: 'NextToken', list_stack_set_operation_results: 'NextToken', list_stack_set_operations: 'NextToken', list_stack_sets: 'NextToken', list_stacks: 'NextToken', list_types: 'NextToken' },
  dynamodb: { list_backups: 'ExclusiveStartBackupArn LastEvaluatedBackupArn', list_tables: 'ExclusiveStartTableName LastEvaluatedTableName', list_tags_of_resource: 'NextToken', query: 'ExclusiveStartKey LastEvaluatedKey', scan: 'ExclusiveStartKey LastEvaluatedKey' },
  ecs: { list_account_settings: 'nextToken', list_attributes: 'nextToken', list_clusters: 'nextToken', list_container_instances: 'nextToken', list_services: 'nextToken', list_services_by_namespace: 'nextToken', list_task_definition_families: 'nextToken', list_task_definitions: 'nextToken', list_tasks: 'nextToken' },
  glue: { get_classifiers: 'NextToken', get_connections: 'NextToken', get_crawler_metrics: 'NextToken', get_crawlers: 'NextToken', get_databases: 'NextToken', get_dev_endpoints: 'NextToken', get_job_runs: 'NextToken', get_jobs: 'NextToken', get_partition_indexes: 'NextToken', get_partitions: 'NextToken', get_resource_policies: 'NextToken', get_security_configurations: 'NextToken', get_table_versions: 'NextToken', get_tables: 'NextToken', get_triggers: 'NextToken', get_user_defined_functions: 'NextToken', list_registries: 'NextToken', list_schema_versions: 'NextToken', list_schemas: 'NextToken' },
  iam: { get_account_authorization_details: 'IsTruncated Marker', get_group: 'IsTruncated Marker', list_access_keys: 'IsTruncated Marker', list_account_aliases: 'IsTruncated Marker', list_attached_group_policies: 'IsTruncated Marker', list_attached_role_policies: 'IsTruncated Marker', list_attached_user_policies: 'IsTruncated Marker', list_entities_for_policy: 'IsTruncated Marker', list_group_policies: 'IsTruncated Marker', list_groups: 'IsTruncated Marker', list_groups_for_user: 'IsTruncated Marker', list_instance_profiles: 'IsTruncated Marker', list_instance_profiles_for_role: 'IsTruncated Marker', list_mfa_devices: 'IsTruncated Marker', list_policies: 'IsTruncated Marker', list_policy_versions: 'IsTruncated Marker', list_role_policies: 'IsTruncated Marker', list_roles: 'IsTruncated Marker', list_server_certificates: 'IsTruncated Marker', list_signing_certificates: 'IsTruncated Marker', list_ssh_public_keys: 'IsTruncated Marker', list_user_policies: 'IsTruncated Marker', list_user_tags: 'IsTruncated Marker', list_users: 'IsTruncated Marker', list_virtual_mfa_devices: 'IsTruncated Marker', simulate_custom_policy: 'IsTruncated Marker', simulate_principal_policy: 'IsTruncated Marker' },
  kinesis: { describe_stream: 'ExclusiveStartShardId StreamDescription', list_shards: 'NextToken', list_stream_consumers: 'NextToken', list_streams: 'ExclusiveStartStreamName HasMoreStreams StreamNames' },
  lambda: { list_aliases: 'Marker NextMarker', list_code_signing_configs: 'Marker NextMarker', list_event_source_mappings: 'Marker NextMarker', list_function_event_invoke_configs: 'Marker NextMarker', list_function_url_configs: 'Marker NextMarker', list_functions: 'Marker NextMarker', list_functions_by_code_signing_config: 'Marker NextMarker', list_layer_versions: 'Marker NextMarker', list_layers: 'Marker NextMarker', list_provisioned_concurrency_configs: 'Marker NextMarker', list_versions_by_function: 'Marker NextMarker' },
  logs: { describe_destinations: 'nextToken', describe_export_tasks: 'nextToken', describe_log_groups: 'nextToken', describe_log_streams: 'nextToken', describe_metric_filters: 'nextToken', describe_queries: 'nextToken', describe_resource_policies: 'nextToken', describe_subscription_filters: 'nextToken', filter_log_events: 'nextToken' },
  s3: { list_multipart_uploads: 'IsTruncated KeyMarker NextKeyMarker NextUploadIdMarker UploadIdMarker', list_object_versions: 'IsTruncated KeyMarker NextKeyMarker NextVersionIdMarker VersionIdMarker', list_objects: 'IsTruncated Marker NextMarker', list_objects_v2: 'ContinuationToken IsTruncated NextContinuationToken', list_parts: 'IsTruncated NextPartNumberMarker PartNumberMarker' },
  secretsmanager: { list_secrets: 'NextToken' },
  sns: { list_endpoints_by_platform_application: 'NextToken', list_origination_numbers: 'NextToken', list_phone_numbers_opted_out: 'nextToken', list_platform_applications: 'NextToken', list_sms_sandbox_phone_numbers: 'NextToken', list_subscriptions: 'NextToken', list_subscriptions_by_topic: 'NextToken', list_topics: 'NextToken' },
  ssm: { describe_activations: 'NextToken', describe_association_execution_targets: 'NextToken', describe_association_executions: 'NextToken', describe_automation_executions: 'NextToken', describe_automation_step_executions: 'NextToken', describe_available_patches: 'NextToken', describe_effective_instance_associations: 'NextToken', describe_effective_patches_for_patch_baseline: 'NextToken', describe_instance_associations_status: 'NextToken', describe_instance_information: 'NextToken', describe_instance_patch_states: 'NextToken', describe_instance_patch_states_for_patch_group: 'NextToken', describe_instance_patches: 'NextToken', describe_inventory_deletions: 'NextToken', describe_maintenance_window_execution_task_invocations: 'NextToken', describe_maintenance_window_execution_tasks: 'NextToken', describe_maintenance_window_executions: 'NextToken', describe_maintenance_window_schedule: 'NextToken', describe_maintenance_window_targets: 'NextToken', describe_maintenance_window_tasks: 'NextToken', describe_maintenance_windows: 'NextToken', describe_maintenance_windows_for_target: 'NextToken', describe_ops_items: 'NextToken', describe_parameters: 'NextToken', describe_patch_baselines: 'NextToken', describe_patch_groups: 'NextToken', describe_patch_properties: 'NextToken', describe_sessions: 'NextToken', get_inventory: 'NextToken', get_inventory_schema: 'NextToken', get_ops_summary: 'NextToken', get_parameter_history: 'NextToken', get_parameters_by_path: 'NextToken', get_resource_policies: 'NextToken', list_association_versions: 'NextToken', list_associations: 'NextToken', list_command_invocations: 'NextToken', list_commands: 'NextToken', list_compliance_items: 'NextToken', list_compliance_summaries: 'NextToken', list_document_versions: 'NextToken', list_documents: 'NextToken', list_ops_item_events: 'NextToken', list_ops_item_related_items: 'NextToken', list_ops_metadata: 'NextToken', list_resource_compliance_summaries: 'NextToken', list_resource_data_sync: 'NextToken' },
  stepfunctions: { get_execution_history: 'nextToken', list_activities: 'nextToken', list_executions: 'nextToken', list_map_runs: 'nextToken', list_state_machines: 'nextToken' },
};

/**
 * Receiver names that say which service a client talks to, when its creation is not in the file:
 * the service's name or usual abbreviation, alone or with `client` / `conn` (`s3`, `s3_client`,
 * `client_s3`, `ddb`). Longer names (`lambda_backend`) are other objects.
 */
const SERVICE_ALIASES: Record<string, string> = {
  s3: 's3', dynamodb: 'dynamodb', dynamo: 'dynamodb', ddb: 'dynamodb', sns: 'sns', lambda: 'lambda', lambda_: 'lambda', awslambda: 'lambda', iam: 'iam',
  logs: 'logs', cwlogs: 'logs', cloudwatch_logs: 'logs', cloudformation: 'cloudformation', cfn: 'cloudformation', glue: 'glue', athena: 'athena',
  ssm: 'ssm', kinesis: 'kinesis', secretsmanager: 'secretsmanager', secrets_manager: 'secretsmanager', ecs: 'ecs', sfn: 'stepfunctions', stepfunctions: 'stepfunctions',
};

function serviceFromName(receiver: string): string | null {
  const last = (receiver.split('.').pop() ?? '').toLowerCase().replace(/^_+/, '');
  const bare = last.replace(/^(?:aws_|boto_)/, '').replace(/_?(?:client|conn|connection)$/, '').replace(/^(?:client|conn)_/, '');
  if (bare === last && !(last in SERVICE_ALIASES)) return null;
  return SERVICE_ALIASES[bare] ?? null;
}

/** Arguments that set a page size: the caller asks for one page on purpose (`MaxKeys=1` existence checks). */
const PAGE_SIZE = new Set(['MaxKeys', 'MaxItems', 'MaxResults', 'maxResults', 'Limit', 'limit', 'MaxRecords', 'PageSize', 'MaxUploads', 'MaxParts', 'maxItems']);
/** Keyword arguments only a DynamoDB table's `scan` / `query` takes. */
const DYNAMODB_ARGUMENTS = new Set(['KeyConditionExpression', 'FilterExpression', 'IndexName', 'ProjectionExpression', 'ExpressionAttributeValues', 'ExpressionAttributeNames', 'KeyConditions', 'ScanFilter', 'Select', 'ConsistentRead', 'TableName']);
const AWS_FILE = /\b(?:boto3|botocore|aioboto3|aiobotocore)\b/;
const FIRST_PAGE: Record<string, string> = { s3: 'at most 1,000 keys', dynamodb: 'at most 1 MB of items' };

const ALL_OPERATIONS = new Set(Object.values(PAGINATED).flatMap((operations) => Object.keys(operations)));

function stringValue(node: PythonNode | undefined): string | null {
  if (node === undefined || node.type !== 'string') return null;
  const match = /^[rRuU]?(['"])(.*)\1$/s.exec(node.text);
  return match?.[2] ?? null;
}

/** The service of `boto3.client("s3")`, `session.client(service_name="s3")`, `create_client("s3")`; 'resource:s3' for resources; 'table' for `Table(...)`. */
function createdService(awaited: PythonNode, known: Map<string, string>): string | null {
  // Through `await` with a loop, however many there are (#15).
  let value = awaited;
  while (value.type === 'await') {
    const inner = value.namedChildren.find((child) => child !== null && child.type !== 'comment');
    if (inner === undefined || inner === null) return null;
    value = inner;
  }
  if (value.type === 'attribute' && value.childForFieldName('attribute')?.text === 'client') {
    // `s3_resource.meta.client`
    const meta = value.childForFieldName('object');
    if (meta?.type === 'attribute' && meta.childForFieldName('attribute')?.text === 'meta') {
      const owner = known.get(meta.childForFieldName('object')?.text ?? '');
      if (owner?.startsWith('resource:') === true) return owner.slice('resource:'.length);
    }
    return null;
  }
  if (value.type !== 'call') return null;
  const callee = value.childForFieldName('function');
  if (callee?.type === 'identifier' && /client/i.test(callee.text)) {
    // A helper that builds a client: `create_nested_client(session, "sns")`.
    const named = pythonArguments(value).positional.map((argument) => stringValue(argument)).find((text) => text !== null && text in PAGINATED);
    return named ?? null;
  }
  if (callee?.type !== 'attribute') return null;
  const method = callee.childForFieldName('attribute')?.text ?? '';
  const { positional, keywords } = pythonArguments(value);
  const service = stringValue(keywords.get('service_name') ?? positional[0]);
  if (method === 'client' || method === 'create_client') return service;
  if (method === 'resource') return service === null ? null : `resource:${service}`;
  if (method === 'Table') {
    const owner = known.get(callee.childForFieldName('object')?.text ?? '');
    return owner === undefined || owner === 'resource:dynamodb' ? 'table' : null;
  }
  return null;
}

/** The enclosing function, or the module. */
function enclosingFunction(node: PythonNode): PythonNode {
  let current: PythonNode | null = node.parent;
  while (current !== null) {
    if (current.type === 'function_definition' || current.type === 'lambda') return current;
    if (current.parent === null) return current;
    current = current.parent;
  }
  return node;
}

function insideWhileLoop(node: PythonNode, scope: PythonNode): boolean {
  for (let current = node.parent; current !== null && !current.equals(scope); current = current.parent) {
    if (current.type === 'while_statement') return true;
  }
  return false;
}

/** True when the value is only tested (`if resp.get("Contents"):`, `"Contents" in resp`): an existence check needs one page. */
function onlyTested(call: PythonNode, scope: PythonNode): boolean {
  const isTest = (node: PythonNode): boolean => {
    for (let current: PythonNode | null = node, depth = 0; current !== null && depth < 6; current = current.parent, depth++) {
      const parent: PythonNode | null = current.parent;
      if (parent === null) return false;
      if (parent.type === 'comparison_operator' || parent.type === 'not_operator' || parent.type === 'boolean_operator') return true;
      if ((parent.type === 'if_statement' || parent.type === 'elif_clause' || parent.type === 'while_statement' || parent.type === 'conditional_expression') && parent.childForFieldName('condition')?.equals(current) === true) return true;
      if (parent.type === 'argument_list' && parent.parent !== null && ['bool', 'len'].includes(parent.parent.childForFieldName('function')?.text ?? '')) return parent.parent.childForFieldName('function')?.text === 'bool';
      if (parent.type !== 'attribute' && parent.type !== 'call' && parent.type !== 'subscript' && parent.type !== 'parenthesized_expression') return false;
    }
    return false;
  };
  if (isTest(call)) return true;
  const assignment = call.parent;
  if (assignment?.type !== 'assignment') return false;
  const left = assignment.childForFieldName('left');
  if (left?.type !== 'identifier') return false;
  const uses = scope.descendantsOfType('identifier').filter((identifier): identifier is PythonNode => identifier !== null && identifier.text === left.text && identifier.startIndex > assignment.endIndex);
  return uses.length > 0 && uses.every(isTest);
}

export default defineRule<MessageId>({
  meta: {
    id: 'boto3-unpaginated-list',
    family: 'app',
    target: 'python',
    defaultSeverity: 'info',
    fix: 'none',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'A paginated boto3 call (`list_objects_v2`, DynamoDB `scan`/`query`, `list_*`) made once, with no paginator or continuation-token loop.',
    why: 'AWS returns one page per call (S3: 1,000 keys, DynamoDB: 1 MB, most list calls: 50 to 100 items) and signals the rest with a token; code that never asks for the next page works on a test bucket and silently ignores everything past the first page in production.',
    messages: {
      unpaginated: '`{{call}}` returns only the first page ({{page}}) and nothing here asks for the next; iterate `{{client}}.get_paginator("{{operation}}").paginate(...)` or loop on `{{token}}`.',
    },
    options: {},
    prefilter: ['boto3', 'botocore', 'aioboto3', 'aiobotocore'],
    sources: ['Sonar S7622 (boto3 pagination)', 'boto3 docs "Paginators"'],
  },
  create(context) {
    const pending = new Map<number, { data: Record<string, string>; start: number; end: number }>();
    return {
      pythonFile(file) {
        pending.clear();
        if (!AWS_FILE.test(file.text)) return;
        const known = new Map<string, string>();
        for (const node of file.root.descendantsOfType(['assignment', 'as_pattern'])) {
          if (node === null) continue;
          const target = node.type === 'assignment' ? node.childForFieldName('left') : node.namedChildren.find((child) => child !== null && child.type === 'as_pattern_target')?.namedChildren[0] ?? null;
          const value = node.type === 'assignment' ? node.childForFieldName('right') : node.namedChildren[0];
          if (target === null || target === undefined || value === null || value === undefined) continue;
          const service = createdService(value, known);
          if (service !== null) known.set(target.text, service);
        }
        for (const call of file.root.descendantsOfType('call')) {
          if (call === null) continue;
          const callee = call.childForFieldName('function');
          if (callee?.type !== 'attribute') continue;
          const operation = callee.childForFieldName('attribute')?.text ?? '';
          if (!ALL_OPERATIONS.has(operation)) continue;
          const receiver = callee.childForFieldName('object');
          if (receiver === null) continue;
          const { keywords } = pythonArguments(call);
          let service = createdService(receiver, known) ?? known.get(receiver.text) ?? null;
          if (service === null) {
            const last = receiver.text.split('.').pop() ?? '';
            service = serviceFromName(receiver.text);
            if (service === null && /table/i.test(last) && (operation === 'scan' || operation === 'query') && [...keywords.keys()].some((name) => DYNAMODB_ARGUMENTS.has(name))) service = 'table';
          }
          if (service === null || service.startsWith('resource:')) continue;
          const tokens = service === 'table' ? (operation === 'scan' || operation === 'query' ? PAGINATED.dynamodb?.[operation] : undefined) : PAGINATED[service]?.[operation];
          if (tokens === undefined) continue;
          if ([...keywords.keys()].some((name) => PAGE_SIZE.has(name))) continue;
          if (call.childForFieldName('arguments')?.namedChildren.some((argument) => argument !== null && argument.type === 'dictionary_splat') === true) continue;
          if (operation === 'describe_stacks' && keywords.has('StackName')) continue;
          const scope = enclosingFunction(call);
          if (insideWhileLoop(call, scope)) continue;
          const scopeText = scope.text;
          const tokenNames = tokens.split(' ');
          if (/get_paginator|\.paginate\(/.test(scopeText) || tokenNames.some((token) => new RegExp(`\\b${token}\\b`).test(scopeText))) continue;
          if (onlyTested(call, scope)) continue;
          const displayService = service === 'table' ? 'dynamodb' : service;
          pending.set(call.startIndex, {
            start: (callee.childForFieldName('attribute') ?? call).startIndex,
            end: call.endIndex,
            data: {
              call: `${operation}()`,
              page: FIRST_PAGE[displayService] ?? 'one page of results',
              client: service === 'table' ? `${receiver.text}.meta.client` : receiver.text,
              operation,
              token: tokenNames.filter((token) => token !== 'IsTruncated').join('` / `'),
            },
          });
        }
      },
      pythonNodes: {
        call(call) {
          const found = pending.get(call.startIndex);
          if (found === undefined || call.endIndex !== found.end) return;
          context.report({ messageId: 'unpaginated', data: found.data, range: { start: found.start, end: found.end } });
        },
      },
    };
  },
});
