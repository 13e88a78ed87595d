import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pidFile } from '@leadflow/local-infra';
import { readStackConfig } from './stack.config';
import {
  conflictMessage,
  layoutDifferences,
  runningStack,
  STACK_LAYOUT_VARIABLES,
  stackSettings,
  writeRecord,
} from './stack-record';

describe('the stack record', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'leadflow-record-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records every layout variable, and reading the record back gives the same layout', () => {
    const cfg = readStackConfig({
      LEADFLOW_LOCAL_DIR: dir,
      LEADFLOW_KAFKA_NODES: '3',
      LEADFLOW_KAFKA_SECURE: '1',
      LEADFLOW_INGEST_PORT: '18080',
    });
    expect(Object.keys(stackSettings(cfg)).sort()).toEqual([...STACK_LAYOUT_VARIABLES].sort());
    expect(readStackConfig({ ...stackSettings(cfg), LEADFLOW_LOCAL_DIR: dir })).toEqual(cfg);
    const mtls = readStackConfig({ LEADFLOW_LOCAL_DIR: dir, LEADFLOW_KAFKA_SECURE: 'mtls' });
    expect(readStackConfig({ ...stackSettings(mtls), LEADFLOW_LOCAL_DIR: dir })).toEqual(mtls);
  });

  it('names what differs and the command that works', () => {
    const cluster = readStackConfig({ LEADFLOW_KAFKA_NODES: '3' });
    const single = readStackConfig({});
    expect(layoutDifferences(cluster, single)).toEqual(['LEADFLOW_KAFKA_NODES=3']);
    expect(conflictMessage(cluster, cluster)).toBeUndefined();
    const msg = conflictMessage(cluster, single) ?? '';
    expect(msg).toContain('the running stack has a 3-node Kafka cluster; this command asks for one Kafka broker');
    expect(msg).toContain('LEADFLOW_KAFKA_NODES=3 ./dev up');
    expect(msg).toContain('./dev down');
    expect(conflictMessage(single, cluster)).toContain('LEADFLOW_KAFKA_NODES=1 ./dev up');
    expect(conflictMessage(single, readStackConfig({ LEADFLOW_KAFKA_SECURE: '1' }))).toContain(
      'LEADFLOW_KAFKA_SECURE=0 ./dev up',
    );
    expect(conflictMessage(single, readStackConfig({ LEADFLOW_INGEST_PORT: '18080' }))).toContain(
      'LEADFLOW_INGEST_PORT=8080 ./dev up',
    );
  });

  it('knows the running layout from the record, whatever the asking environment, and nothing when no process runs', () => {
    const cluster = readStackConfig({ LEADFLOW_LOCAL_DIR: dir, LEADFLOW_KAFKA_NODES: '3' });
    const plain = readStackConfig({ LEADFLOW_LOCAL_DIR: dir });
    writeRecord(cluster);
    expect(runningStack(plain)).toBeUndefined();
    pidFile.write(join(dir, 'run', 'kafka-1.pid'), process.pid);
    expect(runningStack(plain)?.kafkaNodes).toBe(3);
    // A stack started before records existed: its pid files tell the layout.
    rmSync(join(dir, 'run', 'stack.json'));
    expect(runningStack(plain)?.kafkaNodes).toBe(3);
  });
});
