// exp, nbf and iat at the exact edges of the leeway, under a frozen clock (RFC 7519 4.1.4/4.1.5):
// a token is expired iff exp <= now - leeway; nbf and iat are refused iff > now + leeway.
import {
  generateSigningKey,
  KeyRing,
  TokenExpiredError,
  TokenInvalidError,
  TokenIssuer,
  TokenVerifier,
  type VerifyResult,
} from '@tessera/core'
import type { JWTPayload } from 'jose'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { accessClaims, frozenClock, NOW, signWithJose } from './jws-fixtures.js'

const key = generateSigningKey('HS256')
const keyRing = new KeyRing([key])

function outcome(result: VerifyResult): string {
  return result.ok ? 'ok' : result.error.code
}

describe.each([0, 30])('leeway %i, epoch-seconds clock', (leeway) => {
  const clock = frozenClock()
  const verifier = new TokenVerifier({ keyRing, leeway, clock })

  async function verifyAt(now: number, claims: JWTPayload): Promise<string> {
    clock.set(now)
    return outcome(verifier.verify(await signWithJose(key, claims)))
  }

  it('exp: valid until now - leeway < exp, expired from exp <= now - leeway', async () => {
    const claims = accessClaims(NOW - 1000, { exp: NOW })
    expect(await verifyAt(NOW + leeway - 1, claims)).toBe('ok')
    expect(await verifyAt(NOW + leeway, claims)).toBe('token_expired')
    expect(await verifyAt(NOW + leeway + 1, claims)).toBe('token_expired')
    clock.set(NOW + leeway)
    const result = verifier.verify(await signWithJose(key, claims))
    expect(result.ok || result.error).toBeInstanceOf(TokenExpiredError)
  })

  it('exp: sub-second clocks are compared exactly, not rounded', async () => {
    const claims = accessClaims(NOW - 1000, { exp: NOW })
    expect(await verifyAt(NOW + leeway - 0.001, claims)).toBe('ok')
    expect(await verifyAt(NOW + leeway + 0.001, claims)).toBe('token_expired')
    // A fractional NumericDate (RFC 7519 2 allows them) ends at its fraction.
    const fractional = accessClaims(NOW - 1000, { exp: NOW + 0.5 })
    expect(await verifyAt(NOW + leeway + 0.25, fractional)).toBe('ok')
    expect(await verifyAt(NOW + leeway + 0.5, fractional)).toBe('token_expired')
    expect(await verifyAt(NOW + leeway + 0.75, fractional)).toBe('token_expired')
  })

  it('nbf: refused iff nbf > now + leeway', async () => {
    expect(await verifyAt(NOW, accessClaims(NOW, { nbf: NOW + leeway }))).toBe('ok')
    expect(await verifyAt(NOW, accessClaims(NOW, { nbf: NOW + leeway + 1 }))).toBe(
      'token_not_yet_valid',
    )
    expect(await verifyAt(NOW, accessClaims(NOW, { nbf: NOW + leeway + 0.5 }))).toBe(
      'token_not_yet_valid',
    )
    expect(await verifyAt(NOW + 0.5, accessClaims(NOW, { nbf: NOW + leeway + 0.5 }))).toBe('ok')
    expect(await verifyAt(NOW, accessClaims(NOW, { nbf: NOW - 86_400 }))).toBe('ok')
  })

  it('iat: refused iff iat > now + leeway', async () => {
    expect(await verifyAt(NOW, accessClaims(NOW, { iat: NOW + leeway }))).toBe('ok')
    expect(await verifyAt(NOW, accessClaims(NOW, { iat: NOW + leeway + 1 }))).toBe(
      'token_not_yet_valid',
    )
    // A fractional iat earlier in the current second is in the past, not in the future.
    expect(await verifyAt(NOW + 0.5, accessClaims(NOW, { iat: NOW + leeway + 0.25 }))).toBe('ok')
    expect(await verifyAt(NOW + 0.5, accessClaims(NOW, { iat: NOW + leeway + 0.75 }))).toBe(
      'token_not_yet_valid',
    )
  })

  it('exp, nbf and iat all at their edges at once', async () => {
    const claims = accessClaims(NOW, {
      exp: NOW - leeway + 1,
      nbf: NOW + leeway,
      iat: NOW + leeway,
    })
    expect(await verifyAt(NOW, claims)).toBe('ok')
  })

  it('refuses non-numeric or missing dates', async () => {
    expect(await verifyAt(NOW, { ...accessClaims(NOW), exp: undefined })).toBe('token_no_exp')
    for (const exp of [`${NOW + 60}`, true, null, [NOW + 60]]) {
      const claims = accessClaims(NOW, { exp } as unknown as JWTPayload)
      expect(await verifyAt(NOW, claims)).toBe('token_claim_invalid')
    }
    // The verifier files a non-numeric nbf/iat under not-yet-valid (same public body).
    for (const bad of [{ nbf: null }, { nbf: `${NOW}` }, { iat: 'now' }, { iat: {} }]) {
      const claims = accessClaims(NOW, bad as JWTPayload)
      expect(await verifyAt(NOW, claims)).toBe('token_not_yet_valid')
    }
  })
})

describe.each([0, 30])('leeway %i, default clock under vi.useFakeTimers', (leeway) => {
  const issuer = new TokenIssuer({ keyRing })
  const verifier = new TokenVerifier({ keyRing, leeway })
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(NOW * 1000)
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('a token issued now expires exactly lifetime + leeway later', () => {
    const { token, claims } = issuer.issueAccessToken({ id: 1 })
    expect(claims).toMatchObject({ iat: NOW, exp: NOW + 300 })
    vi.setSystemTime((NOW + 300 + leeway) * 1000 - 1)
    expect(outcome(verifier.verify(token, 'access'))).toBe('ok')
    vi.setSystemTime((NOW + 300 + leeway) * 1000)
    expect(outcome(verifier.verify(token, 'access'))).toBe('token_expired')
  })

  it('advancing fake timers expires the token without sleeping', () => {
    const { token } = issuer.issueAccessToken({ id: 1 })
    vi.advanceTimersByTime((299 + leeway) * 1000)
    expect(outcome(verifier.verify(token))).toBe('ok')
    vi.advanceTimersByTime(1000)
    expect(outcome(verifier.verify(token))).toBe('token_expired')
  })

  it('a token from a clock running ahead passes within the leeway only', async () => {
    const ahead = await signWithJose(key, accessClaims(NOW + leeway))
    expect(outcome(verifier.verify(ahead))).toBe('ok')
    const further = await signWithJose(key, accessClaims(NOW + leeway + 1))
    const refused = verifier.verify(further)
    expect(refused.ok || refused.error).toBeInstanceOf(TokenInvalidError)
    expect(outcome(refused)).toBe('token_not_yet_valid')
  })
})

describe.each([0, 30])('leeway %i, sliding refresh via expiryClaim refresh_exp', (leeway) => {
  const clock = frozenClock()
  const issuer = new TokenIssuer({ keyRing, clock })
  const verifier = new TokenVerifier({ keyRing, leeway, clock })
  beforeEach(() => clock.set(NOW))

  it('is accepted after exp has passed and until refresh_exp (+ leeway)', () => {
    const sliding = issuer.issueSlidingToken({ id: 1 })
    const refreshExp = NOW + 86_400
    expect(sliding.claims.refresh_exp).toBe(refreshExp)

    clock.set(NOW + 300 + leeway)
    expect(outcome(verifier.verify(sliding.token, 'sliding'))).toBe('token_expired')
    expect(outcome(verifier.verify(sliding.token, 'sliding', 'refresh_exp'))).toBe('ok')

    clock.set(refreshExp + leeway - 1)
    const verified = verifier.verify(sliding.token, 'sliding', 'refresh_exp')
    expect(outcome(verified)).toBe('ok')
    if (!verified.ok) return
    const renewed = issuer.refreshSlidingToken(verified.token)
    // The renewed token's exp is capped by nothing but its lifetime; its refresh_exp is kept.
    expect(renewed.claims.refresh_exp).toBe(refreshExp)
    expect(outcome(verifier.verify(renewed.token, 'sliding'))).toBe('ok')

    clock.set(refreshExp + leeway)
    expect(outcome(verifier.verify(sliding.token, 'sliding', 'refresh_exp'))).toBe('token_expired')
  })

  it('still needs a valid exp, and a numeric refresh claim', async () => {
    const noExp = await signWithJose(key, {
      ...accessClaims(NOW, { token_type: 'sliding', refresh_exp: NOW + 100 }),
      exp: undefined,
    })
    expect(outcome(verifier.verify(noExp, 'sliding', 'refresh_exp'))).toBe('token_no_exp')
    const noRefreshExp = await signWithJose(key, accessClaims(NOW, { token_type: 'sliding' }))
    expect(outcome(verifier.verify(noRefreshExp, 'sliding', 'refresh_exp'))).toBe(
      'token_claim_invalid',
    )
  })

  it('an access token cannot be refreshed this way', () => {
    const { token } = issuer.issueAccessToken({ id: 1 })
    clock.set(NOW + 301 + leeway)
    expect(outcome(verifier.verify(token, 'sliding', 'refresh_exp'))).toBe('token_claim_invalid')
  })
})
