import type { DeliveryOutcome } from '@leadflow/sink-runtime';
import { MarketoError, type MarketoEndpoint } from './marketo-errors';

/** One entry of `result[]`: `created`/`updated` with the lead's id, or `skipped` with `reasons[]`. */
export interface RecordResult {
  readonly id?: number;
  readonly status: string;
  readonly reasons?: readonly { readonly code: string; readonly message: string }[];
}

interface Envelope {
  readonly success: boolean;
  readonly errors: readonly { readonly code: string; readonly message: string }[];
  readonly result: readonly RecordResult[];
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const codeOf = (v: unknown): string => (typeof v === 'number' || typeof v === 'string' ? String(v) : '');
export const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Reads the envelope Marketo answers every REST call with; undefined when the body is not one. */
export function parseEnvelope(body: string): Envelope | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isObject(json) || typeof json['success'] !== 'boolean') return undefined;
  const errors = Array.isArray(json['errors']) ? json['errors'].filter(isObject) : [];
  const result = Array.isArray(json['result']) ? json['result'] : [];
  return {
    success: json['success'],
    errors: errors.map((e) => ({ code: codeOf(e['code']), message: text(e['message']) })),
    result: result.map((r): RecordResult => {
      if (!isObject(r)) return { status: '' };
      const reasons = Array.isArray(r['reasons']) ? r['reasons'].filter(isObject) : undefined;
      return {
        ...(typeof r['id'] === 'number' ? { id: r['id'] } : {}),
        status: text(r['status']),
        ...(reasons ? { reasons: reasons.map((x) => ({ code: codeOf(x['code']), message: text(x['message']) })) } : {}),
      };
    }),
  };
}

export type Answer =
  | { readonly ok: true; readonly result: readonly RecordResult[] }
  | { readonly ok: false; readonly error: MarketoError };

/**
 * A REST call's answer. Marketo answers HTTP 200 to response- and record-level errors alike, so the body is read
 * every time: `success: false` fails the whole call ("Error Codes").
 */
export function readAnswer(endpoint: MarketoEndpoint, status: number, body: string, at: number): Answer {
  if (status !== 200) return { ok: false, error: new MarketoError(endpoint, 'http', String(status), '', { at }) };
  const envelope = parseEnvelope(body);
  if (!envelope)
    return {
      ok: false,
      error: new MarketoError(endpoint, 'http', '200', 'the answer is not a Marketo REST envelope', { at }),
    };
  if (envelope.success) return { ok: true, result: envelope.result };
  const e = envelope.errors[0] ?? { code: '611', message: 'success false without errors' };
  return { ok: false, error: new MarketoError(endpoint, 'response', e.code, e.message, { at }) };
}

/** One lead's outcome from its record in `result[]`: `created`/`updated` deliver it, `skipped` fails it alone. */
export function recordOutcome(endpoint: MarketoEndpoint, r: RecordResult | undefined, at: number): DeliveryOutcome {
  if (r && (r.status === 'created' || r.status === 'updated'))
    return { ok: true, ...(r.id !== undefined ? { externalId: String(r.id) } : {}) };
  const reason = r?.reasons?.[0];
  return {
    ok: false,
    error: reason
      ? new MarketoError(endpoint, 'record', reason.code, reason.message, { at })
      : new MarketoError(endpoint, 'record', 'none', `record status '${r?.status ?? 'missing'}' without a reason`, {
          at,
        }),
  };
}
