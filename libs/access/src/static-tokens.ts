import { hash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { publishersFrom, ROLES, type Caller } from './decide';

/**
 * One static token as configured: its SHA-256 digest (never the token), the roles it grants and the publishers it
 * acts for. Static tokens serve the local stack, tests and break-glass access; production callers use signed JWTs.
 */
export const StaticTokenSchema = z.strictObject({
  /** Non-secret name: the audit trail's actor is `static:<id>`. */
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "letters, digits, '.', '_' or '-', at most 64"),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'the hex SHA-256 digest of the token (64 hex digits)')
    .transform((s) => s.toLowerCase()),
  roles: z.array(z.enum(ROLES)).min(1),
  publishers: z.array(z.string().min(1)).default([]),
});
export type StaticTokenEntry = z.infer<typeof StaticTokenSchema>;

/** `LEADFLOW_STATIC_TOKENS`: a JSON array of entries. Errors name the entry and field, never a digest. */
export const StaticTokensSchema = z
  .string()
  .transform((raw, ctx) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of {id, sha256, roles, publishers}' });
      return z.NEVER;
    }
  })
  .pipe(z.array(StaticTokenSchema))
  .refine((entries) => new Set(entries.map((e) => e.id)).size === entries.length, 'token ids must be unique');

/** The hex SHA-256 digest to configure for a token (`node -e` one-liner in docs/api.md does the same). */
export function tokenDigest(token: string): string {
  return hash('sha256', token, 'hex');
}

interface Entry {
  readonly digest: Buffer;
  readonly caller: Caller;
}

/** Checks a bearer token against the configured digests without leaking through timing which one matched. */
export class StaticTokens {
  private readonly entries: readonly Entry[];

  constructor(entries: readonly StaticTokenEntry[]) {
    this.entries = entries.map((e) => ({
      digest: Buffer.from(e.sha256, 'hex'),
      caller: { subject: `static:${e.id}`, roles: new Set(e.roles), publishers: publishersFrom(e.publishers) },
    }));
  }

  get size(): number {
    return this.entries.length;
  }

  /** The caller the token stands for, or undefined. */
  identify(token: string): Caller | undefined {
    // One-shot hash: no Hash object per request (this runs on every authenticated request).
    const candidate = hash('sha256', token, 'buffer');
    let found: Caller | undefined;
    // Every entry is compared (no early exit); equal-length digests make each comparison take the same time.
    for (const entry of this.entries) if (timingSafeEqual(candidate, entry.digest) && !found) found = entry.caller;
    return found;
  }
}
