/**
 * unencoded-credentials-in-url: a connection URL written as a template literal that interpolates
 * a user or password into its userinfo (`postgres://${user}:${password}@host/db`) without
 * `encodeURIComponent`. Only database, cache and broker schemes are considered (postgres,
 * postgresql, mysql, mariadb, mongodb, mongodb+srv, redis, rediss, amqp, amqps), and only
 * substitutions between `://` and the `@` that ends the userinfo.
 *
 * Silent for substitutions already encoded (`encodeURIComponent(x)`, or a constant holding such a
 * call), literals, and a single substitution that holds the whole userinfo (`${auth}@`), where
 * encoding would also encode its `:`. The fix wraps the expression: `${encodeURIComponent(password)}`.
 */

import { ts } from '../../engine/languages/typescript';
import { matches } from '../../engine/prefilter';
import { defineRule } from '../../engine/rule';
import { fileBindings, unwrapExpression, type FileBindings } from '../helpers/bindings';

type MessageId = 'unencodedPassword' | 'unencodedUser';

const SCHEMES = ['postgres', 'postgresql', 'mysql', 'mariadb', 'mongodb', 'mongodb+srv', 'redis', 'rediss', 'amqp', 'amqps'];
const SCHEME_AT_END = new RegExp(`(?:^|[^a-z0-9+.-])(${SCHEMES.map((scheme) => scheme.replace('+', '\\+')).join('|')})://([^/?#@\\s]*)$`, 'i');

/** Whether the substitution is already encoded, or cannot hold a special character. */
function isSafe(bindings: FileBindings, expression: ts.Expression): boolean {
  const target = unwrapExpression(expression);
  if (ts.isStringLiteral(target) || ts.isNumericLiteral(target) || ts.isNoSubstitutionTemplateLiteral(target)) return /^[A-Za-z0-9._~-]*$/.test(target.text);
  const made = bindings.origin(target);
  if (ts.isCallExpression(made)) {
    const callee = unwrapExpression(made.expression);
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
    // encodeURIComponent, querystring.escape, or a helper that says it encodes.
    if (/encode|escape/i.test(name) && name !== 'encodeURI') return true;
  }
  if (ts.isStringLiteral(made) || ts.isNoSubstitutionTemplateLiteral(made)) return /^[A-Za-z0-9._~-]*$/.test(made.text);
  const name = ts.isIdentifier(target) ? target.text : ts.isPropertyAccessExpression(target) ? target.name.text : '';
  return /encoded|escaped/i.test(name);
}

export default defineRule<MessageId>({
  meta: {
    id: 'unencoded-credentials-in-url',
    family: 'app',
    target: 'script',
    defaultSeverity: 'info',
    fix: 'safe',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'A connection URL that interpolates a user or password without `encodeURIComponent`.',
    why: 'A password with `@`, `:`, `/`, `#`, `?` or `%` in it (which generated and rotated secrets often have) changes where the URL\'s parts begin: the connection fails or goes to the wrong host, and only after the secret is rotated in production.',
    messages: {
      unencodedPassword: '`${{{expression}}}` is interpolated into the password of a `{{scheme}}://` URL without encoding; a password containing `@`, `:`, `/` or `%` breaks the URL: write `${encodeURIComponent({{expression}})}`.',
      unencodedUser: '`${{{expression}}}` is interpolated into the user name of a `{{scheme}}://` URL without encoding; a name containing `@` or `:` breaks the URL: write `${encodeURIComponent({{expression}})}`.',
    },
    options: {},
    // Anchored on `://` and looking back for the scheme, so the scan can jump between colons.
    prefilter: [matches(new RegExp(`://(?<=(?:${SCHEMES.map((scheme) => scheme.replace('+', '\\+')).join('|')})://)`, 'i'))],
    sources: ['None found; RFC 3986 section 3.2.1 (userinfo) and the node-postgres, MongoDB and ioredis connection-string docs, which require percent-encoding'],
  },
  create(context) {
    let bindings: FileBindings | null = null;
    return {
      file(sourceFile) {
        bindings = fileBindings(sourceFile, context.project);
      },
      nodes: {
        [ts.SyntaxKind.TemplateExpression]: (node) => {
          if (bindings === null || !ts.isTemplateExpression(node)) return;
          const sourceFile = bindings.sourceFile;
          // Walk the literal parts; a scheme opens the userinfo, and the first `@` closes it.
          let userinfo: { scheme: string; substitutions: ts.Expression[]; colonSeen: boolean; colonAfter: boolean[] } | null = null;
          const openAt = (text: string): void => {
            const match = SCHEME_AT_END.exec(text);
            if (match === null) return;
            const tail = match[2] ?? '';
            userinfo = { scheme: (match[1] ?? '').toLowerCase(), substitutions: [], colonSeen: tail.includes(':'), colonAfter: [] };
          };
          const credentials: { expression: ts.Expression; scheme: string; isPassword: boolean }[] = [];
          openAt(node.head.text);
          for (const span of node.templateSpans) {
            const literal = span.literal.text;
            const current = userinfo as { scheme: string; substitutions: ts.Expression[]; colonSeen: boolean; colonAfter: boolean[] } | null;
            if (current !== null) {
              current.substitutions.push(span.expression);
              current.colonAfter.push(current.colonSeen);
              const at = literal.indexOf('@');
              const end = literal.search(/[/?#]/);
              if (at !== -1 && (end === -1 || at < end)) {
                // The userinfo is complete: decide which substitutions are users and which passwords.
                const before = literal.slice(0, at);
                const single = current.substitutions.length === 1 && !current.colonSeen && !before.includes(':');
                current.substitutions.forEach((expression, index) => {
                  if (single) {
                    // `${auth}@` may hold `user:password`; only a name that says "user" is a user.
                    const text = expression.getText(sourceFile);
                    if (!/user|login|account/i.test(text) || /auth|cred|info/i.test(text)) return;
                  }
                  credentials.push({ expression, scheme: current.scheme, isPassword: current.colonAfter[index] ?? false });
                });
                userinfo = null;
              } else if (end !== -1) {
                userinfo = null; // a path began: there was no userinfo
              } else if (literal.includes(':')) {
                current.colonSeen = true;
              }
            }
            if (userinfo === null) openAt(literal);
          }
          for (const credential of credentials) {
            if (isSafe(bindings, credential.expression)) continue;
            const expressionText = credential.expression.getText(sourceFile);
            const start = credential.expression.getStart(sourceFile);
            const end = credential.expression.getEnd();
            context.report({
              messageId: credential.isPassword ? 'unencodedPassword' : 'unencodedUser',
              data: { expression: expressionText, scheme: credential.scheme },
              range: { start, end },
              fixes: [{ title: `Wrap it: \`encodeURIComponent(${expressionText})\``, safety: 'safe', edits: [{ range: { start, end: start }, newText: 'encodeURIComponent(' }, { range: { start: end, end }, newText: ')' }] }],
            });
          }
        },
      },
    };
  },
});
