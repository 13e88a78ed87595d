export { AuditLog, matchesAudit, readAuditTrail, type AuditEntry, type AuditFilter } from './audit-log';
export { auditFilter } from './audit-filter';
