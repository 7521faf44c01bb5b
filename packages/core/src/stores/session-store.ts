import type { AuditEvent } from './audit-store.js'
/**
 * A session: one refresh-token family, from a login to its logout or expiry, on one device.
 * Every refresh token minted by rotation stays in the family of the login that began it.
 */
export interface SessionRecord {
  /** Family id (32 lowercase hex). */
  readonly id: string
  readonly userId: string
  /** Epoch seconds. */
  readonly createdAt: number
  /** Epoch seconds of the last rotation (or of the login). */
  readonly lastUsedAt: number
  /** Epoch seconds after which no token of the family is valid (the newest token's expiry). */
  readonly expiresAt: number
  /** The User-Agent (trimmed to 256 chars) or a device name the client gave. */
  readonly device: string
  readonly ip: string
  /** Epoch seconds, or null while the session is live. */
  readonly revokedAt: number | null
  /** Why: `logout`, `reuse_detected`, `logout_all`, `password_change`, `admin`, ... */
  readonly revokeReason: string | null
}

/** One refresh token of a family. */
export interface RefreshTokenRecord {
  /** The token's `jti`: what single use is keyed by (never the token string). */
  readonly jti: string
  readonly familyId: string
  readonly userId: string
  /** Epoch seconds (the token's `iat`). */
  readonly issuedAt: number
  /** Epoch seconds (the token's `exp`). */
  readonly expiresAt: number
  /** Epoch seconds when a rotation consumed it, or null. */
  readonly consumedAt: number | null
  /** The jti of the token that replaced it, or null. */
  readonly replacedBy: string | null
}

/** Input of {@link SessionStore.createSession}: the family and its first refresh token. */
export interface NewSession {
  readonly session: Omit<SessionRecord, 'revokedAt' | 'revokeReason'>
  readonly token: Omit<RefreshTokenRecord, 'consumedAt' | 'replacedBy'>
}

/**
 * The outcome of {@link SessionStore.consumeRefreshToken}:
 * - `rotated`: this call consumed the token and stored `successor` (exactly one caller gets it);
 *   `token` is the presented token as now stored (`consumedAt = now`, `replacedBy` = the
 *   successor's jti) and `session` the family with its new `lastUsedAt`/`expiresAt`;
 * - `consumed`: it was consumed before (at `token.consumedAt`, replaced by `token.replacedBy`);
 * - `revoked`: its family is revoked;
 * - `expired`: past its `expiresAt` (`expiresAt <= now`);
 * - `unknown`: no such jti.
 *
 * When several apply, the first in the order `revoked`, `consumed`, `expired` wins: a revoked
 * family is never offered a grace-window retry, and reuse of a consumed token stays visible.
 */
export type ConsumeResult =
  | {
      readonly outcome: 'rotated'
      readonly token: RefreshTokenRecord
      readonly session: SessionRecord
    }
  | {
      readonly outcome: 'consumed'
      readonly token: RefreshTokenRecord
      readonly session: SessionRecord
    }
  | {
      readonly outcome: 'revoked'
      readonly token: RefreshTokenRecord
      readonly session: SessionRecord
    }
  | {
      readonly outcome: 'expired'
      readonly token: RefreshTokenRecord
      readonly session: SessionRecord
    }
  | { readonly outcome: 'unknown' }

/**
 * Sessions and their refresh tokens.
 *
 * Atomicity, the heart of rotation: `consumeRefreshToken` is ONE conditional write
 * (`UPDATE ... SET consumed_at = now, replaced_by = successor WHERE jti = ? AND consumed_at IS
 * NULL AND family live AND not expired RETURNING`), in one transaction with the insert of the
 * successor (`BEGIN IMMEDIATE` on SQLite). Of N concurrent consumers of one jti, on any number of
 * connections or processes, exactly one gets `rotated`; the others get `consumed`.
 */
export interface SessionStore {
  /**
   * Stores a new family with its first refresh token, in one transaction. An existing family id or
   * jti, or a user that does not exist, rejects with `StoreUnavailableError` and stores nothing.
   */
  createSession(input: NewSession): Promise<void>
  /**
   * Consumes refresh token `jti` at `now` (epoch seconds) and, if this call wins, stores
   * `successor` in the same family and moves the family's `lastUsedAt` to `now` and `expiresAt` to
   * the successor's. Wins when the token is unconsumed, `expiresAt > now` and the family is not
   * revoked. A successor jti that exists already rejects with `StoreUnavailableError` and
   * consumes nothing. When this call wins and `audit` is given, the event it returns for the
   * moved family is recorded in the same transaction: one commit per refresh, not two.
   */
  consumeRefreshToken(
    jti: string,
    now: number,
    successor: Omit<RefreshTokenRecord, 'familyId' | 'userId' | 'consumedAt' | 'replacedBy'>,
    audit?: (session: SessionRecord) => AuditEvent,
  ): Promise<ConsumeResult>
  findRefreshToken(jti: string): Promise<RefreshTokenRecord | undefined>
  findSession(id: string): Promise<SessionRecord | undefined>
  /** Live (not revoked, not expired at `now`) sessions of a user, newest first. */
  listSessions(userId: string, now: number): Promise<SessionRecord[]>
  /** Revokes one family at `now`; false if it does not exist or was already revoked. */
  revokeSession(id: string, now: number, reason: string): Promise<boolean>
  /**
   * Revokes every live family of the user (not revoked, `expiresAt > now`) in one statement;
   * returns their ids (in no particular order), so that their access tokens can be revoked too.
   */
  revokeUserSessions(userId: string, now: number, reason: string): Promise<string[]>
  /**
   * Deletes, in one transaction, the tokens that expired before `now` (strictly) and the families
   * that did, with their remaining tokens; returns how many tokens went. Consumed tokens are kept
   * until then, so a reuse is recognised as `consumed` for as long as the token could verify.
   */
  flushExpired(now: number): Promise<number>
}
