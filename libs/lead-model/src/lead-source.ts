import { fail, ok, type Result } from './result';

/** Where a lead comes from. `SPZA` is the marketplace's legacy code for AppSource. */
export const LEAD_SOURCES = ['AzureMarketplace', 'AzurePortal', 'TestDrive', 'AppSource'] as const;
export type LeadSource = (typeof LEAD_SOURCES)[number];

/** INS acquire ("Get it now"), PLT partner-led trial ("Contact me"), DNC do not contact, Create (portal), StartTestDrive. */
export const LEAD_ACTIONS = ['INS', 'PLT', 'DNC', 'Create', 'StartTestDrive'] as const;
export type LeadAction = (typeof LEAD_ACTIONS)[number];

const SOURCE_ALIASES: Readonly<Record<string, LeadSource>> = {
  azuremarketplace: 'AzureMarketplace',
  azureportal: 'AzurePortal',
  testdrive: 'TestDrive',
  appsource: 'AppSource',
  spza: 'AppSource',
  'appsource (spza)': 'AppSource',
};

const ACTION_ALIASES: Readonly<Record<string, LeadAction>> = Object.fromEntries(
  LEAD_ACTIONS.map((a) => [a.toLowerCase(), a]),
);

/** Every source name accepted (lower case; matched case-insensitively): the canonical ones, SPZA, "AppSource (SPZA)". */
export const SOURCE_NAMES: readonly string[] = Object.keys(SOURCE_ALIASES);

/** Case-insensitive; accepts the legacy `SPZA` and the docs' "AppSource (SPZA)". */
export function toLeadSource(value: string): LeadSource | undefined {
  return SOURCE_ALIASES[value.trim().toLowerCase()];
}

export function toLeadAction(value: string): LeadAction | undefined {
  return ACTION_ALIASES[value.trim().toLowerCase()];
}

export interface ParsedLeadSource {
  readonly source: LeadSource;
  readonly action?: LeadAction;
  /** What follows `|`: an offer id (`publisher.offer`) or, in some real data, the offer's title. */
  readonly offer?: string;
}

export const unknownSourceMessage = (v: string) =>
  `unknown source '${v}'; expected one of ${LEAD_SOURCES.join(', ')} (or SPZA)`;
export const unknownActionMessage = (v: string) => `unknown action '${v}'; expected one of ${LEAD_ACTIONS.join(', ')}`;

/**
 * Parses the marketplace's `Source-Action|Offer` (e.g. `AzureMarketplace-INS|contoso.crm`), also a bare
 * source (`AzureMarketplace`, as the HTTPS-endpoint body sends it) or `Source-Action` without an offer.
 * `field` names the field in the issues (`LeadSource`, `lead_source`).
 */
export function parseLeadSource(value: string, field = 'LeadSource'): Result<ParsedLeadSource> {
  const text = value.trim();
  if (text === '') return fail([{ path: field, message: 'must not be empty' }]);
  const bar = text.indexOf('|');
  const head = bar === -1 ? text : text.slice(0, bar);
  const offer = bar === -1 ? undefined : text.slice(bar + 1).trim();
  // The action is after the LAST dash: no source contains one, and "AppSource (SPZA)" has none either.
  const dash = head.lastIndexOf('-');
  const sourceText = dash === -1 ? head : head.slice(0, dash);
  const actionText = dash === -1 ? undefined : head.slice(dash + 1);
  const issues = [];
  const source = toLeadSource(sourceText);
  if (!source) issues.push({ path: field, message: unknownSourceMessage(sourceText) });
  const action = actionText === undefined ? undefined : toLeadAction(actionText);
  if (actionText !== undefined && !action) issues.push({ path: field, message: unknownActionMessage(actionText) });
  if (issues.length > 0 || !source) return fail(issues);
  return ok({ source, ...(action ? { action } : {}), ...(offer ? { offer } : {}) });
}

/** Formats `Source-Action|Offer` with the canonical source names (AppSource, not SPZA). */
export function formatLeadSource(parts: { source: LeadSource; action?: LeadAction; offer?: string }): string {
  const head = parts.action ? `${parts.source}-${parts.action}` : parts.source;
  return parts.offer ? `${head}|${parts.offer}` : head;
}
