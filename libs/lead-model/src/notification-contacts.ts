import { z } from 'zod';

/** At most this many addresses receive an offer's notices. */
export const MAX_NOTIFICATION_CONTACTS = 10;

const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
/**
 * An e-mail address of the common form: an RFC 5322 dot-atom local part, `@`, and a DNS host name whose last label
 * is 2-63 letters. Quoted local parts and address literals are refused: no publisher's contact needs them, and the
 * OpenAPI document states the pattern, so an address it allows is always accepted.
 */
export const EMAIL_PATTERN = new RegExp(
  `^${ATEXT}(?:\\.${ATEXT})*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}$`,
);

export const EmailAddressSchema = z
  .string()
  .max(254)
  .regex(EMAIL_PATTERN, 'must be an e-mail address like name@example.com');

/**
 * Who hears about an offer's leads and about its destination breaking (docs/notifications.md). Part of the
 * destination, so changing it is a configuration change like any other (a new version).
 */
export const NotificationsSchema = z.object({
  contacts: z
    .array(EmailAddressSchema)
    .min(1)
    .max(MAX_NOTIFICATION_CONTACTS, `at most ${MAX_NOTIFICATION_CONTACTS} contacts`),
  /** The offer's off switch: `false` keeps the contacts but sends them nothing. Default `true`. */
  enabled: z.boolean().optional(),
});
export type Notifications = z.infer<typeof NotificationsSchema>;

/**
 * The contacts of a (sealed or open) destination, or none when notifications are absent, switched off or not
 * well-formed (a record written before the field existed, or by a producer that skipped validation).
 */
export function notificationContacts(destination: unknown): readonly string[] {
  if (typeof destination !== 'object' || destination === null) return [];
  const r = NotificationsSchema.safeParse((destination as { notifications?: unknown }).notifications);
  if (!r.success || r.data.enabled === false) return [];
  return [...new Set(r.data.contacts.map((c) => c.toLowerCase()))];
}
