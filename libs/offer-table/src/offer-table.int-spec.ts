import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Destination, OfferDestinationRecord } from '@leadflow/lead-model';
import { createLogger } from '@leadflow/observability';
import { createTestTopics, testKafka, uniqueName } from '@leadflow/testing';
import {
  OfferDestinationPublisher,
  OfferTable,
  parseKeyring,
  sealDestination,
  openDestination,
  OfferRecordRejectedError,
} from './index';

const ring = parseKeyring(`k1:${randomBytes(32).toString('base64')}`);

function record(
  offerId: string,
  version: number,
  url: string,
  signingSecret = 'hush-hush-hush-hush',
): OfferDestinationRecord {
  const destination: Destination = { type: 'https', url, signingSecret };
  return {
    offerId,
    version,
    destination: sealDestination(destination, ring, offerId),
    updatedAt: new Date().toISOString(),
  };
}

/** A logger whose lines the test can read (to prove malformed records are logged without their values). */
function capturedLogger(): { logger: ReturnType<typeof createLogger>; text: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  return {
    logger: createLogger({ service: 'offer-table-test', level: 'debug', destination }),
    text: () => chunks.join(''),
  };
}

async function eventually(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('OfferTable and OfferDestinationPublisher against a real broker', () => {
  const kafka = testKafka();
  const topic = uniqueName('offers');
  let cleanup: () => Promise<void>;
  const publisher = new OfferDestinationPublisher({ kafka, topic });
  const tables: OfferTable[] = [];

  beforeAll(async () => {
    cleanup = await createTestTopics(kafka, [topic], 3);
    await publisher.connect();
  });
  afterAll(async () => {
    await Promise.all(tables.map((t) => t.stop()));
    await publisher.disconnect();
    await cleanup();
  });

  it('catches up on start with the latest version of each offer, skips malformed records, then applies live changes', async () => {
    await publisher.put(record('a.one', 1, 'https://a.example/v1'));
    await publisher.put(record('b.two', 1, 'https://b.example/v1'));
    await publisher.put(record('a.one', 2, 'https://a.example/v2'));
    await publisher.put(record('c.three', 1, 'https://c.example/v1'));
    await publisher.remove('c.three');
    // Records the publisher would refuse, written behind its back: not JSON, key mismatch, plaintext secret.
    const raw = kafka.producer();
    await raw.connect();
    await raw.send({
      topic,
      messages: [
        { key: 'd.four', value: '{not json' },
        { key: 'd.four', value: JSON.stringify({ ...record('x.other', 1, 'https://x.example') }) },
        {
          key: 'e.five',
          value: JSON.stringify({
            offerId: 'e.five',
            version: 1,
            updatedAt: 'now',
            destination: { type: 'https', url: 'https://e.example', signingSecret: 'plain-SECRET-value' },
          }),
        },
      ],
    });
    await raw.disconnect();

    const { logger, text } = capturedLogger();
    const table = new OfferTable({ kafka, logger, clientId: uniqueName('t1'), topic });
    tables.push(table);
    expect(table.caughtUp).toBe(false);
    await table.start();
    expect(table.caughtUp).toBe(true);

    expect(table.get('a.one')?.version).toBe(2);
    const a = table.get('a.one');
    if (!a) throw new Error('a.one missing');
    expect(openDestination(a.destination, ring, 'a.one')).toMatchObject({
      url: 'https://a.example/v2',
      signingSecret: 'hush-hush-hush-hush',
    });
    expect(table.get('b.two')?.version).toBe(1);
    expect(table.get('c.three')).toBeUndefined();
    expect(table.get('d.four')).toBeUndefined();
    expect(table.get('e.five')).toBeUndefined();
    expect(table.size).toBe(2);
    expect(text()).toContain('skipping malformed offer destination record');
    expect(text()).toContain('secret fields not sealed: signingSecret');
    expect(text()).not.toContain('plain-SECRET-value');

    const changes: [string, number | undefined][] = [];
    table.onChange((offerId, r) => changes.push([offerId, r?.version]));
    await publisher.put(record('b.two', 2, 'https://b.example/v2'));
    await publisher.remove('a.one');
    await publisher.put(record('f.six', 1, 'https://f.example/v1'));
    await eventually(() => changes.length >= 3);
    expect([...changes].sort()).toEqual([
      ['a.one', undefined],
      ['b.two', 2],
      ['f.six', 1],
    ]);
    expect(table.get('a.one')).toBeUndefined();
    expect(table.get('b.two')?.version).toBe(2);

    // sync() is a read-your-writes barrier: a write acknowledged before it is applied when it resolves.
    await publisher.put(record('h.eight', 1, 'https://h.example/v1'));
    expect(await table.sync()).toBe(true);
    expect(table.get('h.eight')?.version).toBe(1);

    // A second instance (its own group, no committed offsets) starts from the whole history.
    const second = new OfferTable({ kafka, logger, clientId: uniqueName('t2'), topic });
    tables.push(second);
    await second.start();
    expect(second.get('a.one')).toBeUndefined();
    expect(second.get('b.two')?.version).toBe(2);
    expect(second.get('f.six')?.version).toBe(1);
    expect(second.size).toBe(3);
  });

  it('catches up at once on an empty topic', async () => {
    const empty = uniqueName('offers-empty');
    const drop = await createTestTopics(kafka, [empty], 2);
    const table = new OfferTable({ kafka, logger: capturedLogger().logger, clientId: uniqueName('t3'), topic: empty });
    await table.start();
    expect(table.caughtUp).toBe(true);
    expect(table.size).toBe(0);
    await table.stop();
    await drop();
  });

  it('refuses to publish a record with a plaintext secret or a blank offer id', async () => {
    const plain = {
      offerId: 'g.seven',
      version: 1,
      updatedAt: new Date().toISOString(),
      destination: { type: 'https', url: 'https://g.example', signingSecret: 'x' },
    };
    await expect(publisher.put(plain as unknown as OfferDestinationRecord)).rejects.toThrow(OfferRecordRejectedError);
    await expect(publisher.remove('')).rejects.toThrow(OfferRecordRejectedError);
  });
});
