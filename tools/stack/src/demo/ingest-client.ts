/** The few calls of the ingest HTTP API the demo makes, as a producer and as a publisher would. */
export class IngestClient {
  constructor(
    private readonly baseUrl: string,
    private readonly producerToken: string,
    private readonly adminToken: string,
  ) {}

  async putDestination(
    offerId: string,
    destination: unknown,
  ): Promise<{ version: number; leadUrl: string; validation: { testLeadId: string } }> {
    return this.call('PUT', `/v1/offers/${offerId}/destination`, this.adminToken, destination);
  }

  async postLead(body: unknown, offerId?: string): Promise<{ leadId: string }> {
    return this.call('POST', offerId ? `/v1/offers/${offerId}/leads` : '/v1/leads', this.producerToken, body);
  }

  /** The marketplace's way: the signed lead URL is the credential, no Authorization header. */
  async postToSignedUrl(leadUrl: string, body: unknown): Promise<{ leadId: string }> {
    const res = await fetch(leadUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 202)
      throw new Error(`POST ${new URL(leadUrl).pathname} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { leadId: string };
  }

  async status(
    offerId: string,
  ): Promise<{ validation: { status: string; errorClass?: string; remediation?: string } }> {
    return this.call('GET', `/v1/offers/${offerId}/status`, this.adminToken);
  }

  /** The status code of GET status with another token (a publisher's), body discarded. */
  async statusCode(offerId: string, token: string): Promise<number> {
    const res = await fetch(`${this.baseUrl}/v1/offers/${offerId}/status`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await res.arrayBuffer();
    return res.status;
  }

  private async call<T>(method: string, path: string, token: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  }
}
