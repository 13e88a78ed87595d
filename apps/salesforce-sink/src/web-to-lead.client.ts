import { WebToLeadHttpError, WebToLeadNetworkError } from './salesforce.errors';

/**
 * Posts one Web-to-Lead form. Salesforce answers 200 (or redirects to the form's retURL) whatever becomes of the
 * lead; only an HTTP error or no answer at all is a failure here.
 */
export async function postWebToLead(url: string, form: URLSearchParams, signal: AbortSignal): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      // A redirect to retURL is the servlet's normal answer: following it would only fetch the publisher's page.
      redirect: 'manual',
      signal,
    });
  } catch (err) {
    throw new WebToLeadNetworkError(err);
  }
  // The answer page says nothing about the lead: it is read only to free the connection.
  await res.arrayBuffer().catch(() => undefined);
  if (res.status >= 400) throw new WebToLeadHttpError(res.status);
}
