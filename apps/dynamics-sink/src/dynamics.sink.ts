import type { SingleSink } from '@leadflow/sink-runtime';
import { createLead } from './dataverse.client';
import { classifyDynamics } from './dynamics.classifier';
import { TokenRefused } from './dynamics-failures';
import { instanceBase, type EntraTokenProvider } from './entra-token.provider';
import { toDataverseLead } from './lead-mapping';
import { scrubber } from './scrub';

/**
 * Dynamics 365 (Dataverse): each lead is created with its own `leadid`, so a repeat after a crash is found, not
 * created twice. Sign-in is Entra ID's (client credentials or the Microsoft 365 password flow), one token reused
 * across leads.
 */
export function dynamicsSink(tokens: EntraTokenProvider): SingleSink<'dynamics'> {
  return {
    type: 'dynamics',
    classify: classifyDynamics,
    async deliver(lead, destination, ctx) {
      const record = toDataverseLead(lead);
      const auth = destination.auth;
      const scrub = scrubber([
        auth.kind === 'aad' ? auth.clientSecret : auth.password,
        lead.customer.firstName,
        lead.customer.lastName,
        lead.customer.email,
        lead.customer.phone,
      ]);
      const instanceUrl = instanceBase(destination.url);
      const create = (token: string) => createLead({ instanceUrl, token, record, signal: ctx.signal, scrub });

      let token = await tokens.token(destination, ctx.signal);
      let outcome = await create(token);
      if (outcome.kind === 'unauthorized') {
        // A token can be refused before its expiry (revoked, or the session was reset): sign in again, once.
        tokens.invalidate(destination, token);
        token = await tokens.token(destination, ctx.signal);
        outcome = await create(token);
      }
      if (outcome.kind === 'unauthorized')
        throw new TokenRefused(
          auth.kind,
          `Dataverse at ${new URL(instanceUrl).host} refused a fresh access token (401)`,
        );
      return { externalId: outcome.id };
    },
  };
}
