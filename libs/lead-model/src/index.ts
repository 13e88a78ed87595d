export { ok, fail, fromZodIssues, type FieldIssue, type Result } from './result';
export {
  LEAD_SOURCES,
  LEAD_ACTIONS,
  toLeadSource,
  toLeadAction,
  parseLeadSource,
  formatLeadSource,
  SOURCE_NAMES,
  type LeadSource,
  type LeadAction,
  type ParsedLeadSource,
} from './lead-source';
export {
  LIMITS,
  OFFER_ID_PATTERN,
  LEAD_ID_PATTERN,
  OfferIdSchema,
  LeadIdSchema,
  CustomerSchema,
  LeadSchema,
  parseLead,
  parseLeadBytes,
  type Customer,
  type Lead,
  marketplaceUserDetails,
  type MarketplaceUserDetails,
} from './lead';
export { leadInputSchemas, MARKETPLACE_NAMES, type OfferSource } from './lead-input';
export { parseLeadInput, INPUT_LIMITS, type InputShape, type ParseContext, type ParseInputResult } from './parse-input';
export {
  TEST_LEAD_PREFIX,
  dotNetTicks,
  createTestLead,
  isTestLead,
  hasTestMarker,
  type TestLeadOptions,
} from './test-lead';
export { isEduEmail, suppressEduPii } from './pii';
export {
  DESTINATION_TYPES,
  DLQ_STAGES,
  Topics,
  routeTopicPattern,
  isValidRouteSuffix,
  TOPIC_SPECS,
  type DestinationType,
  type DlqStage,
  type RouteTopic,
  type DlqTopic,
  type TopicSpec,
} from './topics';
export {
  Headers,
  LEAD_EVENT_TYPE,
  MAX_ERROR_MESSAGE,
  leadCloudEventHeaders,
  readHeaders,
  deadLetterHeaders,
  parseDeadLetterHeaders,
  type HeaderName,
  type DeadLetterInput,
  type DeadLetterInfo,
} from './headers';
export {
  DESTINATION_DEFAULTS,
  DestinationSchema,
  DynamicsDestinationSchema,
  SalesforceDestinationSchema,
  MarketoDestinationSchema,
  AzureTableDestinationSchema,
  HttpsDestinationSchema,
  SALESFORCE_ORG_ID,
  HTTP_URL_PATTERN,
  SECRET_FIELDS,
  MASK,
  parseDestination,
  parseTableConnectionString,
  maskConnectionString,
  maskDestination,
  type Destination,
  type DestinationOf,
  type ParseDestinationResult,
  type TableConnection,
  type EncryptedSecret,
  type SealedDestination,
  type OfferDestinationRecord,
} from './destination';
export {
  ERROR_CATEGORIES,
  ERROR_CATALOG,
  isErrorClass,
  dlqCategory,
  LeadflowError,
  leadflowError,
  isLeadflowError,
  type ErrorCategory,
  type ErrorClass,
  type ErrorClassInfo,
  type LeadflowErrorOptions,
  deadLetterSeriesOf,
} from './errors';
export type { DeliveryReceipt } from './receipt';
export { AUDIT_ACTIONS, AuditRecordSchema, changedFields, type AuditAction, type AuditRecord } from './audit';
export {
  MAX_NOTIFICATION_CONTACTS,
  EMAIL_PATTERN,
  EmailAddressSchema,
  NotificationsSchema,
  notificationContacts,
  type Notifications,
} from './notification-contacts';
export {
  NOTICE_KINDS,
  NoticeKeys,
  NOTIFIER_ERRORS,
  type NoticeKind,
  type NoticeRecord,
  type NotifierErrorClass,
} from './notices';
export { quotaAccount } from './quota-account';
export { DeliveryReceiptSchema } from './receipt';
export { QUOTA_WAIT_KEY_PATTERN, QuotaWaitRecordSchema, quotaWaitKey, type QuotaWaitRecord } from './quota-wait';
export {
  MAX_STATUS_VALIDATIONS,
  OFFER_STATUS_KEY_PATTERN,
  OfferStatusRecordSchema,
  ValidationOutcomeSchema,
  offerStatusKey,
  type OfferStatusRecord,
  type ValidationOutcomeRecord,
} from './offer-status';
export { EncryptedSecretSchema, OfferDestinationRecordSchema } from './destination';
export { DEAD_LETTER_POSITION_PATTERN, ReplayLedgerEntrySchema, type ReplayLedgerEntry } from './replay-ledger';
export {
  TRACEPARENT_PATTERN,
  LeadCloudEventHeadersSchema,
  DirectProducerHeadersSchema,
  ReplayHeadersSchema,
  DeadLetterHeadersSchema,
} from './header-schemas';
export { buildAsyncApiDocument, type AsyncApiOptions } from './asyncapi/document';
export {
  EXAMPLE_OFFER,
  EXAMPLE_UNCONFIGURED_OFFER,
  INGESTED_EXAMPLES,
  ROUTER_DEAD_LETTER_EXAMPLES,
  type ContractExample,
} from './asyncapi/examples';
