'use strict';
/**
 * Preloaded into each service by `LEADFLOW_E2E_REQUESTS=1 ./dev bench e2e` (node -r): counts the Kafka requests the
 * process sends, by API, over the bench's measured window, and writes them as JSON to
 * $LEADFLOW_REQUEST_COUNTS_DIR/<pid>.json. It wraps kafkajs's Connection#send, the one place every request of every
 * client of the process goes through.
 */
const { writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.LEADFLOW_REQUEST_COUNTS_DIR;
if (dir) {
  const Connection = require(require.resolve('kafkajs/src/network/connection.js', { paths: [process.cwd()] }));
  const counts = {};
  const send = Connection.prototype.send;
  Connection.prototype.send = function countedSend(protocol) {
    const api = protocol && protocol.request && protocol.request.apiName;
    if (api) counts[api] = (counts[api] || 0) + 1;
    return send.call(this, protocol);
  };
  // The bench sends SIGUSR2 when its measured window begins (the count starts afresh) and again when it ends (the
  // counts are written, and counting stops).
  let window = 'before';
  let since = 0;
  process.on('SIGUSR2', () => {
    if (window === 'before') {
      for (const api of Object.keys(counts)) delete counts[api];
      since = Date.now();
      window = 'open';
    } else if (window === 'open') {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify({ since, until: Date.now(), counts }));
      window = 'closed';
    }
  });
}
