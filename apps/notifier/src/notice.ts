import type { NoticeKind } from '@leadflow/lead-model';

/** One lead as a notice shows it: ids, source, action, time, destination, outcome. Never customer data. */
export interface LeadLine {
  readonly leadId: string;
  readonly source?: string;
  readonly action?: string;
  /** When it was delivered or dead-lettered (ISO 8601). */
  readonly at: string;
  readonly destination: string;
  readonly delivered: boolean;
  /** For a lead that was not delivered: the class of its dead letter. */
  readonly errorClass?: string;
  /** A `.edu` customer: their details were withheld from the lead itself. */
  readonly withheld: boolean;
}

interface NoticeBase {
  readonly kind: NoticeKind;
  /** Unique per event: the key of its `notices.sent` record. */
  readonly key: string;
  readonly offerId: string;
  readonly recipients: readonly string[];
  readonly eventAt: string;
}

export interface LeadNotice extends NoticeBase {
  readonly kind: 'lead';
  readonly lead: LeadLine;
}

export interface DigestNotice extends NoticeBase {
  readonly kind: 'digest';
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly leads: readonly LeadLine[];
}

export interface BrokenNotice extends NoticeBase {
  readonly kind: 'broken' | 'reminder';
  readonly version: number;
  readonly destination: string;
  readonly errorClass: string;
  readonly remediation: string;
  readonly waiting: number;
  /** Since when (the first configuration dead letter of this version). */
  readonly since: string;
}

export interface FixedNotice extends NoticeBase {
  readonly kind: 'fixed';
  readonly version: number;
  readonly destination: string;
  readonly waiting: number;
  readonly autoReplay: boolean;
  /** With auto-replay: how many dead letters it replayed within the settle time after validation passed. */
  readonly replayed?: number;
}

export type Notice = LeadNotice | DigestNotice | BrokenNotice | FixedNotice;
