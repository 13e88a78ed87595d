import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  ResourcePatternTypes,
  type Admin,
  type AclEntry,
} from 'kafkajs';

/** The resources leadflow grants on (no CLUSTER: only the admin creates topics outside the route namespace). */
export type AclResource = 'TOPIC' | 'GROUP' | 'TRANSACTIONAL_ID';
/** LITERAL names one resource; PREFIXED every resource whose name starts with `name`. */
export type AclPattern = 'LITERAL' | 'PREFIXED';
/** READ, WRITE and DELETE imply DESCRIBE (Kafka's rule): DESCRIBE alone is for principals that only look. */
export type AclOperation = 'READ' | 'WRITE' | 'CREATE' | 'DELETE' | 'DESCRIBE';

/** One ALLOW rule: `operations` on the resources `name` matches. */
export interface AclGrant {
  readonly resource: AclResource;
  readonly name: string;
  readonly pattern: AclPattern;
  readonly operations: readonly AclOperation[];
}

/** A SCRAM user and everything it may do; whatever is not granted is refused by the broker. */
export interface KafkaPrincipal {
  /** The SCRAM user name (principal `User:<name>`). */
  readonly name: string;
  /** Who uses it, for the docs. */
  readonly description: string;
  readonly grants: readonly AclGrant[];
}

/** Small constructors, so that a principal's grants read like the sentence that describes them. */
export const grant = {
  topic: (name: string, ...operations: AclOperation[]): AclGrant => ({
    resource: 'TOPIC',
    name,
    pattern: 'LITERAL',
    operations,
  }),
  topicsStartingWith: (prefix: string, ...operations: AclOperation[]): AclGrant => ({
    resource: 'TOPIC',
    name: prefix,
    pattern: 'PREFIXED',
    operations,
  }),
  /** A consumer group family: the service's group and the per-instance groups named after it. */
  groupsStartingWith: (prefix: string, ...operations: AclOperation[]): AclGrant => ({
    resource: 'GROUP',
    name: prefix,
    pattern: 'PREFIXED',
    operations: operations.length > 0 ? operations : ['READ'],
  }),
  transactionalId: (name: string, pattern: AclPattern = 'LITERAL'): AclGrant => ({
    resource: 'TRANSACTIONAL_ID',
    name,
    pattern,
    operations: ['WRITE'],
  }),
};

const RESOURCE: Record<AclResource, AclResourceTypes> = {
  TOPIC: AclResourceTypes.TOPIC,
  GROUP: AclResourceTypes.GROUP,
  TRANSACTIONAL_ID: AclResourceTypes.TRANSACTIONAL_ID,
};
const OPERATION: Record<AclOperation, AclOperationTypes> = {
  READ: AclOperationTypes.READ,
  WRITE: AclOperationTypes.WRITE,
  CREATE: AclOperationTypes.CREATE,
  DELETE: AclOperationTypes.DELETE,
  DESCRIBE: AclOperationTypes.DESCRIBE,
};

/** The kafkajs `createAcls` entries of `principals`: one ALLOW entry per (principal, resource, operation), any host. */
export function aclEntries(principals: readonly KafkaPrincipal[]): AclEntry[] {
  return principals.flatMap((p) =>
    p.grants.flatMap((g) =>
      g.operations.map((op) => ({
        resourceType: RESOURCE[g.resource],
        resourceName: g.name,
        resourcePatternType: g.pattern === 'LITERAL' ? ResourcePatternTypes.LITERAL : ResourcePatternTypes.PREFIXED,
        principal: `User:${p.name}`,
        host: '*',
        operation: OPERATION[op],
        permissionType: AclPermissionTypes.ALLOW,
      })),
    ),
  );
}

/**
 * Creates the ACLs of `principals` through `admin` (a super user's client). Creating an ACL that exists is a no-op
 * for the broker, so this runs at every start and adds what the data gained since.
 */
export async function applyAcls(admin: Admin, principals: readonly KafkaPrincipal[]): Promise<number> {
  const acl = aclEntries(principals);
  if (acl.length > 0) await admin.createAcls({ acl });
  return acl.length;
}

const FLAG: Record<AclResource, string> = {
  TOPIC: '--topic',
  GROUP: '--group',
  TRANSACTIONAL_ID: '--transactional-id',
};
const OPERATION_NAME: Record<AclOperation, string> = {
  READ: 'Read',
  WRITE: 'Write',
  CREATE: 'Create',
  DELETE: 'Delete',
  DESCRIBE: 'Describe',
};

/**
 * The same ACLs as `kafka-acls.sh` commands, one per grant: what an operator runs against a cluster the local
 * launcher does not manage. `$BOOTSTRAP` and `admin.properties` (the admin's SASL_SSL client settings) are theirs.
 */
export function kafkaAclsCommands(
  principals: readonly KafkaPrincipal[],
  opts: { readonly bootstrap?: string; readonly commandConfig?: string } = {},
): string[] {
  const base = `kafka-acls.sh --bootstrap-server ${opts.bootstrap ?? '"$BOOTSTRAP"'} --command-config ${opts.commandConfig ?? 'admin.properties'} --add`;
  return principals.flatMap((p) =>
    p.grants.map((g) =>
      [
        base,
        `--allow-principal User:${p.name}`,
        ...g.operations.map((op) => `--operation ${OPERATION_NAME[op]}`),
        `${FLAG[g.resource]} ${g.name}`,
        ...(g.pattern === 'PREFIXED' ? ['--resource-pattern-type prefixed'] : []),
      ].join(' '),
    ),
  );
}

/**
 * Whether `principal`'s grants allow `operation` on the resource `name`, by Kafka's rules for ALLOW-only ACLs:
 * a LITERAL grant names the resource, a PREFIXED one starts it, and READ, WRITE or DELETE imply DESCRIBE. For tests and
 * reviews of the data; the broker is what enforces it.
 */
export function isAllowed(
  principal: KafkaPrincipal,
  resource: AclResource,
  name: string,
  operation: AclOperation,
): boolean {
  return principal.grants.some(
    (g) =>
      g.resource === resource &&
      (g.pattern === 'LITERAL' ? name === g.name : name.startsWith(g.name)) &&
      (operation === 'DESCRIBE' ? g.operations.some((op) => op !== 'CREATE') : g.operations.includes(operation)),
  );
}
