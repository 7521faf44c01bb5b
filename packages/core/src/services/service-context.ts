import type { KeyEncryptionKey } from '../keys/key-encryption.js'
import type { AccountMailOptions } from '../mail/account-mail-options.js'
import type { PasswordHasher } from '../passwords/password-hasher.js'
import type { PasswordValidationOptions } from '../passwords/password-validators.js'
import type { TesseraSettings } from '../settings/settings.js'
import type { AuditEvent } from '../stores/audit-store.js'
import type {
  RevocationStore,
  RevokedAccessToken,
  RevokedSessions,
} from '../stores/revocation-store.js'
import type { Stores } from '../stores/stores.js'
import type { TokenEngine } from '../tokens/token-engine.js'
import type { TokenSubject } from '../tokens/token-issuer.js'
import type { Clock } from '../tokens/token-types.js'
import type { ProfileFields } from '../users/profile-fields.js'
import type { BackgroundTasks } from './account-mail.js'
import type { PasskeyOptions } from './passkey-options.js'
import type { TokenClaimsLoader } from './token-claims.js'

/** djoser's `LOGIN_FIELD` (Django's `USERNAME_FIELD`): what a login names the user by. */
export type LoginField = 'username' | 'email'

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
  /** The claims of `TOKEN_CLAIMS`, loaded when a session starts; undefined: none. */
  readonly tokenClaims: TokenClaimsLoader | undefined
  /**
   * Where revocations go: a revocation sync writes the store, then this process's view and the
   * bus; {@link storeRevocationWriter} only the store (refresh tokens, sessions and cut-offs are
   * still enforced at refresh and verify).
   */
  readonly revocation: RevocationWriter
  /** Seals TOTP secrets at rest (`KEY_ENCRYPTION_KEY`); plain base32 without it. */
  readonly keyEncryptionKey: KeyEncryptionKey | undefined
  /** The account mail flows' settings; undefined when the application sends no mail. */
  readonly mail: AccountMailOptions | undefined
  /** What a login names the user by: djoser's `LOGIN_FIELD`. */
  readonly loginField: LoginField
  /** Work finished after the answer (reset requests: same answer, same time, any address). */
  readonly background: BackgroundTasks
  /** The relying party of passkeys; undefined: passkeys are off. */
  readonly passkeys: PasskeyOptions | undefined
}

/**
 * The writes of a revocation sync (see `createRevocationSync`), and the user-change signal that
 * travels the same way.
 */
export interface RevocationWriter {
  revokeAccessToken(entry: RevokedAccessToken): Promise<void>
  /** At most `MAX_SESSIONS_PER_EVENT` (100) session ids per call. */
  revokeSessions(entry: RevokedSessions): Promise<void>
  setCutoff(userId: string, notBefore: number): Promise<number>
  /** Says that a user's row changed, to this process's listeners and, if any, the others. */
  userChanged(userId: string): Promise<void>
  /** Listens for changed users (user caches). */
  onUserChange(listener: (userId: string) => void): void
}

/**
 * A writer for services without a revocation view or bus (a library user's single process, an
 * administrative tool): revocations go to the store, user changes to this process's listeners.
 */
export function storeRevocationWriter(store: RevocationStore, clock: Clock): RevocationWriter {
  const listeners: ((userId: string) => void)[] = []
  return {
    revokeAccessToken: (entry) => store.revokeAccessToken(entry, clock()),
    revokeSessions: (entry) => store.revokeSessions(entry, clock()),
    setCutoff: (userId, notBefore) => store.setCutoff(userId, notBefore, clock()),
    async userChanged(userId) {
      for (const listener of listeners) {
        try {
          listener(userId)
        } catch {
          // A cache that fails to drop an entry must not fail the write that changed the user.
        }
      }
    },
    onUserChange(listener) {
      listeners.push(listener)
    },
  }
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
