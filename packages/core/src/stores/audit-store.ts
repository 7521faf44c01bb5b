import type { JsonValue } from '../tokens/token-types.js'
import { checkPageWindow, type PageWindow, type StorePage } from './store-page.js'

/** The kinds of audit event Tessera writes. */
export type AuditEventType =
  | 'login_succeeded'
  | 'login_failed'
  | 'token_refreshed'
  | 'refresh_reuse_detected'
  | 'logout'
  | 'logout_all'
  | 'password_changed'
  | 'user_registered'
  | 'user_deactivated'
  | 'user_activated'
  | 'session_revoked'
  | 'mfa_enabled'
  | 'mfa_disabled'
  | 'mfa_failed'
  | 'mfa_recovery_code_used'
  | 'mfa_recovery_codes_regenerated'
  | 'mfa_reset'
  | 'trusted_device_revoked'
  | 'mail_sent'
  | 'mail_failed'
  | 'password_reset'
  | 'username_changed'
  | 'email_changed'
  | 'user_created'
  | 'user_updated'
  | 'user_deleted'
  | 'admin_password_set'
  | 'group_created'
  | 'group_renamed'
  | 'group_deleted'
  | 'group_member_added'
  | 'group_member_removed'
  | 'permission_created'
  | 'permission_granted'
  | 'permission_revoked'
  | 'key_rotated'
  | 'key_retired'
  | 'mail_retried'
  | 'passkey_registered'
  | 'passkey_renamed'
  | 'passkey_deleted'
  | 'passkey_failed'
  | 'passkey_clone_detected'

/** One audit event. Never carries a password, a token or a secret. */
export interface AuditEvent {
  readonly type: AuditEventType
  /** Epoch seconds. */
  readonly at: number
  readonly userId: string | null
  readonly ip: string | null
  /** Small structured details (family id, reason, username attempted...). */
  readonly data: Readonly<Record<string, JsonValue>>
}

/** An audit event as stored, with its sequence number. */
export interface AuditRecord extends AuditEvent {
  readonly id: string
}

/** Filters and window of {@link AuditStore.queryEvents}; every filter is optional. */
export interface AuditQuery extends PageWindow {
  readonly userId?: string
  /** Any of these types (an empty list matches nothing). */
  readonly types?: readonly string[]
  /** Epoch seconds, inclusive. */
  readonly since?: number
  /** Epoch seconds, exclusive. */
  readonly until?: number
}

/** Append-only audit log. Atomicity: each `record` is one insert; nothing is ever updated. */
export interface AuditStore {
  record(event: AuditEvent): Promise<void>
  /**
   * Newest first (by id, the insertion order), at most `limit`, optionally for one user. Throws a
   * RangeError when `limit` is not a non-negative integer.
   */
  listEvents(options: { limit: number; userId?: string }): Promise<AuditRecord[]>
  /**
   * The events matching `query`, newest first (by id), one window, and how many match. Throws a
   * RangeError for a bad window or a time that is not a finite number. A user id or type holding
   * U+0000 or a lone surrogate matches nothing (no stored event has one).
   */
  queryEvents(query: AuditQuery): Promise<StorePage<AuditRecord>>
}

/** Throws a RangeError for a bad window or time of an audit query (every adapter alike). */
export function checkAuditQuery(query: AuditQuery): void {
  checkPageWindow(query)
  for (const time of [query.since, query.until]) {
    if (time !== undefined && (typeof time !== 'number' || !Number.isFinite(time))) {
      throw new RangeError('since and until must be finite epoch seconds')
    }
  }
}
