// The wire layout of the tokens Tessera mints (api-contract.md, "Tokens"), read from the decoded
// JSON text itself so that member order is what is checked, not a re-serialization.
import {
  createTokenEngine,
  generateSigningKey,
  type IssuedToken,
  KeyRing,
  loadSettings,
  type SettingsInput,
  TokenIssuer,
  TokenVerifier,
} from '@tessera/core'
import { beforeEach, describe, expect, it } from 'vitest'
import { frozenClock, NOW, segmentText } from './jws-fixtures.js'

const JTI = /^[0-9a-f]{32}$/
const SECRET = 'layout-test-signing-key-with-more-than-32-bytes-0123456789'

function keysOf(token: string, segment: 0 | 1): string[] {
  return Object.keys(JSON.parse(segmentText(token, segment)))
}

function settings(overrides: SettingsInput = {}) {
  return loadSettings({
    overrides: { SIGNING_KEY: SECRET, ...overrides },
    env: {},
    configFile: false,
  })
}

describe('header', () => {
  it.each(['HS256', 'ES256', 'EdDSA', 'RS256'] as const)(
    '%s: {"alg","typ":"JWT","kid"} in that order',
    (alg) => {
      const ring = new KeyRing([generateSigningKey(alg)])
      const { token } = new TokenIssuer({ keyRing: ring }).issueAccessToken({ id: 1 })
      expect(segmentText(token, 0)).toBe(`{"alg":"${alg}","typ":"JWT","kid":"${ring.current.kid}"}`)
    },
  )
})

describe('claims', () => {
  const clock = frozenClock()
  const ring = new KeyRing([generateSigningKey('HS256')])
  const issuer = new TokenIssuer<{ id: number | string }>({
    keyRing: ring,
    clock,
    issuer: 'https://auth.example.test',
    audience: 'api',
    customClaims: () => ({ role: 'staff', tenant: { id: 3 } }),
  })

  it.each([
    ['refresh', () => issuer.issueRefreshToken({ id: 5 })],
    ['access', () => issuer.issueAccessToken({ id: 5 })],
    ['access from refresh', () => issuer.issueTokenPair({ id: 5 }).access],
  ] as const)('%s: token_type, exp, iat, jti, user_id, sub, iss, aud, custom', (_kind, mint) => {
    const issued: IssuedToken = mint()
    const order = [
      'token_type',
      'exp',
      'iat',
      'jti',
      'user_id',
      'sub',
      'iss',
      'aud',
      'role',
      'tenant',
    ]
    expect(keysOf(issued.token, 1)).toStrictEqual(order)
    expect(Object.keys(issued.claims)).toStrictEqual(order)
    expect(JSON.parse(segmentText(issued.token, 1))).toStrictEqual(issued.claims)
  })

  it('without iss/aud/custom claims: exactly token_type, exp, iat, jti, user_id, sub', () => {
    const plain = new TokenIssuer({ keyRing: ring, clock }).issueAccessToken({ id: 5 })
    expect(JSON.parse(segmentText(plain.token, 1))).toStrictEqual({
      token_type: 'access',
      exp: NOW + 300,
      iat: NOW,
      jti: plain.jti,
      user_id: 5,
      sub: '5',
    })
  })

  it("user_id keeps simplejwt's type: a number for integer ids, else the string; sub is a string", () => {
    for (const id of [42, '42', 0, '9007199254740991']) {
      const { claims } = issuer.issueAccessToken({ id })
      expect(claims.user_id).toBe(Number(id))
      expect(claims.sub).toBe(String(id))
    }
    // Not an integer simplejwt would have written: negative, zero-padded, unsafe, UUIDs.
    for (const id of [
      -3,
      'abc',
      '00123',
      '9007199254740993',
      '550e8400-e29b-41d4-a716-446655440000',
    ]) {
      const { claims } = issuer.issueAccessToken({ id })
      expect(claims.user_id).toBe(String(id))
      expect(claims.sub).toBe(String(id))
    }
  })

  it('exp and iat are integer seconds even under a fractional clock', () => {
    clock.set(NOW + 0.75)
    const { claims } = issuer.issueAccessToken({ id: 1 })
    clock.set(NOW)
    expect(claims.iat).toBe(NOW)
    expect(claims.exp).toBe(NOW + 300)
  })

  it('jti is 32 lowercase hex and unique over 10k tokens', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 10_000; i++) {
      const { jti, claims } = issuer.issueAccessToken({ id: i })
      expect(jti).toMatch(JTI)
      expect(claims.jti).toBe(jti)
      seen.add(jti)
    }
    expect(seen.size).toBe(10_000)
  })
})

describe('access token derived from a refresh token', () => {
  const clock = frozenClock()
  const ring = new KeyRing([generateSigningKey('ES256')])
  const issuer = new TokenIssuer<{ id: number }>({
    keyRing: ring,
    clock,
    issuer: 'https://auth.example.test',
    audience: 'api',
    customClaims: (_user, type) => ({ minted_as: type, perms: ['a', 'b'] }),
  })
  const verifier = new TokenVerifier({
    keyRing: ring,
    clock,
    issuer: 'https://auth.example.test',
    audience: 'api',
  })
  beforeEach(() => clock.set(NOW))

  it('copies every claim but token_type/exp/iat/jti, with fresh ones, from verified claims', () => {
    const refresh = issuer.issueRefreshToken({ id: 9 })
    clock.set(NOW + 600)
    const verified = verifier.verify(refresh.token, 'refresh')
    if (!verified.ok) throw verified.error
    const access = issuer.accessTokenFromRefresh(verified.token.claims)
    const { token_type, exp, iat, jti, ...copied } = access.claims
    const { token_type: _t, exp: _e, iat: _i, jti: _j, ...original } = refresh.claims
    // Custom claims come from the refresh token, not a new call of the hook.
    expect(copied).toStrictEqual(original)
    expect(original.minted_as).toBe('refresh')
    expect({ token_type, exp, iat }).toStrictEqual({
      token_type: 'access',
      exp: NOW + 600 + 300,
      iat: NOW + 600,
    })
    expect(jti).toMatch(JTI)
    expect(jti).not.toBe(refresh.jti)
    expect(keysOf(access.token, 1)).toStrictEqual(Object.keys(access.claims))
    expect(verifier.verify(access.token, 'access').ok).toBe(true)
  })

  it('carries claims it does not know about (a refresh token from an older release)', () => {
    const access = issuer.accessTokenFromRefresh({
      token_type: 'refresh',
      exp: NOW + 10,
      iat: NOW - 10,
      jti: 'f'.repeat(32),
      user_id: 3,
      legacy: 'kept',
    })
    expect(access.claims).toStrictEqual({
      token_type: 'access',
      exp: NOW + 300,
      iat: NOW,
      jti: access.jti,
      user_id: 3,
      legacy: 'kept',
    })
  })

  it('issueTokenPair derives the access token from its refresh token', () => {
    const { refresh, access } = issuer.issueTokenPair({ id: 4 })
    expect(access.claims.minted_as).toBe('refresh')
    expect(access.claims.user_id).toBe(refresh.claims.user_id)
    expect(access.jti).not.toBe(refresh.jti)
    expect(refresh.exp - NOW).toBe(86_400)
    expect(access.exp - NOW).toBe(300)
  })
})

describe('sliding tokens', () => {
  const clock = frozenClock()
  const ring = new KeyRing([generateSigningKey('EdDSA')])
  const issuer = new TokenIssuer({ keyRing: ring, clock, customClaims: () => ({ plan: 'pro' }) })
  const verifier = new TokenVerifier({ keyRing: ring, clock })
  beforeEach(() => clock.set(NOW))

  it('carry refresh_exp = iat + SLIDING_TOKEN_REFRESH_LIFETIME besides the usual claims', () => {
    const { claims, token } = issuer.issueSlidingToken({ id: 1 })
    expect(claims).toMatchObject({
      token_type: 'sliding',
      exp: NOW + 300,
      iat: NOW,
      refresh_exp: NOW + 86_400,
      user_id: 1,
      sub: '1',
      plan: 'pro',
    })
    const keys = keysOf(token, 1)
    // simplejwt's SlidingToken sets refresh_exp in __init__, right after jti, before user claims.
    expect(keys.slice(0, 7)).toStrictEqual([
      'token_type',
      'exp',
      'iat',
      'jti',
      'refresh_exp',
      'user_id',
      'sub',
    ])
  })

  it('refreshSlidingToken keeps jti and refresh_exp and renews exp and iat', () => {
    const first = issuer.issueSlidingToken({ id: 1 })
    clock.set(NOW + 1000) // past exp, before refresh_exp
    const verified = verifier.verify(first.token, 'sliding', 'refresh_exp')
    if (!verified.ok) throw verified.error
    const renewed = issuer.refreshSlidingToken(verified.token)
    expect(renewed.jti).toBe(first.jti)
    expect(renewed.claims).toStrictEqual({
      ...first.claims,
      exp: NOW + 1000 + 300,
      iat: NOW + 1000,
    })
    expect(keysOf(renewed.token, 1)).toStrictEqual(keysOf(first.token, 1))
    expect(verifier.verify(renewed.token, 'sliding').ok).toBe(true)
  })
})

describe('custom claims', () => {
  const ring = new KeyRing([generateSigningKey('HS256')])

  it.each([
    'exp',
    'iat',
    'nbf',
    'sub',
    'iss',
    'aud',
    'jti',
    'token_type',
    'user_id',
    'refresh_exp',
  ])('"%s" is reserved and throws', (name) => {
    const issuer = new TokenIssuer({ keyRing: ring, customClaims: () => ({ [name]: 'x' }) })
    expect(() => issuer.issueAccessToken({ id: 1 })).toThrow(`"${name}" is a reserved claim`)
    expect(() => issuer.issueTokenPair({ id: 1 })).toThrow(TypeError)
    expect(() => issuer.issueSlidingToken({ id: 1 })).toThrow(TypeError)
  })

  it('renamed claims (USER_ID_CLAIM, TOKEN_TYPE_CLAIM, JTI_CLAIM) are reserved too', () => {
    const names = {
      USER_ID_CLAIM: 'uid',
      TOKEN_TYPE_CLAIM: 'typ_',
      JTI_CLAIM: 'tid',
      SLIDING_TOKEN_REFRESH_EXP_CLAIM: 'sliding_until',
    }
    for (const name of Object.values(names)) {
      const { issuer } = createTokenEngine(settings(names), { customClaims: () => ({ [name]: 1 }) })
      expect(() => issuer.issueAccessToken({ id: 1 })).toThrow(`"${name}" is a reserved claim`)
    }
  })

  it('renamed claims take the places of the defaults', () => {
    const { issuer, verifier } = createTokenEngine(
      settings({ USER_ID_CLAIM: 'uid', TOKEN_TYPE_CLAIM: 'kind', JTI_CLAIM: 'tid' }),
    )
    const { token } = issuer.issueAccessToken({ id: 8 })
    expect(keysOf(token, 1)).toStrictEqual(['kind', 'exp', 'iat', 'tid', 'uid', 'sub'])
    const verified = verifier.verify(token, 'access')
    expect(verified.ok && verified.token.userId).toBe('8')
  })
})

describe('lifetimes from settings', () => {
  it('reads duration strings like 15m, 2d, 1w', () => {
    const clock = frozenClock()
    const { issuer } = createTokenEngine(
      settings({
        ACCESS_TOKEN_LIFETIME: '15m',
        REFRESH_TOKEN_LIFETIME: '2d',
        SLIDING_TOKEN_LIFETIME: '10m',
        SLIDING_TOKEN_REFRESH_LIFETIME: '1w',
      }),
      { clock },
    )
    const { refresh, access } = issuer.issueTokenPair({ id: 1 })
    const sliding = issuer.issueSlidingToken({ id: 1 })
    expect(access.exp - NOW).toBe(15 * 60)
    expect(refresh.exp - NOW).toBe(2 * 86_400)
    expect(sliding.exp - NOW).toBe(10 * 60)
    expect(sliding.claims.refresh_exp).toBe(NOW + 7 * 86_400)
  })

  it('reads them from TESSERA_* environment variables too', () => {
    const clock = frozenClock()
    const { issuer } = createTokenEngine(
      loadSettings({
        env: { TESSERA_SIGNING_KEY: SECRET, TESSERA_ACCESS_TOKEN_LIFETIME: '2h30m' },
        configFile: false,
      }),
      { clock },
    )
    expect(issuer.issueAccessToken({ id: 1 }).exp - NOW).toBe(9000)
  })

  it('defaults to 5m access, 1d refresh', () => {
    const clock = frozenClock()
    const { issuer } = createTokenEngine(settings(), { clock })
    const { refresh, access } = issuer.issueTokenPair({ id: 1 })
    expect([access.exp - NOW, refresh.exp - NOW]).toStrictEqual([300, 86_400])
  })

  it('TokenIssuer refuses lifetimes that are not whole positive seconds', () => {
    const keyRing = new KeyRing([generateSigningKey('HS256')])
    for (const access of [0, -1, 1.5, Number.NaN]) {
      expect(() => new TokenIssuer({ keyRing, lifetimes: { access } })).toThrow(
        'lifetimes.access must be a whole number of seconds > 0',
      )
    }
  })
})
