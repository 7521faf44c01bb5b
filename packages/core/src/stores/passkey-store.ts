/** How a passkey's authenticator moves it between devices (WebAuthn's backup eligibility). */
export type PasskeyDeviceType = 'singleDevice' | 'multiDevice'

/** A WebAuthn credential (a passkey) registered by a user. */
export interface PasskeyRecord {
  /** The credential id, base64url, as the authenticator made it: unique across users. */
  readonly id: string
  readonly userId: string
  /** The COSE public key, base64url. */
  readonly publicKey: string
  /** The signature counter last accepted (0 for authenticators that keep none). */
  readonly counter: number
  /** Transports the browser reported (`internal`, `usb`, `hybrid`...), hints for allow-lists. */
  readonly transports: readonly string[]
  /** The user's name for it (128 characters at most). */
  readonly name: string
  /** Epoch seconds. */
  readonly createdAt: number
  /** Epoch seconds of the last accepted assertion, or null. */
  readonly lastUsedAt: number | null
  readonly deviceType: PasskeyDeviceType
  /** Whether the authenticator says the key is backed up (synced passkeys). */
  readonly backedUp: boolean
  /**
   * Epoch seconds at which an assertion came with a counter not above the stored one (the key
   * may have been cloned), or null. A flagged passkey is refused until deleted.
   */
  readonly clonedAt: number | null
}

/** What a ceremony's challenge may be answered for. */
export type PasskeyChallengePurpose = 'register' | 'login' | 'mfa'

/** A challenge handed to a browser, kept server-side until answered or expired. */
export interface PasskeyChallenge {
  /** The challenge as sent (base64url of 32 random bytes): also its key. */
  readonly challenge: string
  readonly purpose: PasskeyChallengePurpose
  /** The user it was issued for; null for a usernameless (discoverable) login. */
  readonly userId: string | null
  /** Epoch seconds after which it is refused. */
  readonly expiresAt: number
}

/**
 * Passkeys (WebAuthn credentials) and the challenges of their ceremonies. Every user id is a
 * user of the user store; deleting the user deletes its passkeys.
 *
 * Atomicity: `consumeChallenge` and `usePasskey` are each ONE conditional statement (a
 * `DELETE ... RETURNING` of an unexpired row; an `UPDATE ... WHERE counter < ?`). Of N
 * concurrent callers with the same challenge, or the same counter, on any number of connections
 * or processes, exactly one succeeds.
 */
export interface PasskeyStore {
  /** Stores a new passkey; false, changing nothing, when its credential id is taken. */
  createPasskey(record: Omit<PasskeyRecord, 'lastUsedAt' | 'clonedAt'>): Promise<boolean>
  findPasskey(id: string): Promise<PasskeyRecord | undefined>
  /** A user's passkeys, oldest first. */
  listPasskeys(userId: string): Promise<PasskeyRecord[]>
  /** Renames one passkey of `userId`; false when it is not theirs or unknown. */
  renamePasskey(userId: string, id: string, name: string): Promise<boolean>
  /** Deletes one passkey of `userId`; false when it is not theirs or unknown. */
  deletePasskey(userId: string, id: string): Promise<boolean>
  /** Deletes every passkey of the user; returns how many. */
  deleteUserPasskeys(userId: string): Promise<number>
  /**
   * Records an accepted assertion: true for exactly one caller, and only when `counter` is
   * above the stored one, or both are 0 (authenticators without a counter), and the passkey is
   * not flagged as cloned. False changes nothing.
   */
  usePasskey(id: string, counter: number, backedUp: boolean, now: number): Promise<boolean>
  /** Flags a passkey as possibly cloned (see {@link PasskeyRecord.clonedAt}); false if unknown. */
  flagPasskeyCloned(id: string, now: number): Promise<boolean>
  /** Stores a challenge; an existing one rejects with StoreUnavailableError. */
  saveChallenge(challenge: PasskeyChallenge): Promise<void>
  /**
   * Removes and returns the challenge when it has not expired at `now`: exactly one of
   * concurrent callers gets it; an expired one is removed too and nobody gets it.
   */
  consumeChallenge(challenge: string, now: number): Promise<PasskeyChallenge | undefined>
  /** Deletes challenges that expired before `now`; returns how many. */
  flushExpired(now: number): Promise<number>
}
