import {
  type RevocationCheck,
  RevocationUnavailableError,
  RevocationView,
  TokenVerifier,
  type VerifiedToken,
} from '@tessera/core'
import { afterEach, describe, expect, it } from 'vitest'
import {
  clock,
  createFixture,
  expectRejected,
  expectVerifies,
  type Fixture,
  headerFor,
  jsonSegment,
  NOW,
  RING_ALGS,
  segmentsOf,
  tokenClaims,
  without,
} from './forge.js'

// security.md: logout revokes the presented token "on every instance". Here, at the verifier
// level, several TokenVerifier instances share one revocation view (as each process of a
// deployment shares one store): a jti revoked through one is refused by all of them.
// The multi-process version (several workers over a real store, revocations surviving a
// restart) lands with the multi-instance revocation issue.
describe.each(RING_ALGS)('a logged-out token on every instance (%s ring)', (alg) => {
  const revokedJtis = new Set<string>()
  // logout-everywhere: tokens of the user issued at or before the cutoff are refused.
  const userCutoffs = new Map<string, number>()
  let asked = 0
  const revocation: RevocationCheck = {
    isRevoked: (token: VerifiedToken) => {
      asked++
      if (revokedJtis.has(token.jti)) return true
      const cutoff = token.userId === undefined ? undefined : userCutoffs.get(token.userId)
      return cutoff !== undefined && (token.iat ?? 0) <= cutoff
    },
  }
  const fixture: Fixture = createFixture(alg, { verifier: { revocation } })
  const instances = [
    fixture.verifier,
    new TokenVerifier({ keyRing: fixture.ring, clock, revocation }),
    new TokenVerifier({ keyRing: fixture.ring, clock, revocation, leeway: 30 }),
  ]

  afterEach(() => {
    // The session that did not log out keeps working on every instance.
    for (const verifier of instances) {
      expectVerifies(verifier, fixture.pair.access.token, 'access')
      expectVerifies(verifier, fixture.pair.refresh.token, 'refresh')
    }
  })

  it('an access token revoked through one instance is refused by every instance', () => {
    const { token, jti } = fixture.issuer.issueAccessToken({ id: 42 })
    for (const verifier of instances) expectVerifies(verifier, token, 'access')
    revokedJtis.add(jti)
    for (const verifier of instances) {
      expectRejected(verifier, token, 'token_revoked', 'access')
      expectRejected(verifier, token, 'token_revoked')
    }
  })

  it('a logged-out session (refresh and access) is refused by every instance', () => {
    const { access, refresh } = fixture.issuer.issueTokenPair({ id: 42 })
    revokedJtis.add(refresh.jti)
    revokedJtis.add(access.jti)
    for (const verifier of instances) {
      expectRejected(verifier, refresh.token, 'token_revoked', 'refresh')
      expectRejected(verifier, access.token, 'token_revoked', 'access')
    }
  })

  it('an instance started after the logout refuses the token too', () => {
    const { token, jti } = fixture.issuer.issueAccessToken({ id: 42 })
    revokedJtis.add(jti)
    const late = new TokenVerifier({ keyRing: fixture.ring, clock, revocation })
    expectRejected(late, token, 'token_revoked', 'access')
  })

  it('logout-everywhere refuses every earlier token of the user on every instance', () => {
    const header = headerFor(fixture.key)
    const access = fixture.sign(header, tokenClaims({ user_id: '7', iat: NOW - 60 }))
    const refresh = fixture.sign(header, tokenClaims({ user_id: '7', iat: NOW - 60 }, 'refresh'))
    userCutoffs.set('7', NOW - 30)
    for (const verifier of instances) {
      expectRejected(verifier, access, 'token_revoked', 'access')
      expectRejected(verifier, refresh, 'token_revoked', 'refresh')
    }
    // A login after the cutoff works everywhere.
    const after = fixture.issuer.issueTokenPair({ id: 7 })
    for (const verifier of instances) expectVerifies(verifier, after.access.token, 'access')
  })

  it('the revocation view is asked last: never for a forged token', () => {
    const [h, , s] = segmentsOf(fixture.pair.access.token)
    const forged = `${h}.${jsonSegment(tokenClaims({ user_id: '1' }))}.${s}`
    const before = asked
    for (const verifier of instances) expectRejected(verifier, forged, 'token_signature_invalid')
    expect(asked).toBe(before)
  })

  // A token without an id could never be logged out: refuse it.
  it('a token without a jti has no id', () => {
    const token = fixture.sign(headerFor(fixture.key), without(tokenClaims(), 'jti'))
    for (const verifier of instances) {
      expectRejected(verifier, token, 'token_no_id', 'access')
      expectRejected(verifier, token, 'token_no_id')
    }
  })

  it.each([
    ['the empty string', ''],
    ['a number', 1],
    ['null', null],
    ['an array', ['a']],
    ['an object', { id: 'a' }],
    ['129 characters', 'a'.repeat(129)],
  ])('a jti of %s is an invalid claim', (_case, jti) => {
    const token = fixture.sign(headerFor(fixture.key), tokenClaims({ jti }))
    expectRejected(fixture.verifier, token, 'token_claim_invalid', 'access')
  })

  it('a jti of 128 characters verifies', () => {
    const token = fixture.sign(headerFor(fixture.key), tokenClaims({ jti: 'a'.repeat(128) }))
    expectVerifies(fixture.verifier, token, 'access')
  })
})

describe.each(RING_ALGS)('a view that cannot vouch for itself (%s ring)', (alg) => {
  it('refuses access tokens with a retryable 503, never a 401 that would log clients out', () => {
    const view = new RevocationView({ clock })
    const fixture = createFixture(alg, { verifier: { revocation: view } })
    const access = fixture.pair.access.token
    // Never loaded: fail closed.
    const result = fixture.verifier.verify(access, 'access')
    if (result.ok) return expect.fail('accepted by a view that loaded nothing')
    expect(result.error).toBeInstanceOf(RevocationUnavailableError)
    expect(result.error.code).toBe('service_unavailable')
    const error = result.error as RevocationUnavailableError
    expect(error.retryAfterSeconds).toBe(1)
    // The genuine token travels with the error, so logout can still revoke it.
    expect(error.token.jti).toBe(fixture.pair.access.jti)
    view.markSure()
    expectVerifies(fixture.verifier, access, 'access')
    // The bus goes down: with the default grace of 0, refused at once.
    view.markUnsure(NOW - 0.001)
    const down = fixture.verifier.verify(access, 'access')
    expect(down.ok === false && down.error.code).toBe('service_unavailable')
    view.markSure()
    expectVerifies(fixture.verifier, access, 'access')
  })

  it('keeps verifying refresh tokens, whose every use is checked against the store', () => {
    const view = new RevocationView({ clock })
    const fixture = createFixture(alg, { verifier: { revocation: view } })
    expectVerifies(fixture.verifier, fixture.pair.refresh.token, 'refresh')
    view.apply({
      kind: 'cutoff',
      userId: String(fixture.pair.refresh.claims.user_id),
      notBefore: NOW,
    })
    expectRejected(fixture.verifier, fixture.pair.refresh.token, 'token_revoked', 'refresh')
  })
})
