/**
 * A small evaluator of IAM resource policies as AWS documents the logic
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 * an explicit Deny wins, else an Allow whose principal, action, resource and every condition
 * match, else the implicit deny. Enough of the grammar for the policies this app writes
 * (Principal `*` / Service / AWS, wildcard actions and resources, the String*, Arn* and Bool
 * condition operators and their negations); anything else throws, so a test can never pass by ignoring it.
 */

export interface PolicyRequest {
  readonly principal: { readonly service?: string; readonly aws?: string };
  readonly action: string;
  readonly resource: string;
  /** Request context keys (aws:SourceAccount, aws:SourceArn, aws:SecureTransport …). */
  readonly context: Readonly<Record<string, string>>;
}

export type Decision = 'allow' | 'deny' | 'implicit-deny';

interface Statement {
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | { Service?: string | string[]; AWS?: string | string[] };
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
  [key: string]: unknown;
}

const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** `*` and `?` wildcards, as IAM matches actions, resources and *Like conditions. */
function wildcard(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

function principalMatches(statement: Statement, request: PolicyRequest): boolean {
  const principal = statement.Principal;
  if (principal === undefined) throw new Error('statement without Principal (NotPrincipal?)');
  if (principal === '*') return true;
  if (list(principal.Service).includes(request.principal.service ?? '')) return true;
  return list(principal.AWS).some((p) => p === '*' || p === request.principal.aws);
}

function conditionHolds(
  operator: string,
  key: string,
  expected: string[],
  context: PolicyRequest['context'],
): boolean {
  const actual = context[key];
  if (operator.includes('Not')) {
    // A negated operator holds when the key is missing, or when the positive one does not.
    if (actual === undefined) return true;
    return !conditionHolds(operator.replace('Not', ''), key, expected, context);
  }
  if (actual === undefined) return false; // a missing key never satisfies a non-IfExists operator
  switch (operator) {
    case 'StringEquals':
    case 'ArnEquals':
      return expected.includes(actual);
    case 'StringLike':
    case 'ArnLike':
      return expected.some((p) => wildcard(p, actual));
    case 'Bool':
      return expected.map((e) => e.toLowerCase()).includes(actual.toLowerCase());
    default:
      throw new Error(`condition operator ${operator} is not modelled`);
  }
}

function matches(statement: Statement, request: PolicyRequest): boolean {
  for (const key of ['NotPrincipal', 'NotAction', 'NotResource']) {
    if (key in statement) throw new Error(`${key} is not modelled`);
  }
  if (!principalMatches(statement, request)) return false;
  if (!list(statement.Action).some((a) => wildcard(a, request.action, true))) return false;
  if (!list(statement.Resource).some((r) => wildcard(r, request.resource))) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, pairs]) =>
    Object.entries(pairs).every(([key, value]) =>
      conditionHolds(operator, key, list(value), request.context),
    ),
  );
}

export function evaluate(policy: { Statement: Statement[] }, request: PolicyRequest): Decision {
  const hits = policy.Statement.filter((s) => matches(s, request));
  if (hits.some((s) => s.Effect === 'Deny')) return 'deny';
  return hits.some((s) => s.Effect === 'Allow') ? 'allow' : 'implicit-deny';
}

/**
 * Resolves the intrinsic functions of a synthesized policy into plain strings: pseudo
 * parameters from `pseudo`, `Ref`s to resources from `refs`, `Fn::Join`; anything else throws.
 */
export function resolve(value: unknown, refs: Readonly<Record<string, string>>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, refs));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  if ('Ref' in object) {
    const target = refs[object.Ref as string];
    if (target === undefined) throw new Error(`unresolved Ref ${String(object.Ref)}`);
    return target;
  }
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => resolve(p, refs)).join(separator);
  }
  const intrinsic = Object.keys(object).find((k) => k.startsWith('Fn::'));
  if (intrinsic) throw new Error(`${intrinsic} is not modelled`);
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, resolve(v, refs)]));
}
