/**
 * A user's TOTP authenticator (RFC 6238). Pending (`confirmedAt` null) between setup and the
 * first valid code; only a confirmed one makes login ask for a second factor.
 */
export interface TotpRecord {
  readonly userId: string
  /**
   * The shared secret as stored: base32, or an envelope sealed with the key-encryption key
   * (`tessera-kek-v1....`). Only the MFA services open it.
   */
  readonly secret: string
  /** Epoch seconds of setup. */
  readonly createdAt: number
  /** Epoch seconds of the confirmation, or null while pending. */
  readonly confirmedAt: number | null
  /** The last time step (`floor(t / 30)`) a code was accepted for, or null: each step once. */
  readonly lastUsedStep: number | null
}

/** A device that may skip the second factor until `expiresAt` ("remember this device"). */
export interface TrustedDeviceRecord {
  /** Public id (32 lowercase hex), what listings show and revocations name. */
  readonly id: string
  readonly userId: string
  /** SHA-256 (hex) of the device token: the token itself is never stored. */
  readonly tokenHash: string
  /** The User-Agent or device name of the login that trusted it (256 characters at most). */
  readonly device: string
  readonly ip: string
  /** Epoch seconds. */
  readonly createdAt: number
  /** Epoch seconds after which the device must give a code again. */
  readonly expiresAt: number
  /** Epoch seconds, or null while trusted. */
  readonly revokedAt: number | null
}

/**
 * Second factors: TOTP authenticators, recovery codes (stored as SHA-256 digests), used MFA
 * tokens and trusted devices. Every user id is a user of the user store; deleting the user
 * deletes its rows.
 *
 * Atomicity: `useTotpStep`, `confirmTotp`, `useRecoveryCode` and `consumeMfaToken` are each ONE
 * conditional write (`UPDATE ... WHERE last_used_step < ?`, `UPDATE ... WHERE used_at IS NULL`,
 * an insert keyed by the jti). Of N concurrent callers with the same step, code or jti, on any
 * number of connections or processes, exactly one gets `true`.
 */
export interface MfaStore {
  findTotp(userId: string): Promise<TotpRecord | undefined>
  /**
   * Stores a pending authenticator with `secret` (replacing a pending one, and dropping the
   * user's recovery codes); false, changing nothing, when a confirmed one exists.
   */
  saveTotpSetup(userId: string, secret: string, now: number): Promise<boolean>
  /**
   * Confirms the pending authenticator with the code of `step` and stores the recovery codes
   * (digests) in the same transaction; false when there is none pending or `step` is not after
   * its `lastUsedStep`.
   */
  confirmTotp(
    userId: string,
    step: number,
    recoveryCodeHashes: readonly string[],
    now: number,
  ): Promise<boolean>
  /**
   * Accepts the code of `step` for a confirmed authenticator: true for exactly one caller, and
   * only when `step` is after the last accepted one (a code is never accepted twice, nor an
   * older one after a newer).
   */
  useTotpStep(userId: string, step: number): Promise<boolean>
  /** Deletes the authenticator and the recovery codes; false when there was no authenticator. */
  deleteTotp(userId: string): Promise<boolean>
  /** Replaces every recovery code of the user with these digests. */
  replaceRecoveryCodes(userId: string, hashes: readonly string[], now: number): Promise<void>
  /** Marks the unused code with this digest used: true for exactly one caller. */
  useRecoveryCode(userId: string, hash: string, now: number): Promise<boolean>
  /** How many recovery codes the user has left. */
  countRecoveryCodes(userId: string): Promise<number>
  /**
   * Records MFA token `jti` (of `userId`, valid until `expiresAt`) as used: true for exactly one
   * caller, false if it was used before.
   */
  consumeMfaToken(jti: string, userId: string, expiresAt: number): Promise<boolean>
  /** Stores a trusted device; an existing id or token digest rejects with StoreUnavailableError. */
  createTrustedDevice(device: Omit<TrustedDeviceRecord, 'revokedAt'>): Promise<void>
  findTrustedDeviceByTokenHash(tokenHash: string): Promise<TrustedDeviceRecord | undefined>
  /** Trusted (not revoked, not expired at `now`) devices of a user, newest first. */
  listTrustedDevices(userId: string, now: number): Promise<TrustedDeviceRecord[]>
  /** Revokes one device of `userId`; false if it is not theirs, unknown or already revoked. */
  revokeTrustedDevice(userId: string, id: string, now: number): Promise<boolean>
  /** Revokes every trusted device of the user; returns how many. */
  revokeUserTrustedDevices(userId: string, now: number): Promise<number>
  /** Deletes used MFA tokens and devices that expired before `now`; returns how many rows. */
  flushExpired(now: number): Promise<number>
}
