/** A revoked access token, kept until it would have expired anyway. */
export interface RevokedAccessToken {
  readonly jti: string
  readonly userId: string
  /** Epoch seconds: the token's `exp`; the entry may be dropped after it. */
  readonly expiresAt: number
}

/**
 * Revoked sessions of one user, all revoked at once (a logout, a reuse, a logout everywhere):
 * every token naming one of them in its `sid` claim is refused.
 */
export interface RevokedSessions {
  readonly userId: string
  /** Session (refresh-family) ids, at least one. */
  readonly sessionIds: readonly string[]
  /**
   * Epoch seconds: when the last token the sessions may have minted expires (the revocation
   * time plus the longest access or sliding lifetime); the entries may be dropped after it.
   */
  readonly expiresAt: number
}

/** One revoked session, as {@link RevocationStore.loadLive} returns it. */
export interface RevokedSession {
  readonly sessionId: string
  readonly userId: string
  /** Epoch seconds, as in {@link RevokedSessions.expiresAt}. */
  readonly expiresAt: number
}

/** Per-user cut-off: every token of the user issued before `notBefore` is refused. */
export interface UserTokenCutoff {
  readonly userId: string
  /** Epoch seconds (simplejwt users know it as `tokens_valid_after`). */
  readonly notBefore: number
}

/** What a process loads at start to build its in-memory revocation view. */
export interface LiveRevocations {
  readonly accessTokens: RevokedAccessToken[]
  readonly sessions: RevokedSession[]
  readonly cutoffs: UserTokenCutoff[]
}

/**
 * Revocations of access tokens and sessions, and per-user cut-offs. Atomicity: each write is one
 * idempotent statement (an upsert); `setCutoff` only ever moves a user's cut-off forward
 * (`GREATEST`/`MAX`), so concurrent logouts-everywhere cannot move it back.
 */
export interface RevocationStore {
  /**
   * Records the revocation at `now` (epoch seconds, the caller's clock: stores never read one).
   * Revoking the same jti again changes nothing.
   */
  revokeAccessToken(entry: RevokedAccessToken, now: number): Promise<void>
  /**
   * Records the revocation of every session of `entry` at `now`, in one statement. A session
   * already recorded keeps its first entry. An empty `sessionIds` writes nothing.
   */
  revokeSessions(entry: RevokedSessions, now: number): Promise<void>
  /**
   * Moves the user's cut-off to `notBefore` unless it is already later, at `now` (what
   * {@link loadChangedSince} compares with; untouched when the cut-off does not move).
   * Returns the effective value.
   */
  setCutoff(userId: string, notBefore: number, now: number): Promise<number>
  getCutoff(userId: string): Promise<number | undefined>
  /**
   * Revoked access tokens and sessions not yet expired at `now` (`expiresAt > now`), and every
   * cut-off.
   */
  loadLive(now: number): Promise<LiveRevocations>
  /**
   * Revocations written after `since` (strictly), access tokens and sessions among them still
   * live at `now`: what a process missed while disconnected. Change times come from writers'
   * clocks, so callers pass their last sync minus a margin for clock skew.
   */
  loadChangedSince(since: number, now: number): Promise<LiveRevocations>
  /**
   * Deletes revoked access tokens and sessions that expired before `now` (strictly); returns how
   * many. Pass `now - leeway` when verifiers accept tokens `leeway` seconds past `exp`.
   */
  flushExpired(now: number): Promise<number>
}
