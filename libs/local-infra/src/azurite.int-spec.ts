import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { azuriteConnectionString, startAzurite } from './azurite';
import { freePort } from './ports';

/**
 * `./dev up` keeps Azurite's tables on disk. Azurite saves them every 5 s and when it is asked to stop; a stop by
 * the launcher (`./dev down`, a restart) must keep a row written just before it.
 */
describe('the Azurite launcher', () => {
  it('keeps a row written just before a stop, across a restart on the same folder', async () => {
    const location = mkdtempSync(join(tmpdir(), 'leadflow-azurite-'));
    const port = await freePort();
    const opts = { host: '127.0.0.1', port, location, logFile: join(location, 'azurite.log'), detached: false };
    const client = TableClient.fromConnectionString(azuriteConnectionString('127.0.0.1', port), 'Kept', {
      allowInsecureConnection: true,
    });
    try {
      const first = await startAzurite(opts);
      await client.createTable();
      await client.createEntity({ partitionKey: 'p', rowKey: 'written-last', n: 1 });
      await first.stop(10_000);

      const second = await startAzurite(opts);
      try {
        const row = await client.getEntity<{ n: number }>('p', 'written-last');
        expect(row.n).toBe(1);
      } finally {
        await second.stop(10_000);
      }
    } finally {
      rmSync(location, { recursive: true, force: true });
    }
  }, 60_000);
});
