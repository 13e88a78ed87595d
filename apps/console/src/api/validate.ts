import type { z } from 'zod';
import { parseFilter, type DeadLetterFilter } from '@leadflow/dead-letters';
import { notFound, ProblemException, validationProblem } from '../http/problem';
import type { RawFilterBody } from './api.schemas';

/** The value, parsed by `schema`, or a 400 naming every failing field (prefixed with `where`). */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where = ''): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new ProblemException(
    validationProblem(
      r.error.issues.map((i) => ({
        path: [where, ...i.path.map(String)].filter((p) => p !== '').join('.'),
        message: i.message,
      })),
    ),
  );
}

/** A typed filter from the page's raw one; every bad option named under `filter.<option>`. */
export function toFilter(raw: RawFilterBody, where = 'filter'): DeadLetterFilter {
  const parsed = parseFilter(raw);
  if (!parsed.ok)
    throw new ProblemException(
      validationProblem(parsed.issues.map((i) => ({ path: `${where}.${i.path}`, message: i.message }))),
    );
  return parsed.value;
}

export const isEmptyFilter = (raw: RawFilterBody): boolean =>
  Object.values(raw).every((v) => v === undefined || v.trim() === '');

export { notFound };
