import type { JsonValue } from '../../tokens/token-types.js'
import type { AuditRecord } from '../audit-store.js'
import type { StoredKey } from '../key-store.js'
import type { OutboxMessage } from '../mail-outbox-store.js'
import type { TotpRecord, TrustedDeviceRecord } from '../mfa-store.js'
import type { PasskeyChallenge, PasskeyRecord } from '../passkey-store.js'
import type { GroupRecord, PermissionRecord } from '../permission-store.js'
import type { RefreshTokenRecord, SessionRecord } from '../session-store.js'
import { StoreUnavailableError } from '../stores.js'
import type { UserRecord } from '../user-store.js'

/** A revoked access token with the time it was written (what `loadChangedSince` compares). */
export interface MemoryRevokedToken {
  readonly jti: string
  readonly userId: string
  readonly expiresAt: number
  readonly createdAt: number
}

/** A revoked session with the time it was written. */
export interface MemoryRevokedSession {
  readonly sessionId: string
  readonly userId: string
  readonly expiresAt: number
  readonly createdAt: number
}

/** A cut-off with the time it last moved. */
export interface MemoryCutoff {
  readonly notBefore: number
  readonly updatedAt: number
}

/**
 * Everything the memory stores hold, as the SQL tables would: the maps are the tables, the
 * `...ByKey` maps the unique indexes, the link sets the link tables.
 */
export interface MemoryState {
  readonly users: Map<string, UserRecord>
  readonly userIdByKey: Map<string, string>
  readonly groups: Map<string, GroupRecord>
  readonly groupIdByName: Map<string, string>
  readonly permissions: Map<string, PermissionRecord>
  readonly permissionIdByKey: Map<string, string>
  readonly userGroups: Map<string, Set<string>>
  readonly userPermissions: Map<string, Set<string>>
  readonly groupPermissions: Map<string, Set<string>>
  readonly sessions: Map<string, SessionRecord>
  readonly refreshTokens: Map<string, RefreshTokenRecord>
  readonly revokedTokens: Map<string, MemoryRevokedToken>
  readonly revokedSessions: Map<string, MemoryRevokedSession>
  readonly cutoffs: Map<string, MemoryCutoff>
  readonly audit: AuditRecord[]
  readonly signingKeys: Map<string, StoredKey>
  readonly totp: Map<string, TotpRecord>
  /** Recovery codes per user: digest -> epoch seconds used, or null. */
  readonly recoveryCodes: Map<string, Map<string, number | null>>
  /** Used MFA tokens: jti -> expiry. */
  readonly usedMfaTokens: Map<string, number>
  readonly trustedDevices: Map<string, TrustedDeviceRecord>
  /** Passkeys by credential id. */
  readonly passkeys: Map<string, PasskeyRecord>
  /** Passkey ceremony challenges by their value. */
  readonly passkeyChallenges: Map<string, PasskeyChallenge>
  /** The mail outbox by id (insertion order is id order). */
  readonly mailOutbox: Map<string, OutboxMessage>
  /**
   * Last id handed out per sequence; ids are never reused, like SQLite's AUTOINCREMENT. `keys`
   * is the signing keys' change counter.
   */
  readonly sequences: {
    user: number
    group: number
    permission: number
    audit: number
    keys: number
    mail: number
  }
}

/** An empty state. */
export function createMemoryState(): MemoryState {
  return {
    users: new Map(),
    userIdByKey: new Map(),
    groups: new Map(),
    groupIdByName: new Map(),
    permissions: new Map(),
    permissionIdByKey: new Map(),
    userGroups: new Map(),
    userPermissions: new Map(),
    groupPermissions: new Map(),
    sessions: new Map(),
    refreshTokens: new Map(),
    revokedTokens: new Map(),
    revokedSessions: new Map(),
    cutoffs: new Map(),
    audit: [],
    signingKeys: new Map(),
    totp: new Map(),
    recoveryCodes: new Map(),
    usedMfaTokens: new Map(),
    trustedDevices: new Map(),
    passkeys: new Map(),
    passkeyChallenges: new Map(),
    mailOutbox: new Map(),
    sequences: { user: 0, group: 0, permission: 0, audit: 0, keys: 0, mail: 0 },
  }
}

/**
 * Copies JSON data the way a JSON text column would (so `undefined` members vanish and `-0`
 * becomes `0` on every backend alike), and so callers never hold the stored object.
 */
export function cloneJson<T extends Readonly<Record<string, JsonValue>>>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}

/** The rejection SQL adapters produce through a foreign key or a primary key. */
export function constraintFailure(): StoreUnavailableError {
  return new StoreUnavailableError('store operation failed (constraint)')
}

/** Adds `value` to the set at `key`, creating it. */
export function addLink(links: Map<string, Set<string>>, key: string, value: string): void {
  const set = links.get(key)
  if (set) set.add(value)
  else links.set(key, new Set([value]))
}
