import { AuditRecordSchema, changedFields } from './index';

describe('audit records', () => {
  it('names the fields that differ, added or removed, and never their values', () => {
    const before = {
      type: 'https',
      url: 'https://a.example/l',
      signingSecret: 'old-secret-0123456789',
      headers: { 'x-a': '1' },
    };
    const after = {
      type: 'https',
      url: 'https://a.example/l',
      signingSecret: 'new-secret-0123456789',
      autoReplay: true,
    };
    const fields = changedFields(before, after);
    expect(fields).toEqual(['autoReplay', 'headers.x-a', 'signingSecret']);
    expect(JSON.stringify(fields)).not.toContain('secret-0123456789');
    expect(changedFields(undefined, { type: 'https', url: 'u' })).toEqual(['type', 'url']);
    expect(changedFields({ type: 'https', url: 'u' }, undefined)).toEqual(['type', 'url']);
    expect(changedFields({ a: [1, 2] }, { a: [1, 2] })).toEqual([]);
  });

  it('accepts the four actions only, with an actor and a time', () => {
    const ok = { id: 'x', at: '2026-12-06T00:00:00.000Z', actor: 'static:ops', action: 'pii.reveal' };
    expect(AuditRecordSchema.safeParse({ ...ok, reveal: { command: 'dlq list', filter: {}, count: 1 } }).success).toBe(
      true,
    );
    expect(AuditRecordSchema.safeParse({ ...ok, action: 'offer.read' }).success).toBe(false);
    expect(AuditRecordSchema.safeParse({ ...ok, actor: '' }).success).toBe(false);
  });
});
