import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';

/** What the receiver keeps of each delivery: ids and checks only, never the customer's details. */
export interface Received {
  readonly leadId: string | undefined;
  readonly leadSource: string | undefined;
  readonly signature: 'valid' | 'invalid' | 'absent';
  readonly receivedAt: string;
}

/**
 * Verifies `Leadflow-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` as a publisher's
 * endpoint would (see apps/https-sink/README.md), within a five-minute tolerance.
 */
export function verifySignature(
  header: string | undefined,
  body: string,
  secret: string,
  nowS = Math.floor(Date.now() / 1000),
): 'valid' | 'invalid' | 'absent' {
  if (!header) return 'absent';
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.trim().split('=') as [string, string]));
  const t = Number(parts['t']);
  const v1 = parts['v1'];
  if (!Number.isInteger(t) || !v1 || Math.abs(nowS - t) > 300) return 'invalid';
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'invalid';
}

/**
 * The local HTTPS-endpoint receiver of the demo: it plays the publisher's endpoint (a Power Automate
 * trigger, say) for the https sink, answers 200, and lists what arrived at GET /received.
 */
export function createReceiver(secret: string): Server {
  const received: Received[] = [];
  return createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/healthz' || req.url === '/readyz')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (req.method === 'GET' && req.url === '/received') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(received));
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let leadSource: string | undefined;
      try {
        leadSource = (JSON.parse(body) as { LeadSource?: string }).LeadSource;
      } catch {
        res.writeHead(400).end();
        return;
      }
      const header = req.headers['leadflow-signature'];
      received.push({
        leadId: typeof req.headers['leadflow-lead-id'] === 'string' ? req.headers['leadflow-lead-id'] : undefined,
        leadSource,
        signature: verifySignature(typeof header === 'string' ? header : undefined, body, secret),
        receivedAt: new Date().toISOString(),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
}
