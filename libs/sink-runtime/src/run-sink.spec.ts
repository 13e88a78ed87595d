import { z } from 'zod';
import { defineSink, loadDeclaredSinkEnv, sinkPortVariable } from './index';

const declaration = defineSink({
  name: 'https-sink',
  env: { LEADFLOW_HTTPS_ALLOW: z.enum(['none', 'loopback', 'private']).default('none') },
  create: () => {
    throw new Error('not built in this test');
  },
});
const base = { KAFKA_BROKERS: '127.0.0.1:9092', LEADFLOW_SECRET_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}` };

describe('a declared sink', () => {
  it('reads its port from the variable named after it, with the catalog default', () => {
    expect(sinkPortVariable('table-sink')).toBe('LEADFLOW_TABLE_SINK_PORT');
    expect(loadDeclaredSinkEnv(declaration, base).LEADFLOW_SINK_PORT).toBe(8083);
    expect(loadDeclaredSinkEnv(declaration, { ...base, LEADFLOW_HTTPS_SINK_PORT: '9999' }).LEADFLOW_SINK_PORT).toBe(
      9999,
    );
  });

  it('validates its own variables with the common ones and names every bad one', () => {
    expect(loadDeclaredSinkEnv(declaration, { ...base, LEADFLOW_HTTPS_ALLOW: 'loopback' }).LEADFLOW_HTTPS_ALLOW).toBe(
      'loopback',
    );
    expect(() =>
      loadDeclaredSinkEnv(declaration, { ...base, LEADFLOW_HTTPS_ALLOW: 'all', LEADFLOW_HTTPS_SINK_PORT: 'x' }),
    ).toThrow(/LEADFLOW_HTTPS_ALLOW.*LEADFLOW_HTTPS_SINK_PORT|LEADFLOW_HTTPS_SINK_PORT.*LEADFLOW_HTTPS_ALLOW/);
  });
});
