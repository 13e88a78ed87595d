import { createHmac } from 'node:crypto';
import { verifySignature } from './receiver';

describe('verifySignature', () => {
  const secret = 'demo-signing-secret-0123456789';
  const body = '{"LeadSource":"AzureMarketplace-INS|contoso.crm"}';
  const sign = (t: number, b = body, s = secret) =>
    `t=${t},v1=${createHmac('sha256', s).update(`${t}.${b}`).digest('hex')}`;

  it('accepts a fresh signature of the exact body', () => {
    expect(verifySignature(sign(1_000), body, secret, 1_010)).toBe('valid');
  });

  it('rejects another body, another secret, an old timestamp and garbage', () => {
    expect(verifySignature(sign(1_000), `${body} `, secret, 1_000)).toBe('invalid');
    expect(verifySignature(sign(1_000, body, 'other-secret-0123456789'), body, secret, 1_000)).toBe('invalid');
    expect(verifySignature(sign(1_000), body, secret, 2_000)).toBe('invalid');
    expect(verifySignature('t=x,v1=zz', body, secret, 1_000)).toBe('invalid');
    expect(verifySignature(undefined, body, secret)).toBe('absent');
  });
});
