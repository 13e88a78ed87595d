/** A field that failed validation, named by the path the producer wrote (e.g. `UserDetails.Email`). */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: FieldIssue[] };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T>(issues: FieldIssue[]): Result<T> => ({ ok: false, issues });

/** The structural subset of a zod issue this lib needs (zod 4's `$ZodIssue`). */
interface ZodLikeIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** Converts zod issues to field issues, prefixing the path (e.g. `customer`) when the parsed value was nested. */
export function fromZodIssues(issues: readonly ZodLikeIssue[], prefix = ''): FieldIssue[] {
  return issues.map((i) => {
    const path = [prefix, ...i.path.map(String)].filter((p) => p !== '').join('.');
    return { path: path === '' ? '(root)' : path, message: i.message };
  });
}
