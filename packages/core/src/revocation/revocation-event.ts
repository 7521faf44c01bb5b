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
    case 'cutoff':
      return JSON.stringify({ kind: 'cutoff', userId: event.userId, notBefore: event.notBefore })
    case 'keys':
      return JSON.stringify({ kind: 'keys' })
  }
}

/** Longest jti or user id a bus accepts: anything longer is not ours. */
const MAX_ID_LENGTH = 256

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH
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
  if (!isId(record.userId)) return undefined
  if (record.kind === 'access') {
    const { jti, expiresAt } = record
    if (!isId(jti) || typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return undefined
    return { kind: 'access', jti, userId: record.userId, expiresAt }
  }
  if (record.kind === 'cutoff') {
    const { notBefore } = record
    if (typeof notBefore !== 'number' || !Number.isFinite(notBefore)) return undefined
    return { kind: 'cutoff', userId: record.userId, notBefore }
  }
  return undefined
}
