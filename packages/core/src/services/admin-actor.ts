import { PermissionDeniedError } from '../errors/admin-errors.js'
import type { AuditEventType } from '../stores/audit-store.js'
import type { JsonValue } from '../tokens/token-types.js'
import { audit, type ServiceContext } from './service-context.js'

/**
 * Who makes an admin change: a staff member through the API (their id and IP) or an operator
 * at the command line (no id: the shell is the authority, as Django's management commands).
 */
export interface AdminActor {
  /** The acting user's id; null for an operator at the command line. */
  readonly id: string | null
  /** Superusers alone may grant or take `is_staff` and `is_superuser`. */
  readonly isSuperuser: boolean
  /** The client IP of the request, or null. */
  readonly ip: string | null
}

/** The operator at the command line: every change allowed, audited with `via: "cli"`. */
export const CLI_ACTOR: AdminActor = Object.freeze({ id: null, isSuperuser: true, ip: null })

/** Throws {@link PermissionDeniedError} unless `actor` is a superuser. */
export function requireSuperuser(actor: AdminActor, what: string): void {
  if (!actor.isSuperuser) throw new PermissionDeniedError(`only a superuser may ${what}`)
}

/** Writes the audit event of an admin change, naming the actor (`actor_id`, or `via: "cli"`). */
export function auditAdmin(
  context: ServiceContext,
  actor: AdminActor,
  type: AuditEventType,
  userId: string | null,
  data: Readonly<Record<string, JsonValue>> = {},
): Promise<void> {
  return audit(context, {
    type,
    userId,
    ip: actor.ip,
    data: { ...data, ...(actor.id === null ? { via: 'cli' } : { actor_id: actor.id }) },
  })
}
