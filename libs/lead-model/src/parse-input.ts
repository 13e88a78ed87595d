import { plainCanonicalLead } from './canonical-lead';
import { LeadSchema, OFFER_ID_PATTERN, type Lead } from './lead';
import { inputSchemasFor, MARKETPLACE_NAMES, OFFER_REQUIRED } from './lead-input';
import { parseLeadSource, toLeadAction, toLeadSource, unknownActionMessage, unknownSourceMessage } from './lead-source';
import { fromZodIssues, type FieldIssue } from './result';
import { hasTestMarker, isTestLead } from './test-lead';

export type InputShape = 'canonical' | 'marketplace' | 'legacy';

export interface ParseContext {
  /** The offer from the URL (`/v1/offers/{offerId}/leads`): the marketplace's body carries none. */
  readonly offerId?: string;
  /** A lead id decided by the caller (e.g. derived from an Idempotency-Key). */
  readonly leadId?: string;
  readonly now: Date;
  readonly newLeadId: () => string;
}

export type ParseInputResult =
  | { readonly ok: true; readonly lead: Lead; readonly shape: InputShape }
  | { readonly ok: false; readonly issues: FieldIssue[]; readonly shape?: InputShape };

/** Bounds on untrusted input, checked before anything else looks at it. */
export const INPUT_LIMITS = { depth: 8, nodes: 2_000 } as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function tooComplex(value: unknown): string | undefined {
  let nodes = 0;
  const walk = (v: unknown, depth: number): string | undefined => {
    if (++nodes > INPUT_LIMITS.nodes) return `has more than ${INPUT_LIMITS.nodes} values`;
    if (depth > INPUT_LIMITS.depth) return `is nested deeper than ${INPUT_LIMITS.depth} levels`;
    if (typeof v === 'object' && v !== null) {
      for (const child of Object.values(v)) {
        const why = walk(child, depth + 1);
        if (why) return why;
      }
    }
    return undefined;
  };
  return walk(value, 1);
}

/** Property lookup ignoring case: Microsoft's own samples send `UserDetails` and `userDetails`. */
function ci(obj: Obj, name: string): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  const key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : obj[key];
}

/** A value the input schema already typed as a string (or absent). */
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The known properties of a marketplace object under their documented names (found ignoring case). */
function byName(obj: Obj, names: readonly string[]): Obj {
  const out: Obj = {};
  for (const name of names) {
    const value = ci(obj, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** The body as its shape's input schema sees it: marketplace names normalised to their documented case. */
function asDocumented(shape: InputShape, body: Obj): Obj {
  if (shape !== 'marketplace') return body;
  const user = ci(body, 'UserDetails');
  return {
    ...byName(body, MARKETPLACE_NAMES.body),
    ...(user === undefined ? {} : { UserDetails: isObj(user) ? byName(user, MARKETPLACE_NAMES.userDetails) : user }),
  };
}

function detectShape(body: Obj): InputShape {
  const keys = Object.keys(body).map((k) => k.toLowerCase());
  if (keys.includes('userdetails') || keys.includes('actioncode') || keys.includes('leadsource')) return 'marketplace';
  if (keys.includes('first_name') || keys.includes('last_name') || keys.includes('lead_source')) return 'legacy';
  return 'canonical';
}

/** A candidate canonical lead plus the producer's name for each canonical path (for issue paths). */
interface Candidate {
  readonly value: Obj;
  readonly paths: Readonly<Record<string, string>>;
  readonly issues: FieldIssue[];
}

interface SourceParts {
  source?: string;
  action?: string;
  offer?: string;
}

/**
 * `Source-Action|Offer`, tolerant of the marketplace's validation leads, whose source and action are
 * themselves test markers (`MSFT_TEST_…-MSFT_TEST_…|<Offer Name>` in the published Salesforce test
 * lead): those are read as AzureMarketplace / INS, the values a validation lead carries.
 */
function sourceParts(raw: string | undefined, field: string, issues: FieldIssue[]): SourceParts {
  if (raw === undefined) return {};
  const bar = raw.indexOf('|');
  const head = bar === -1 ? raw : raw.slice(0, bar);
  if (hasTestMarker(head)) {
    const offer = bar === -1 ? undefined : raw.slice(bar + 1).trim();
    return { source: 'AzureMarketplace', action: 'INS', ...(offer ? { offer } : {}) };
  }
  const parsed = parseLeadSource(raw, field);
  if (!parsed.ok) {
    issues.push(...parsed.issues);
    return {};
  }
  return { source: parsed.value.source, action: parsed.value.action, offer: parsed.value.offer };
}

/** The offer is the URL's when given; a `|Offer` part that is an offer id must agree with it. */
function pickOffer(
  ctx: ParseContext,
  fromBody: string | undefined,
  field: string,
  issues: FieldIssue[],
): { offerId?: string; title?: string } {
  const bodyIsId = fromBody !== undefined && OFFER_ID_PATTERN.test(fromBody);
  if (ctx.offerId !== undefined) {
    if (bodyIsId && fromBody !== ctx.offerId) {
      issues.push({ path: field, message: `offer '${fromBody}' does not match the offer '${ctx.offerId}' of the URL` });
    }
    return { offerId: ctx.offerId, ...(fromBody && !bodyIsId ? { title: fromBody } : {}) };
  }
  if (bodyIsId) return { offerId: fromBody };
  return fromBody ? { title: fromBody } : {};
}

function fromMarketplace(body: Obj, ctx: ParseContext): Candidate {
  const issues: FieldIssue[] = [];
  const user = ci(body, 'UserDetails');
  if (user !== undefined && !isObj(user)) issues.push({ path: 'UserDetails', message: 'must be an object' });
  const u: Obj = isObj(user) ? user : {};
  const parts = sourceParts(str(ci(body, 'LeadSource')), 'LeadSource', issues);
  const actionCode = str(ci(body, 'ActionCode'));
  let action = parts.action;
  if (actionCode !== undefined && !hasTestMarker(actionCode)) {
    const a = toLeadAction(actionCode);
    if (!a) issues.push({ path: 'ActionCode', message: unknownActionMessage(actionCode) });
    else action = a;
  }
  const offer = pickOffer(ctx, parts.offer, 'LeadSource', issues);
  const value: Obj = {
    leadId: str(ci(body, 'LeadId')),
    offerId: offer.offerId,
    source: parts.source,
    action: action ?? (parts.source ? 'INS' : undefined),
    offerTitle: str(ci(body, 'OfferTitle')) ?? offer.title,
    customer: {
      firstName: str(ci(u, 'FirstName')) ?? '',
      lastName: str(ci(u, 'LastName')) ?? '',
      email: str(ci(u, 'Email')) ?? '',
      phone: str(ci(u, 'Phone')),
      country: str(ci(u, 'Country')),
      company: str(ci(u, 'Company')),
      title: str(ci(u, 'Title')),
    },
    description: str(ci(body, 'Description')),
  };
  const paths = {
    leadId: 'LeadId',
    offerId: 'offerId',
    source: 'LeadSource',
    action: 'ActionCode',
    offerTitle: 'OfferTitle',
    description: 'Description',
    'customer.firstName': 'UserDetails.FirstName',
    'customer.lastName': 'UserDetails.LastName',
    'customer.email': 'UserDetails.Email',
    'customer.phone': 'UserDetails.Phone',
    'customer.country': 'UserDetails.Country',
    'customer.company': 'UserDetails.Company',
    'customer.title': 'UserDetails.Title',
  };
  return { value, paths, issues };
}

function fromLegacy(body: Obj, ctx: ParseContext): Candidate {
  const issues: FieldIssue[] = [];
  const leadSource = str(body['lead_source']);
  if (leadSource === undefined) issues.push({ path: 'lead_source', message: "is required ('Source-Action|Offer')" });
  const parts = sourceParts(leadSource, 'lead_source', issues);
  const offer = pickOffer(ctx, parts.offer, 'lead_source', issues);
  const value: Obj = {
    leadId: str(body['lead_id']),
    offerId: offer.offerId,
    source: parts.source,
    action: parts.action ?? (parts.source ? 'INS' : undefined),
    offerTitle: offer.title,
    customer: {
      firstName: str(body['first_name']) ?? '',
      lastName: str(body['last_name']) ?? '',
      email: str(body['email']) ?? '',
      phone: str(body['phone']),
      country: str(body['country']),
      company: str(body['company']),
      title: str(body['title']),
    },
    description: str(body['description']),
  };
  const paths = {
    leadId: 'lead_id',
    offerId: 'lead_source',
    source: 'lead_source',
    action: 'lead_source',
    description: 'description',
    'customer.firstName': 'first_name',
    'customer.lastName': 'last_name',
    'customer.email': 'email',
    'customer.phone': 'phone',
    'customer.country': 'country',
    'customer.company': 'company',
    'customer.title': 'title',
  };
  return { value, paths, issues };
}

function fromCanonical(body: Obj, ctx: ParseContext): Candidate {
  const issues: FieldIssue[] = [];
  const bodyOffer = str(body['offerId']);
  if (ctx.offerId !== undefined && bodyOffer !== undefined && bodyOffer !== ctx.offerId) {
    issues.push({ path: 'offerId', message: `'${bodyOffer}' does not match the offer '${ctx.offerId}' of the URL` });
  }
  const source = str(body['source']);
  const action = str(body['action']);
  if (source !== undefined && !toLeadSource(source))
    issues.push({ path: 'source', message: unknownSourceMessage(source) });
  if (action !== undefined && !toLeadAction(action))
    issues.push({ path: 'action', message: unknownActionMessage(action) });
  const value: Obj = {
    ...body,
    offerId: ctx.offerId ?? body['offerId'],
    source: source === undefined ? undefined : (toLeadSource(source) ?? source),
    action: action === undefined ? undefined : (toLeadAction(action) ?? action),
  };
  return { value, paths: {}, issues };
}

/**
 * Maps any of the three accepted input shapes (canonical; the marketplace's HTTPS-endpoint body; the
 * legacy flat Web-to-Lead form) to the canonical lead, reporting every failing field by the name the
 * producer used. Unknown fields are ignored. Never throws.
 */
export function parseLeadInput(input: unknown, ctx: ParseContext): ParseInputResult {
  // The common case without the schemas' generic walk; it accepts only what they would, as they would.
  const plain = plainCanonicalLead(input, ctx);
  if (plain) return { ok: true, lead: plain, shape: 'canonical' };
  return parseLeadInputBySchemas(input, ctx);
}

/** parseLeadInput through the shapes' schemas alone: every input, every problem answer. */
export function parseLeadInputBySchemas(input: unknown, ctx: ParseContext): ParseInputResult {
  if (!isObj(input)) return { ok: false, issues: [{ path: '(root)', message: 'must be a JSON object' }] };
  const complex = tooComplex(input);
  if (complex) return { ok: false, issues: [{ path: '(root)', message: `input ${complex}` }] };

  const shape = detectShape(input);
  // The whole input is checked against its shape's schema (types, lengths, patterns) before any field is read.
  const schemas = inputSchemasFor(ctx.offerId);
  const checked = schemas[shape].safeParse(asDocumented(shape, input));
  if (!checked.success) {
    // A marketplace body without an offer is reported on `offerId`, as for the canonical shape.
    const issues = fromZodIssues(checked.error.issues).map((i) =>
      shape === 'marketplace' && i.path === 'LeadSource' && i.message === OFFER_REQUIRED
        ? { ...i, path: 'offerId' }
        : i,
    );
    return { ok: false, issues, shape };
  }

  const candidate =
    shape === 'marketplace'
      ? fromMarketplace(input, ctx)
      : shape === 'legacy'
        ? fromLegacy(input, ctx)
        : fromCanonical(input, ctx);

  const customer = isObj(candidate.value['customer']) ? candidate.value['customer'] : {};
  const draft: Obj = {
    ...candidate.value,
    leadId: ctx.leadId ?? candidate.value['leadId'] ?? ctx.newLeadId(),
    occurredAt: candidate.value['occurredAt'] ?? ctx.now.toISOString(),
    isTest:
      candidate.value['isTest'] === true ||
      isTestLead({
        customer: {
          firstName: str(customer['firstName']),
          lastName: str(customer['lastName']),
          email: str(customer['email']),
        },
      }),
    piiSuppressed: false,
  };
  // Optional fields that a shape left undefined must not fail "expected string".
  for (const [k, v] of Object.entries(draft)) if (v === undefined) delete draft[k];
  const draftCustomer = draft['customer'];
  if (isObj(draftCustomer))
    for (const [k, v] of Object.entries(draftCustomer)) if (v === undefined) delete draftCustomer[k];

  const parsed = LeadSchema.safeParse(draft);
  const issues = [...candidate.issues];
  if (!parsed.success) {
    for (const issue of fromZodIssues(parsed.error.issues)) {
      const path = candidate.paths[issue.path] ?? issue.path;
      const message =
        issue.path === 'offerId' && draft['offerId'] === undefined
          ? 'is required: name the offer in the body or the URL'
          : issue.message;
      // A field the shape already reported (e.g. an unknown source) is not reported twice.
      if (!issues.some((i) => i.path === path)) issues.push({ path, message });
    }
  }
  if (issues.length > 0 || !parsed.success) return { ok: false, issues, shape };
  return { ok: true, lead: parsed.data, shape };
}
