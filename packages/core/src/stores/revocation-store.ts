/** A revoked access token, kept until it would have expired anyway. */
export interface RevokedAccessToken {
  readonly jti: string
  readonly userId: string
  /** Epoch seconds: the token's `exp`; the entry may be dropped after it. */
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
  readonly cutoffs: UserTokenCutoff[]
}

/**
 * Revocations of access tokens. Atomicity: each write is one idempotent statement (an upsert);
 * `setCutoff` only ever moves a user's cut-off forward (`GREATEST`/`MAX`), so concurrent
 * logouts-everywhere cannot move it back.
 */
export interface RevocationStore {
  /**
   * Records the revocation at `now` (epoch seconds, the caller's clock: stores never read one).
   * Revoking the same jti again changes nothing.
   */
  revokeAccessToken(entry: RevokedAccessToken, now: number): Promise<void>
  /**
   * Moves the user's cut-off to `notBefore` unless it is already later, at `now` (what
   * {@link loadChangedSince} compares with; untouched when the cut-off does not move).
   * Returns the effective value.
   */
  setCutoff(userId: string, notBefore: number, now: number): Promise<number>
  getCutoff(userId: string): Promise<number | undefined>
  /** Revoked access tokens not yet expired at `now` (`expiresAt > now`), and every cut-off. */
  loadLive(now: number): Promise<LiveRevocations>
  /**
   * Revocations written after `since` (strictly), access tokens among them still live at `now`:
   * what a process missed while disconnected. Change times come from writers' clocks, so callers
   * pass their last sync minus a margin for clock skew.
   */
  loadChangedSince(since: number, now: number): Promise<LiveRevocations>
  /**
   * Deletes revoked access tokens that expired before `now` (strictly); returns how many. Pass
   * `now - leeway` when verifiers accept tokens `leeway` seconds past `exp`.
   */
  flushExpired(now: number): Promise<number>
}
