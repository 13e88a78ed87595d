import { SECRET_FIELDS, type DestinationType } from '@leadflow/lead-model';

/**
 * The secret fields of a destination of `type`, as property paths (e.g. ["auth", "clientSecret"]).
 * An unknown or retired type (a legacy `azure-blob` record) has none.
 */
export function secretPaths(type: string): readonly (readonly string[])[] {
  const fields = Object.hasOwn(SECRET_FIELDS, type) ? SECRET_FIELDS[type as DestinationType] : [];
  return fields.map((f) => f.split('.'));
}

/** The value at `path` in a plain JSON object, or undefined. */
export function getAt(root: unknown, path: readonly string[]): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Sets `path` in a plain JSON object whose parents exist (callers only replace values they just read). */
export function setAt(root: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node: Record<string, unknown> = root;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = path[path.length - 1];
  if (last !== undefined) node[last] = value;
}
