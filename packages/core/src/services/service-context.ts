import type { PasswordHasher } from '../passwords/password-hasher.js'
import type { PasswordValidationOptions } from '../passwords/password-validators.js'
import type { TesseraSettings } from '../settings/settings.js'
import type { AuditEvent } from '../stores/audit-store.js'
import type { RevokedAccessToken } from '../stores/revocation-store.js'
import type { Stores } from '../stores/stores.js'
import type { TokenEngine } from '../tokens/token-engine.js'
import type { TokenSubject } from '../tokens/token-issuer.js'
import type { Clock } from '../tokens/token-types.js'
import type { ProfileFields } from '../users/profile-fields.js'

/** Where a request came from, for sessions and audit events. */
export interface RequestContext {
  /** Client IP address. */
  readonly ip: string
  /** User-Agent or a device name the client gave (trimmed to 256 characters when stored). */
  readonly device: string
}

/** What the services share. */
export interface ServiceContext {
  readonly stores: Stores
  readonly settings: TesseraSettings
  readonly tokens: TokenEngine<TokenSubject>
  readonly hasher: PasswordHasher
  readonly clock: Clock
  readonly profileFields: ProfileFields | undefined
  readonly passwordValidation: PasswordValidationOptions | undefined
  /**
   * Seconds after a rotation during which presenting the consumed refresh token again returns
   * the same successor instead of revoking the family (RFC 9700 4.14.2 grace). Default 0.
   */
  readonly reuseInterval: number
  /**
   * Where revocations go: the store, then this process's view and the bus. Without one, only
   * the store is written (refresh tokens and cut-offs are still enforced at refresh and verify).
   */
  readonly revocation: RevocationWriter | undefined
}

/** The writes of a revocation sync (see `createRevocationSync`). */
export interface RevocationWriter {
  revokeAccessToken(entry: RevokedAccessToken): Promise<void>
  setCutoff(userId: string, notBefore: number): Promise<number>
}

/** Writes an audit event; audit failures never fail the operation they describe. */
export async function audit(context: ServiceContext, event: Omit<AuditEvent, 'at'>): Promise<void> {
  try {
    await context.stores.audit.record({ ...event, at: context.clock() })
  } catch {
    // The audit log is best-effort by design: a full disk must not lock users out.
  }
}

/** Device strings are user input: keep them short. */
export function deviceLabel(device: string): string {
  return device.length > 256 ? device.slice(0, 256) : device
}
