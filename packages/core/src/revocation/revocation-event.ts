/**
 * What a revocation bus carries: the same facts the store holds, so applying an event twice, out
 * of order, or after a full reload changes nothing.
 */
export type RevocationEvent =
  | {
      readonly kind: 'access'
      readonly jti: string
      readonly userId: string
      /** Epoch seconds: the revoked token's `exp`. */
      readonly expiresAt: number
    }
  | {
      /** Sessions ended (logout, reuse, logout everywhere): every token naming one is refused. */
      readonly kind: 'sessions'
      readonly userId: string
      /** At most {@link MAX_SESSIONS_PER_EVENT} ids. */
      readonly sessionIds: readonly string[]
      /** Epoch seconds: when the last token these sessions minted expires. */
      readonly expiresAt: number
    }
  | {
      readonly kind: 'cutoff'
      readonly userId: string
      /** Epoch seconds: tokens of the user with `iat <= notBefore` (or no `iat`) are refused. */
      readonly notBefore: number
    }
  | {
      /**
       * Not a revocation: the signing-key ring changed in the store (a rotation), so every
       * instance reloads it now rather than at its next poll. Carries nothing to trust: a forged
       * one only causes a reload from the store.
       */
      readonly kind: 'keys'
    }
  | {
      /**
       * Not a revocation: the user's row changed (profile, password, active flag), so every
       * instance drops it from its user cache now rather than at the cache's TTL. Like `keys`,
       * a forged one only causes a read from the store.
       */
      readonly kind: 'user'
      readonly userId: string
    }

/**
 * Most session ids one event carries: 100 ids of 32 hex digits keep a payload near 3.5 KB,
 * under PostgreSQL's 8000-byte NOTIFY limit. A writer splits larger batches.
 */
export const MAX_SESSIONS_PER_EVENT = 100

/** Receives the events a bus delivers. Must not throw; must not block. */
export type RevocationEventHandler = (event: RevocationEvent) => void

/** The wire form of an event: compact JSON (well under PostgreSQL's 8000-byte NOTIFY limit). */
export function serializeRevocationEvent(event: RevocationEvent): string {
  switch (event.kind) {
    case 'access':
      return JSON.stringify({
        kind: 'access',
        jti: event.jti,
        userId: event.userId,
        expiresAt: event.expiresAt,
      })
    case 'sessions':
      return JSON.stringify({
        kind: 'sessions',
        userId: event.userId,
        sessionIds: event.sessionIds,
        expiresAt: event.expiresAt,
      })
    case 'cutoff':
      return JSON.stringify({ kind: 'cutoff', userId: event.userId, notBefore: event.notBefore })
    case 'keys':
      return JSON.stringify({ kind: 'keys' })
    case 'user':
      return JSON.stringify({ kind: 'user', userId: event.userId })
  }
}

/** Longest jti or user id a bus accepts: anything longer is not ours. */
const MAX_ID_LENGTH = 256

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

function isSessionIds(value: unknown): value is string[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.length <= MAX_SESSIONS_PER_EVENT &&
    value.every(isId)
  )
}

/**
 * Parses a bus payload; undefined when it is not a well-formed event (a bus is shared
 * infrastructure: anyone with access to the channel can publish on it, so payloads are input).
 */
export function parseRevocationEvent(payload: string): RevocationEvent | undefined {
  let value: unknown
  try {
    value = JSON.parse(payload)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const record = value as Record<string, unknown>
  if (record.kind === 'keys') return { kind: 'keys' }
  const { userId } = record
  if (!isId(userId)) return undefined
  switch (record.kind) {
    case 'access': {
      const { jti, expiresAt } = record
      return isId(jti) && isTime(expiresAt) ? { kind: 'access', jti, userId, expiresAt } : undefined
    }
    case 'sessions': {
      const { sessionIds, expiresAt } = record
      return isSessionIds(sessionIds) && isTime(expiresAt)
        ? { kind: 'sessions', userId, sessionIds, expiresAt }
        : undefined
    }
    case 'cutoff': {
      const { notBefore } = record
      return isTime(notBefore) ? { kind: 'cutoff', userId, notBefore } : undefined
    }
    case 'user':
      return { kind: 'user', userId }
    default:
      return undefined
  }
}
