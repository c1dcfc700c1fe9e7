/**
 * Where Airflow runs a task's code, read from one Python file: the bodies of `@task`-decorated
 * functions (and their `@task.<variant>` forms), the functions or lambdas handed to an operator as
 * `python_callable=`, and the `execute` method of a class deriving from an operator. Sensors are
 * left out on purpose: a sensor's job is to compare against the wall clock.
 *
 * Scopes are plain ranges, so a rule may keep them for the whole lint while tree nodes are only
 * valid during it.
 */

import type { PythonNode } from '../../engine/languages/python';
import { pythonArguments, pythonCalleeName } from '../../engine/languages/python';
import type { TextRange } from '../../engine/types';

/** One place whose code runs inside an Airflow task. */
export interface AirflowTaskScope {
  /** The function (or lambda) whose body is the task's code. */
  range: TextRange;
  /** The name shown in messages: the function's name, or `Class.execute`. */
  name: string;
  kind: 'decorated' | 'callable' | 'execute';
}

/** True when the file imports Airflow: the only files whose functions can be tasks. */
export function isAirflowFile(text: string): boolean {
  return /^[ \t]*(?:from|import)[ \t]+airflow\b/m.test(text);
}

/** `task`, `task.virtualenv`, `task(...)`, `task.docker(image=...)`: the decorator's dotted name, or null. */
function decoratorName(decorator: PythonNode): string | null {
  let expression: PythonNode | null = decorator.namedChildren.find((child) => child !== null && child.type !== 'comment') ?? null;
  if (expression?.type === 'call') expression = expression.childForFieldName('function');
  if (expression === null) return null;
  if (expression.type === 'identifier' || expression.type === 'attribute') return expression.text.replace(/\s+/g, '');
  return null;
}

function isTaskDecorator(name: string): boolean {
  // `@task.sensor` pokes until a condition holds; comparing with now is its purpose.
  if (name === 'task.sensor') return false;
  return name === 'task' || name.startsWith('task.') || name === 'dag.task';
}

function functionName(node: PythonNode): string {
  return node.childForFieldName('name')?.text ?? '<lambda>';
}

/** The task scopes of a file, in source order. Returns nothing for a file that does not import Airflow. */
export function airflowTaskScopes(root: PythonNode, text: string): AirflowTaskScope[] {
  if (!isAirflowFile(text)) return [];
  const scopes: AirflowTaskScope[] = [];
  const functionsByName = new Map<string, PythonNode[]>();
  for (const definition of root.descendantsOfType('function_definition')) {
    if (definition === null) continue;
    const name = functionName(definition);
    functionsByName.set(name, [...(functionsByName.get(name) ?? []), definition]);
  }
  for (const decorated of root.descendantsOfType('decorated_definition')) {
    if (decorated === null) continue;
    const definition = decorated.childForFieldName('definition');
    if (definition?.type !== 'function_definition') continue;
    const isTask = decorated.namedChildren.some((child) => child !== null && child.type === 'decorator' && isTaskDecorator(decoratorName(child) ?? ''));
    if (isTask) scopes.push({ range: { start: definition.startIndex, end: definition.endIndex }, name: functionName(definition), kind: 'decorated' });
  }
  for (const call of root.descendantsOfType('call')) {
    if (call === null) continue;
    // The keyword first: the callee's name is its text, which for each call of a long chain
    // `f()()()...` is the rest of the chain (#15).
    const target = pythonArguments(call).keywords.get('python_callable');
    if (target === undefined) continue;
    const callee = pythonCalleeName(call) ?? '';
    if (/Sensor/.test(callee)) continue;
    if (target.type === 'lambda') {
      scopes.push({ range: { start: target.startIndex, end: target.endIndex }, name: '<lambda>', kind: 'callable' });
      continue;
    }
    if (target.type !== 'identifier') continue;
    // A name defined twice could be either function; both run as tasks only if both are passed, so
    // the rule takes every definition of the name (a rare shape in DAG files).
    for (const definition of functionsByName.get(target.text) ?? []) {
      scopes.push({ range: { start: definition.startIndex, end: definition.endIndex }, name: target.text, kind: 'callable' });
    }
  }
  for (const definition of root.descendantsOfType('class_definition')) {
    if (definition === null) continue;
    const bases = definition.childForFieldName('superclasses');
    const baseNames = (bases?.namedChildren ?? []).filter((base): base is PythonNode => base !== null && (base.type === 'identifier' || base.type === 'attribute')).map((base) => base.text.split('.').pop() ?? '');
    if (!baseNames.some((base) => /Operator$/.test(base) && !/Sensor/.test(base))) continue;
    const body = definition.childForFieldName('body');
    for (const member of body?.namedChildren ?? []) {
      const method = member?.type === 'decorated_definition' ? member.childForFieldName('definition') : member;
      if (method?.type !== 'function_definition' || functionName(method) !== 'execute') continue;
      scopes.push({ range: { start: method.startIndex, end: method.endIndex }, name: `${definition.childForFieldName('name')?.text ?? 'Operator'}.execute`, kind: 'execute' });
    }
  }
  return scopes.sort((a, b) => a.range.start - b.range.start);
}

/** The innermost task scope containing an offset. */
export function taskScopeAt(scopes: readonly AirflowTaskScope[], offset: number): AirflowTaskScope | undefined {
  let found: AirflowTaskScope | undefined;
  for (const scope of scopes) {
    if (offset >= scope.range.start && offset < scope.range.end && (found === undefined || scope.range.start >= found.range.start)) found = scope;
  }
  return found;
}

/**
 * The task an embedded SQL site runs in: the enclosing task's name, or the operator's class for
 * an operator's `sql=` (sensors excluded). Null when the SQL does not run as a task.
 */
export function taskOfSqlSite(scopes: readonly AirflowTaskScope[], site: { node: { startIndex: number }; calleeName: string }): string | null {
  const scope = taskScopeAt(scopes, site.node.startIndex);
  const isOperatorSql = /Operator$/.test(site.calleeName) && !/Sensor/.test(site.calleeName);
  if (scope === undefined && !isOperatorSql) return null;
  return scope?.name ?? site.calleeName;
}
