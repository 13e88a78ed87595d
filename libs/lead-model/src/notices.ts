/**
 * The notifier's vocabulary (docs/notifications.md): what a notice is, the keys that make each one unique, the
 * record it leaves on `notices.sent`, and the classes of a notice a mail server refused. No customer data appears
 * in any of these: a notice names leads by id only.
 */

export const NOTICE_KINDS = ['lead', 'digest', 'broken', 'reminder', 'fixed'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** Keys of `notices.sent`: one per event, so a notice recorded once is never sent again. */
export const NoticeKeys = {
  lead: (offerId: string, leadId: string) => `lead/${offerId}/${leadId}`,
  digest: (offerId: string, windowStart: number) => `digest/${offerId}/${windowStart}`,
  broken: (offerId: string, version: number) => `broken/${offerId}/v${version}`,
  reminder: (offerId: string, version: number, day: number) => `reminder/${offerId}/v${version}/${day}`,
  fixed: (offerId: string, version: number) => `fixed/${offerId}/v${version}`,
} as const;

/** The value of a `notices.sent` record. */
export interface NoticeRecord {
  readonly key: string;
  readonly kind: NoticeKind;
  readonly offerId: string;
  /** `sent`, or `dead-lettered` when the mail server refused it for good (then it is on `leads.dlq.notifier`). */
  readonly outcome: 'sent' | 'dead-lettered';
  /** When the event the notice is about happened (a receipt's deliveredAt, a dead letter's failedAt). */
  readonly eventAt: string;
  readonly recordedAt: string;
  /** The destination version a broken, reminder or fixed notice is about. */
  readonly version?: number;
  readonly errorClass?: string;
  /** Leads waiting in dead letters when the notice was sent (broken, reminder, fixed). */
  readonly waiting?: number;
  /** The leads a lead notice or digest covered: they get no notice of their own afterwards. */
  readonly leadIds?: readonly string[];
  /** How many contacts accepted it. */
  readonly accepted?: number;
}

/** Why a notice was dead-lettered; `retriable: false` for all: retriable failures are retried, never dead-lettered. */
export const NOTIFIER_ERRORS = {
  'NOTIFIER.RECIPIENT_REFUSED': {
    remediation:
      "The mail server refused a notification contact's address for good (5xx). Correct the offer's notifications.contacts with PUT /v1/offers/{offerId}/destination.",
  },
  'NOTIFIER.MESSAGE_REFUSED': {
    remediation:
      'The mail server refused the notice itself for good (5xx after the recipients were accepted: size, policy or content). Operators: check the mail server log for the notice key.',
  },
  'NOTIFIER.UNEXPECTED': {
    remediation: 'The notifier hit an unexpected error (a bug) while preparing the notice. Operators: see its log.',
  },
} as const;
export type NotifierErrorClass = keyof typeof NOTIFIER_ERRORS;
