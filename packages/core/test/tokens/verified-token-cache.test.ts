import {
  generateSigningKey,
  KeyRing,
  type RevocationCheck,
  TokenIssuer,
  TokenVerifier,
  type VerifiedToken,
  type VerifyResult,
} from '@tessera/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { VerifiedTokenCache } from '../../src/tokens/verified-token-cache.js'

// The verified-token cache must never change an answer: only save the work. Every test compares
// a verifier with the cache against the same verifier without it, or pins one re-check.

const T0 = 1_700_000_000

function setup(options: { leeway?: number } = {}) {
  let now = T0
  const clock = () => now
  const current = generateSigningKey('HS256', { kid: 'k-current' })
  const retiring = generateSigningKey('HS256', {
    kid: 'k-retired',
    status: 'retired',
    verifyUntil: T0 + 120,
  })
  const ring = new KeyRing([current, retiring])
  const revoked = new Set<string>()
  const revocation: RevocationCheck = { isRevoked: (token) => revoked.has(token.jti) }
  const base = { keyRing: ring, clock, revocation, leeway: options.leeway ?? 0 }
  const cached = new TokenVerifier(base)
  const uncached = new TokenVerifier({ ...base, cacheSize: 0 })
  const issuer = new TokenIssuer({ keyRing: ring, clock })
  const retiredIssuer = new TokenIssuer({
    keyRing: new KeyRing([{ ...retiring, status: 'current' }]),
    clock,
  })
  return {
    clock,
    set: (seconds: number) => {
      now = seconds
    },
    ring,
    revoked,
    cached,
    uncached,
    issuer,
    retiredIssuer,
  }
}

/** A result reduced to what callers see: the token, or the error class and code. */
function outcome(result: VerifyResult) {
  return result.ok
    ? { ok: true, jti: result.token.jti, type: result.token.type }
    : { ok: false, error: result.error.constructor.name, code: result.error.code }
}

describe('TokenVerifier with its verified-token cache', () => {
  it('refuses a cached token once it expires', () => {
    const { cached, issuer, set } = setup()
    const { token } = issuer.issueAccessToken({ id: 7 })
    expect(cached.verify(token, 'access').ok).toBe(true)
    expect(cached.verify(token, 'access').ok).toBe(true)
    set(T0 + 300)
    expect(outcome(cached.verify(token, 'access'))).toMatchObject({ code: 'token_expired' })
  })

  it('honours leeway on a cached token exactly as the full path does', () => {
    const { cached, uncached, issuer, set } = setup({ leeway: 30 })
    const { token } = issuer.issueAccessToken({ id: 7 })
    cached.verify(token, 'access')
    for (const t of [T0 + 329, T0 + 329.999, T0 + 330, T0 + 331]) {
      set(t)
      expect(outcome(cached.verify(token, 'access'))).toEqual(
        outcome(uncached.verify(token, 'access')),
      )
    }
  })

  it('asks revocation on every hit', () => {
    const { cached, issuer, revoked } = setup()
    const issued = issuer.issueAccessToken({ id: 7 })
    expect(cached.verify(issued.token, 'access').ok).toBe(true)
    revoked.add(issued.jti)
    expect(outcome(cached.verify(issued.token, 'access'))).toMatchObject({ code: 'token_revoked' })
  })

  it('re-checks the type on a hit', () => {
    const { cached, issuer } = setup()
    const { token } = issuer.issueAccessToken({ id: 7 })
    expect(cached.verify(token, 'access').ok).toBe(true)
    expect(outcome(cached.verify(token, 'refresh'))).toMatchObject({ code: 'token_wrong_type' })
    expect(cached.verify(token).ok).toBe(true)
  })

  it("stops a retired key's tokens when its verify window closes", () => {
    const { cached, retiredIssuer, set } = setup()
    const { token } = retiredIssuer.issueAccessToken({ id: 7 })
    expect(cached.verify(token, 'access').ok).toBe(true)
    set(T0 + 121)
    expect(outcome(cached.verify(token, 'access'))).toMatchObject({ code: 'token_key_unknown' })
  })

  it('forgets everything when the key ring is replaced', () => {
    const { cached, issuer } = setup()
    const { token } = issuer.issueAccessToken({ id: 7 })
    expect(cached.verify(token, 'access').ok).toBe(true)
    cached.useKeyRing(new KeyRing([generateSigningKey('HS256', { kid: 'k-other' })]))
    expect(outcome(cached.verify(token, 'access'))).toMatchObject({ code: 'token_key_unknown' })
  })

  it('hands out frozen tokens: one request cannot alter what the next one sees', () => {
    const { cached, issuer } = setup()
    const { token } = issuer.issueAccessToken({ id: 7 })
    cached.verify(token, 'access')
    const hit = cached.verify(token, 'access') as { ok: true; token: VerifiedToken }
    expect(Object.isFrozen(hit.token)).toBe(true)
    expect(Object.isFrozen(hit.token.claims)).toBe(true)
    expect(() => {
      ;(hit.token.claims as Record<string, unknown>).user_id = 1
    }).toThrow(TypeError)
  })

  it('answers like the uncached verifier for any sequence of tokens, times, types and revocations', () => {
    const { cached, uncached, issuer, retiredIssuer, set, revoked, ring } = setup({ leeway: 5 })
    const tokens = [
      issuer.issueAccessToken({ id: 1 }),
      issuer.issueRefreshToken({ id: 2 }),
      issuer.issueSlidingToken({ id: 3 }),
      retiredIssuer.issueAccessToken({ id: 4 }),
    ]
    // A token whose nbf/iat lies ahead: refused until then, and never cached before.
    set(T0 + 60)
    tokens.push(issuer.issueAccessToken({ id: 5 }))
    set(T0)
    const step = fc.record({
      token: fc.nat(tokens.length - 1),
      at: fc.integer({ min: -10, max: 90_000 }),
      type: fc.constantFrom(undefined, 'access', 'refresh', 'sliding'),
      revoke: fc.boolean(),
    })
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        revoked.clear()
        cached.useKeyRing(ring)
        for (const { token, at, type, revoke } of steps) {
          const issued = tokens[token] as (typeof tokens)[number]
          set(T0 + at / 10)
          if (revoke) revoked.add(issued.jti)
          const expected = outcome(uncached.verify(issued.token, type as never))
          expect(outcome(cached.verify(issued.token, type as never))).toEqual(expected)
        }
      }),
      { numRuns: 300 },
    )
  })
})

/** A verified token as the verifier would store it. */
function verifiedToken(jti: string): VerifiedToken {
  return {
    type: 'access',
    jti,
    userId: '1',
    sessionId: undefined,
    exp: T0,
    iat: T0,
    kid: 'k',
    claims: {},
  }
}

describe('VerifiedTokenCache', () => {
  it('keeps at most maxEntries, dropping the oldest first', () => {
    const cache = new VerifiedTokenCache(2)
    const entry = (jti: string) => ({
      headerKid: undefined,
      key: {} as never,
      notBefore: Number.NEGATIVE_INFINITY,
      token: verifiedToken(jti),
    })
    cache.set('a', entry('a'))
    cache.set('b', entry('b'))
    cache.set('c', entry('c'))
    expect(cache.size).toBe(2)
    expect(cache.get('a')).toBeUndefined()
    expect(cache.get('b')?.token.jti).toBe('b')
    expect(cache.get('c')?.token.jti).toBe('c')
    expect(() => new VerifiedTokenCache(0)).toThrow(TypeError)
  })

  it('finds a token only by its exact text, even when another ends with the same signature', () => {
    const cache = new VerifiedTokenCache(10)
    const signature = 's'.repeat(43)
    // Same length and signature: the same map key, so only the text comparison tells them apart.
    const genuine = `header.payload-genuine.${signature}`
    const forged = `header.payload-forgery.${signature}`
    expect(forged.length).toBe(genuine.length)
    cache.set(genuine, {
      headerKid: undefined,
      key: {} as never,
      notBefore: Number.NEGATIVE_INFINITY,
      token: verifiedToken('g'),
    })
    expect(cache.get(forged)).toBeUndefined()
    // Deleting the forged text leaves the genuine entry alone.
    cache.delete(forged)
    expect(cache.get(genuine)?.token.jti).toBe('g')
    cache.delete(genuine)
    expect(cache.get(genuine)).toBeUndefined()
  })
})

describe('VerifiedTokenCache keys', () => {
  it("a token sharing another one's key replaces it, and neither is ever served for the other", () => {
    const cache = new VerifiedTokenCache(10)
    const entry = (jti: string) => ({
      headerKid: undefined,
      key: {} as never,
      notBefore: Number.NEGATIVE_INFINITY,
      token: verifiedToken(jti),
    })
    const first = 'h.first-payload.signature-tail'
    const second = 'h.other-payload.signature-tail'
    cache.set(first, entry('first'))
    cache.set(second, entry('second'))
    expect(cache.size).toBe(1)
    expect(cache.get(first)).toBeUndefined()
    expect(cache.get(second)?.token.jti).toBe('second')
    // A token taken from a header is a slice of it; a hit needs only equal text.
    const header = `Bearer ${second}`
    expect(cache.get(header.slice(7))?.token.jti).toBe('second')
  })
})

describe('TokenVerifier cache and a forged token reusing a genuine signature', () => {
  it('refuses the forgery and keeps serving the genuine token from the cache', () => {
    const { cached, issuer } = setup()
    const genuine = issuer.issueTokenPair({ id: 1 }).access.token
    expect(cached.verify(genuine, 'access').ok).toBe(true)
    const [header, payload, signature] = genuine.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, user_id: '2' })).toString(
      'base64url',
    )
    const forged = `${header}.${forgedPayload}.${signature}`
    const refused = cached.verify(forged, 'access')
    expect(refused.ok ? 'accepted' : refused.error.code).toBe('token_signature_invalid')
    const again = cached.verify(genuine, 'access')
    expect(again.ok && again.token.userId).toBe('1')
  })
})
