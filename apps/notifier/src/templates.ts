import type { BrokenNotice, DigestNotice, FixedNotice, LeadLine, LeadNotice, Notice } from './notice';

/** A rendered notice: subject, plain text and HTML (the HTML part goes last, as mail clients prefer). */
export interface RenderedNotice {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface TemplateContext {
  /** How to replay dead letters, with `{offerId}` replaced. */
  readonly replayHint: string;
}

const WITHHELD = "The customer's details were withheld for privacy (an .edu address), as the marketplace does.";
const NO_DATA =
  'For privacy this e-mail carries no customer data: the lead itself is in your CRM (or, if it was not delivered, waiting to be replayed).';
const OFF_SWITCH =
  'To stop these notices, save the destination with "notifications": {"enabled": false} (PUT /v1/offers/{offerId}/destination).';

/** HTML-escapes text (every value in a notice is escaped: offer ids and classes come from configuration). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The template of each notice kind. Pure: the same notice renders the same mail. */
export function renderNotice(n: Notice, ctx: TemplateContext): RenderedNotice {
  switch (n.kind) {
    case 'lead':
      return leadMail(n);
    case 'digest':
      return digestMail(n);
    case 'broken':
    case 'reminder':
      return brokenMail(n, ctx);
    case 'fixed':
      return fixedMail(n, ctx);
  }
}

/** Rows of label/value, as text lines and as an HTML table. */
function facts(rows: readonly (readonly [string, string])[]): { text: string; html: string } {
  return {
    text: rows.map(([k, v]) => `${k}: ${v}`).join('\n'),
    html: `<table cellpadding="4" style="border-collapse:collapse">${rows
      .map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
      .join('')}</table>`,
  };
}

function page(title: string, blocks: readonly string[], footer: string): string {
  return [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2>${escapeHtml(title)}</h2>`,
    ...blocks,
    `<p style="color:#666;font-size:small">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ].join('\n');
}

const outcome = (l: LeadLine) => (l.delivered ? 'delivered' : `not delivered (${l.errorClass ?? 'dead letter'})`);

function leadRows(l: LeadLine): [string, string][] {
  return [
    ['Lead id', l.leadId],
    ['Source', l.source ?? 'unknown'],
    ['Action', l.action ?? 'unknown'],
    ['Time', l.at],
    ['Destination', l.destination],
    ['Delivered', outcome(l)],
  ];
}

function leadMail(n: LeadNotice): RenderedNotice {
  const f = facts([['Offer', n.offerId], ...leadRows(n.lead)]);
  const notes = [NO_DATA, ...(n.lead.withheld ? [WITHHELD] : [])];
  const footer = OFF_SWITCH.replace('{offerId}', n.offerId);
  return {
    subject: `New lead for ${n.offerId}${n.lead.delivered ? '' : ' (not delivered)'}`,
    text: [`A new lead arrived for offer ${n.offerId}.`, '', f.text, '', ...notes, '', footer].join('\n'),
    html: page(`New lead for ${n.offerId}`, [f.html, ...notes.map((t) => `<p>${escapeHtml(t)}</p>`)], footer),
  };
}

function digestMail(n: DigestNotice): RenderedNotice {
  const delivered = n.leads.filter((l) => l.delivered).length;
  const withheld = n.leads.filter((l) => l.withheld).length;
  const summary = `${n.leads.length} new leads for offer ${n.offerId} between ${n.windowStart} and ${n.windowEnd}: ${delivered} delivered, ${n.leads.length - delivered} not delivered.`;
  const notes = [NO_DATA, ...(withheld > 0 ? [`${withheld} of them: ${WITHHELD}`] : [])];
  const footer = OFF_SWITCH.replace('{offerId}', n.offerId);
  const line = (l: LeadLine) =>
    `${l.at}  ${l.leadId}  ${l.source ?? '-'}/${l.action ?? '-'}  ${l.destination}  ${outcome(l)}${l.withheld ? '  (details withheld)' : ''}`;
  const head = ['Time', 'Lead id', 'Source', 'Action', 'Destination', 'Delivered'];
  const table = `<table cellpadding="4" style="border-collapse:collapse"><tr>${head
    .map((h) => `<th align="left">${h}</th>`)
    .join('')}</tr>${n.leads
    .map(
      (l) =>
        `<tr>${[l.at, l.leadId, l.source ?? '-', l.action ?? '-', l.destination, outcome(l)]
          .map((v) => `<td>${escapeHtml(v)}</td>`)
          .join('')}</tr>`,
    )
    .join('')}</table>`;
  return {
    subject: `${n.leads.length} new leads for ${n.offerId}`,
    text: [summary, '', ...n.leads.map(line), '', ...notes, '', footer].join('\n'),
    html: page(
      `${n.leads.length} new leads for ${n.offerId}`,
      [`<p>${escapeHtml(summary)}</p>`, table, ...notes.map((t) => `<p>${escapeHtml(t)}</p>`)],
      footer,
    ),
  };
}

function brokenMail(n: BrokenNotice, ctx: TemplateContext): RenderedNotice {
  const replay = ctx.replayHint.replace('{offerId}', n.offerId);
  const f = facts([
    ['Offer', n.offerId],
    ['Destination', `${n.destination} (configuration version ${n.version})`],
    ['Error class', n.errorClass],
    ['Broken since', n.since],
    ['Leads waiting', String(n.waiting)],
  ]);
  const intro =
    n.kind === 'broken'
      ? `Leads of offer ${n.offerId} cannot be delivered: the destination's configuration was refused.`
      : `Reminder: the destination of offer ${n.offerId} is still broken.`;
  const fix = `What to do: ${n.remediation}`;
  const after = `Leads are kept, not lost. Once the destination is saved again and its validation lead passes, replay them (${replay}), or save it with "autoReplay": true to replay them automatically.`;
  const footer = OFF_SWITCH.replace('{offerId}', n.offerId);
  return {
    subject: `${n.kind === 'broken' ? 'Action needed' : 'Reminder'}: lead destination of ${n.offerId} is broken (${n.errorClass})`,
    text: [intro, '', f.text, '', fix, '', after, '', footer].join('\n'),
    html: page(
      n.kind === 'broken' ? `Lead destination of ${n.offerId} is broken` : `Still broken: ${n.offerId}`,
      [
        `<p>${escapeHtml(intro)}</p>`,
        f.html,
        `<p><strong>${escapeHtml(fix)}</strong></p>`,
        `<p>${escapeHtml(after)}</p>`,
      ],
      footer,
    ),
  };
}

const autoReplayed = (n: FixedNotice) =>
  n.replayed === undefined ? 'replaying the waiting leads' : `sent ${n.replayed} lead(s) again`;

function fixedMail(n: FixedNotice, ctx: TemplateContext): RenderedNotice {
  const replay = ctx.replayHint.replace('{offerId}', n.offerId);
  const f = facts([
    ['Offer', n.offerId],
    ['Destination', `${n.destination} (configuration version ${n.version})`],
    ['Leads that were waiting', String(n.waiting)],
    ['Auto-replay', n.autoReplay ? `on: ${autoReplayed(n)}` : 'off'],
  ]);
  const next = n.autoReplay
    ? `Auto-replay ${autoReplayed(n)} to the destination. Anything it did not replay can be replayed with: ${replay}`
    : `Replay the ${n.waiting} waiting lead(s) with: ${replay}`;
  const intro = `The destination of offer ${n.offerId} works again: its validation lead was delivered.`;
  const footer = OFF_SWITCH.replace('{offerId}', n.offerId);
  return {
    subject: `Fixed: lead destination of ${n.offerId} works again`,
    text: [intro, '', f.text, '', next, '', footer].join('\n'),
    html: page(`Fixed: ${n.offerId}`, [`<p>${escapeHtml(intro)}</p>`, f.html, `<p>${escapeHtml(next)}</p>`], footer),
  };
}
