import { createReceiver } from './receiver';

/** `receiver` component of the local stack. Env: LEADFLOW_RECEIVER_PORT, LEADFLOW_HOST, LEADFLOW_RECEIVER_SECRET. */
const port = Number(process.env['LEADFLOW_RECEIVER_PORT'] ?? '8090');
const host = process.env['LEADFLOW_HOST'] ?? '127.0.0.1';
const server = createReceiver(process.env['LEADFLOW_RECEIVER_SECRET'] ?? '');
server.listen(port, host);
process.once('SIGTERM', () => server.close(() => process.exit(0)));
