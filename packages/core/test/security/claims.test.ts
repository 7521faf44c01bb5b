import { type TokenType, TokenVerifier } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import {
  b64url,
  createFixture,
  expectRejected,
  expectVerifies,
  type Fixture,
  headerFor,
  jsonSegment,
  keepGenuineWorking,
  NOW,
  RING_ALGS,
  signWithKey,
  tokenClaims,
  without,
} from './forge.js'

// `mfa` tokens carry a user from the password step to the code step of a login and are no
// credential anywhere else.
const KINDS: TokenType[] = ['access', 'refresh', 'sliding', 'mfa']

// RFC 9700 / simplejwt: each kind is accepted only where it is due. A refresh token is a
// long-lived credential and must never pass as an access token, nor the reverse.
describe.each(RING_ALGS)('token kind confusion (%s ring)', (alg) => {
  const fixture: Fixture = createFixture(alg)
  keepGenuineWorking(() => fixture)
  const issued: Record<TokenType, string> = {
    access: fixture.pair.access.token,
    refresh: fixture.pair.refresh.token,
    sliding: fixture.issuer.issueSlidingToken({ id: 42 }).token,
    mfa: fixture.issuer.issueMfaToken({ id: 42 }).token,
  }

  const crossed = KINDS.flatMap((kind) =>
    KINDS.filter((other) => other !== kind).map((expected) => [kind, expected] as const),
  )
  it.each(crossed)('a genuine %s token used as %s is the wrong type', (kind, expected) => {
    expectRejected(fixture.verifier, issued[kind], 'token_wrong_type', expected)
  })

  it.each(KINDS)('a genuine %s token verifies as itself', (kind) => {
    expect(expectVerifies(fixture.verifier, issued[kind], kind).type).toBe(kind)
  })

  it.each([
    'Access',
    'ACCESS',
    'access ',
    ' access',
    'access\u0000',
    'acce\u017fs',
    '',
    'id',
    'refresh',
    'sliding',
    'mfa',
    'access,refresh',
  ])('token_type %j, validly signed, is the wrong type for an access token', (type) => {
    const token = fixture.sign(headerFor(fixture.key), tokenClaims({ token_type: type }))
    expectRejected(fixture.verifier, token, 'token_wrong_type', 'access')
  })

  it.each([
    ['an array', ['access']],
    ['an object', { type: 'access' }],
    ['a number', 1],
    ['true', true],
    ['null', null],
  ])('token_type as %s is an invalid claim', (_case, type) => {
    const token = fixture.sign(headerFor(fixture.key), tokenClaims({ token_type: type }))
    expectRejected(fixture.verifier, token, 'token_claim_invalid', 'access')
    expectRejected(fixture.verifier, token, 'token_claim_invalid')
  })

  it('a token without token_type has no type, whatever kind is expected', () => {
    const token = fixture.sign(headerFor(fixture.key), without(tokenClaims(), 'token_type'))
    for (const kind of [...KINDS, undefined]) {
      expectRejected(fixture.verifier, token, 'token_no_type', kind)
    }
  })
})

const ISS = 'https://auth.example.com'
const AUD = 'api.example.com'

// RFC 7519 4.1.1 / 4.1.3, RFC 8725 3.8-3.9: exact string comparison, no normalisation, no
// prefix, suffix or substring match, and for aud only a flat array of strings holding it.
describe.each(RING_ALGS)('aud/iss mismatch, prefix and array tricks (%s ring)', (alg) => {
  const fixture: Fixture = createFixture(alg, {
    verifier: { issuer: ISS, audience: AUD },
    issuer: { issuer: ISS, audience: AUD },
  })
  keepGenuineWorking(() => fixture)
  const signed = (claims: Record<string, unknown>): string =>
    fixture.sign(headerFor(fixture.key), claims)

  it.each([
    ['a prefix of it', 'https://auth.example.co'],
    ['a shorter prefix', 'https://auth.example'],
    ['it with a suffix domain', 'https://auth.example.com.evil.net'],
    ['it with a trailing slash', 'https://auth.example.com/'],
    ['it with a port', 'https://auth.example.com:443'],
    ['it with a fragment', 'https://auth.example.com#'],
    ['it inside another URL', 'https://evil.net/https://auth.example.com'],
    ['its host only (a substring)', 'auth.example.com'],
    ['its host in capitals', 'https://AUTH.example.com'],
    ['its scheme in capitals', 'HTTPS://auth.example.com'],
    ['a leading space', ` ${ISS}`],
    ['a trailing NUL', `${ISS}\u0000`],
    ['the empty string', ''],
    ['an array holding it', [ISS]],
    ['a nested array holding it', [[ISS]]],
    ['an object holding it', { iss: ISS }],
    ['null', null],
    ['a number', 1],
  ])('iss as %s is an invalid claim', (_case, iss) => {
    expectRejected(
      fixture.verifier,
      signed(tokenClaims({ iss, aud: AUD })),
      'token_claim_invalid',
      'access',
    )
  })

  it('a missing iss is an invalid claim when an issuer is configured', () => {
    expectRejected(fixture.verifier, signed(tokenClaims({ aud: AUD })), 'token_claim_invalid')
  })

  it.each([
    ['a prefix of it', 'api.example.co'],
    ['a shorter prefix', 'api'],
    ['it with a suffix domain', 'api.example.com.evil.net'],
    ['it under another name', 'evil-api.example.com'],
    ['it with a trailing dot', 'api.example.com.'],
    ['it in capitals', 'API.EXAMPLE.COM'],
    ['a leading space', ` ${AUD}`],
    ['a trailing NUL', `${AUD}\u0000`],
    ['it comma-joined with another', `${AUD},other`],
    ['the empty string', ''],
    ['an empty array', []],
    ['an array with only a prefix of it', ['api.example']],
    ['an array with it plus a suffix', [`${AUD}x`]],
    ['a nested array holding it', [[AUD]]],
    ['an array of it and a nested copy', [AUD, [AUD]]],
    ['an array of a number and it', [1, AUD]],
    ['an array of it and null', [AUD, null]],
    ['an array of it and an object', [AUD, {}]],
    ['an object holding it', { aud: AUD }],
    ['an array-like object', { 0: AUD, length: 1 }],
    ['null', null],
    ['true', true],
    ['a number', 1],
  ])('aud as %s is an invalid claim', (_case, aud) => {
    expectRejected(
      fixture.verifier,
      signed(tokenClaims({ iss: ISS, aud })),
      'token_claim_invalid',
      'access',
    )
  })

  it('a missing aud is an invalid claim when an audience is configured', () => {
    expectRejected(fixture.verifier, signed(tokenClaims({ iss: ISS })), 'token_claim_invalid')
  })

  it('an escaped spelling of the right values is the same value (JSON semantics)', () => {
    const payload = `${JSON.stringify(tokenClaims()).slice(0, -1)},"iss":"https:\\/\\/auth.example.com","aud":"api\\u002eexample.com"}`
    expectVerifies(
      fixture.verifier,
      signWithKey(fixture.key, jsonSegment(headerFor(fixture.key)), b64url(payload)),
    )
  })

  it('aud as a flat array of strings holding it verifies', () => {
    expectVerifies(
      fixture.verifier,
      signed(tokenClaims({ iss: ISS, aud: ['other.example.com', AUD] })),
    )
  })

  describe('with no audience configured', () => {
    const open: Fixture = createFixture(alg)
    keepGenuineWorking(() => open)

    it.each([
      ['a string', AUD],
      ['an array', [AUD]],
      ['an empty array', []],
      ['the empty string', ''],
      ['null', null],
    ])('aud present as %s is an invalid claim', (_case, aud) => {
      const token = open.sign(headerFor(open.key), tokenClaims({ aud }))
      expectRejected(open.verifier, token, 'token_claim_invalid', 'access')
    })
  })
})

// RFC 7519 4.1.4-4.1.6 with a clock skew allowance (security.md): expired iff exp <= now - leeway;
// nbf and iat refused iff > now + leeway. Every edge at, and one second beyond.
describe.each(RING_ALGS.flatMap((alg) => [0, 30].map((leeway) => [alg, leeway] as const)))(
  'exp/nbf/iat at and beyond the leeway edges (%s ring, leeway %i)',
  (alg, leeway) => {
    const fixture: Fixture = createFixture(alg, { verifier: { leeway } })
    keepGenuineWorking(() => fixture)
    const signed = (claims: Record<string, unknown>): string =>
      fixture.sign(headerFor(fixture.key), claims)

    it.each([
      ['exactly at now - leeway', NOW - leeway],
      ['one second beyond', NOW - leeway - 1],
      ['half a second beyond', NOW - leeway - 0.5],
      ['long ago', NOW - 86400],
      ['zero', 0],
      ['negative', -1],
    ])('exp %s is expired', (_case, exp) => {
      expectRejected(fixture.verifier, signed(tokenClaims({ exp })), 'token_expired', 'access')
    })

    it.each([
      ['one second inside', NOW - leeway + 1],
      ['half a second inside', NOW - leeway + 0.5],
    ])('exp %s the edge verifies', (_case, exp) => {
      expectVerifies(fixture.verifier, signed(tokenClaims({ exp, iat: NOW - 600 })), 'access')
    })

    it.each(['nbf', 'iat'])('%s exactly at now + leeway verifies', (claim) => {
      expectVerifies(fixture.verifier, signed(tokenClaims({ [claim]: NOW + leeway })), 'access')
    })

    it.each([
      ['nbf', 1],
      ['nbf', 0.5],
      ['nbf', 3600],
      ['iat', 1],
      ['iat', 0.5],
      ['iat', 3600],
    ])('%s %s s beyond now + leeway is not yet valid', (claim, beyond) => {
      const token = signed(tokenClaims({ [claim]: NOW + leeway + beyond }))
      expectRejected(fixture.verifier, token, 'token_not_yet_valid', 'access')
    })

    it('a genuine access token lives exactly its lifetime plus the leeway', () => {
      let now = NOW
      const verifier = new TokenVerifier({ keyRing: fixture.ring, leeway, clock: () => now })
      const { token, exp } = fixture.pair.access
      now = exp + leeway - 1
      expectVerifies(verifier, token, 'access')
      now = exp + leeway
      expectRejected(verifier, token, 'token_expired', 'access')
    })

    it('a token without exp has no exp', () => {
      expectRejected(
        fixture.verifier,
        signed(without(tokenClaims(), 'exp')),
        'token_no_exp',
        'access',
      )
    })

    it.each([
      ['a numeric string', String(NOW + 300)],
      ['a date string', '2030-01-01T00:00:00Z'],
      ['null', null],
      ['true', true],
      ['an array', [NOW + 300]],
      ['an object', { value: NOW + 300 }],
      ['the empty string', ''],
    ])('exp as %s is an invalid claim', (_case, exp) => {
      expectRejected(
        fixture.verifier,
        signed(tokenClaims({ exp })),
        'token_claim_invalid',
        'access',
      )
    })

    it('exp overflowing to Infinity (1e999) is an invalid claim', () => {
      const payload = `${JSON.stringify(without(tokenClaims(), 'exp')).slice(0, -1)},"exp":1e999}`
      const token = signWithKey(fixture.key, jsonSegment(headerFor(fixture.key)), b64url(payload))
      expectRejected(fixture.verifier, token, 'token_claim_invalid', 'access')
    })

    it.each([
      ['nbf', String(NOW)],
      ['nbf', null],
      ['nbf', [NOW]],
      ['iat', String(NOW)],
      ['iat', null],
      ['iat', true],
    ])('%s as a non-number (%j) is refused', (claim, value) => {
      const token = signed(tokenClaims({ [claim]: value }))
      expectRejected(fixture.verifier, token, 'token_not_yet_valid', 'access')
    })
  },
)
