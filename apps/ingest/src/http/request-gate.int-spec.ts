import { connect, type Socket } from 'node:net';
import { signOfferId } from '../auth/url-signature';
import { adminAuth, producerAuth, startTestIngest, URL_SIGNING_KEY, type TestIngest } from '../ingest.int-harness';

const OFFER = 'contoso.crm-connector';
const lead = {
  offerId: OFFER,
  source: 'AzureMarketplace',
  action: 'INS',
  customer: { firstName: 'Ann', lastName: 'Lee', email: 'ann.lee@contoso.com' },
};

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Body bytes the client had written when the server's answer was complete and the connection closed. */
  readonly bytesSent: number;
  readonly closedByServer: boolean;
}

/**
 * Announces a large body, writes only its first chunk, and waits: the answer must come (and the server
 * close the connection) while the rest of the body has never been sent.
 */
function sendPartially(
  address: string,
  request: {
    method: string;
    path: string;
    headers: Record<string, string>;
    declaredLength: number;
    firstChunk: number;
  },
): Promise<RawAnswer> {
  const url = new URL(address);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(url.port), url.hostname);
    let received = '';
    let bytesSent = 0;
    socket.setEncoding('latin1');
    socket.on('error', reject);
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('close', () => {
      const [head = '', body = ''] = received.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body, bytesSent, closedByServer: true });
    });
    socket.on('connect', () => {
      const head = [
        `${request.method} ${request.path} HTTP/1.1`,
        `host: ${url.host}`,
        'content-type: application/json',
        `content-length: ${request.declaredLength}`,
        ...Object.entries(request.headers).map(([k, v]) => `${k}: ${v}`),
      ].join('\r\n');
      const chunk = `{"leads":[${'0,'.repeat(request.firstChunk / 2)}`.slice(0, request.firstChunk);
      bytesSent = chunk.length;
      socket.write(`${head}\r\n\r\n${chunk}`);
      // Nothing more is written: the body stays incomplete until the server answers and closes.
    });
  });
}

describe('the request gate: 401, 403, 405 and 429 before the body is read', () => {
  let t: TestIngest;
  let address: string;

  beforeAll(async () => {
    // One instance for the file; its limit (3 a minute per credential) is used up by the last test only.
    t = await startTestIngest({
      env: { LEADFLOW_INGEST_PORT: '0', LEADFLOW_RATE_LIMIT_MAX: '3', LEADFLOW_RATE_LIMIT_WINDOW_MS: '60000' },
    });
    address = await t.ingest.listen();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers 401 to a bad token while a 5 MiB batch body is still incomplete, and closes the connection', async () => {
    for (const headers of [{ authorization: 'Bearer not-a-token' }, {}] as Record<string, string>[]) {
      const answer = await sendPartially(address, {
        method: 'POST',
        path: '/v1/leads/batch',
        headers,
        declaredLength: 5 * 1024 * 1024,
        firstChunk: 16 * 1024,
      });
      expect(answer.status).toBe(401);
      expect(answer.bytesSent).toBe(16 * 1024);
      expect(answer.headers['connection']).toBe('close');
      expect(answer.headers['content-type']).toContain('application/problem+json');
      expect(answer.headers['www-authenticate']).toContain('Bearer realm="leadflow"');
      expect(JSON.parse(answer.body)).toMatchObject({ status: 401, type: 'urn:leadflow:problem:unauthorized' });
    }
  });

  it('answers 403 to a producer token on offer configuration before reading the destination', async () => {
    const answer = await sendPartially(address, {
      method: 'PUT',
      path: `/v1/offers/${OFFER}/destination`,
      headers: producerAuth,
      declaredLength: 60 * 1024,
      firstChunk: 1024,
    });
    expect(answer.status).toBe(403);
    expect(answer.headers['connection']).toBe('close');
    expect(JSON.parse(answer.body)).toMatchObject({ status: 403, type: 'urn:leadflow:problem:forbidden' });
  });

  it('still reads the body of an authenticated request and answers it', async () => {
    const res = await fetch(`${address}/v1/leads`, {
      method: 'POST',
      headers: { ...producerAuth, 'content-type': 'application/json' },
      body: JSON.stringify(lead),
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('connection')).not.toBe('close');
  });

  it('answers an undeclared method on a known path with 405 and Allow, before authentication', async () => {
    const cases: [string, string, string][] = [
      ['TRACE', '/v1/leads', 'POST'],
      ['PATCH', '/v1/leads/batch', 'POST'],
      ['GET', `/v1/offers/${OFFER}/leads`, 'POST'],
      ['POST', `/v1/offers/${OFFER}/destination`, 'DELETE, GET, HEAD, PUT'],
      ['OPTIONS', '/healthz', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await t.ingest.app.inject({ method: method as 'GET', url: path });
      expect({ method, path, status: res.statusCode, allow: res.headers['allow'] }).toEqual({
        method,
        path,
        status: 405,
        allow,
      });
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ status: 405, type: 'urn:leadflow:problem:method-not-allowed' });
    }
    // Over a real socket too, with a method Fastify's router does not know (QUERY).
    const query = await fetch(`${address}/v1/leads`, { method: 'QUERY', headers: producerAuth });
    expect(query.status).toBe(405);
    expect(query.headers.get('allow')).toBe('POST');
    // Unknown paths stay 404; an empty path parameter matches no route.
    expect((await t.ingest.app.inject({ method: 'TRACE' as 'GET', url: '/v1/nothing' })).statusCode).toBe(404);
    const emptyParam = await t.ingest.app.inject({ method: 'GET', url: '/v1/offers//status', headers: adminAuth });
    expect(emptyParam.statusCode).toBe(404);
  });

  const post = (url: string, headers: Record<string, string>) =>
    t.ingest.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify(lead),
    });

  it('answers 429 problem details with Retry-After once a token used up its window, per token and per offer URL', async () => {
    // The producer token spent one request of its window in an earlier test.
    for (let i = 0; i < 2; i++) expect((await post('/v1/leads', producerAuth)).statusCode).toBe(202);
    const limited = await post('/v1/leads', producerAuth);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.json()).toMatchObject({ status: 429, type: 'urn:leadflow:problem:rate-limited' });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // A limited client's batch body is not read either.
    const partial = await sendPartially(address, {
      method: 'POST',
      path: '/v1/leads/batch',
      headers: producerAuth,
      declaredLength: 1024 * 1024,
      firstChunk: 4096,
    });
    expect(partial.status).toBe(429);
    expect(partial.headers['connection']).toBe('close');
    expect(partial.headers['retry-after']).toMatch(/^\d+$/);

    // Other credentials have buckets of their own; bad credentials are 401, not counted; public routes are free.
    expect((await post('/v1/leads', adminAuth)).statusCode).toBe(202);
    const sig = signOfferId(URL_SIGNING_KEY, OFFER);
    expect((await post(`/v1/offers/${OFFER}/leads?sig=${sig}`, {})).statusCode).toBe(202);
    expect((await post('/v1/leads', { authorization: 'Bearer wrong' })).statusCode).toBe(401);
    for (let i = 0; i < 5; i++) expect((await t.ingest.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });
});
