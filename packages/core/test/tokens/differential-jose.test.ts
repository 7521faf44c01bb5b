// Differential tests against jose, an independent and widely reviewed JOSE implementation: what
// one side signs the other verifies with the same options, and both refuse the same bad tokens.
import { createHmac, randomUUID } from 'node:crypto'
import {
  type Algorithm,
  createTokenEngine,
  generateSigningKey,
  type IssuedToken,
  KeyRing,
  loadSettings,
  TokenIssuer,
  TokenVerifier,
} from '@tessera/core'
import { compactVerify, type JWTPayload, type JWTVerifyOptions, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  ALL_ALGORITHMS,
  accessClaims,
  b64url,
  NOW,
  segmentText,
  signWithJose,
} from './jws-fixtures.js'

const ISSUER = 'https://auth.example.test'
const AUDIENCE = 'tessera-api'
const LEEWAY = 30
const clock = () => NOW

// Every kind of value a custom claim can hold, including text JSON escapes and non-ASCII.
const CUSTOM = {
  role: 'admin',
  scopes: ['read', 'write'],
  org: { id: 7, name: 'Ünïcode "quoted" \\ org 🚀', flags: [true, false, null] },
  ratio: 0.5,
}

/** jose's verdict on a token: its payload, or the code of its error. */
async function joseVerdict(
  token: string,
  key: Parameters<typeof jwtVerify>[1],
  options: JWTVerifyOptions,
): Promise<{ ok: true; payload: JWTPayload } | { ok: false; code: string }> {
  try {
    const { payload } = await jwtVerify(token, key as never, options)
    return { ok: true, payload }
  } catch (error) {
    return { ok: false, code: (error as { code?: string }).code ?? String(error) }
  }
}

describe.each(ALL_ALGORITHMS)('%s: Tessera and jose agree', (alg: Algorithm) => {
  const key = generateSigningKey(alg)
  const ring = new KeyRing([key])
  const issuer = new TokenIssuer<{ id: number | string }>({
    keyRing: ring,
    clock,
    issuer: ISSUER,
    audience: AUDIENCE,
    customClaims: (_user, type) => ({ ...CUSTOM, issued_as: type }),
  })
  const verifier = new TokenVerifier({
    keyRing: ring,
    clock,
    issuer: ISSUER,
    audience: AUDIENCE,
    leeway: LEEWAY,
  })
  const joseOptions: JWTVerifyOptions = {
    algorithms: [alg],
    issuer: ISSUER,
    audience: AUDIENCE,
    clockTolerance: LEEWAY,
    currentDate: new Date(NOW * 1000),
    typ: 'JWT',
  }

  function tesseraTokens(): [string, IssuedToken][] {
    const pair = issuer.issueTokenPair({ id: 42 })
    return [
      ['refresh', pair.refresh],
      ['access derived from refresh', pair.access],
      ['stand-alone access', issuer.issueAccessToken({ id: 'user-9' })],
      ['sliding', issuer.issueSlidingToken({ id: 42 })],
    ]
  }

  it('jose verifies every token Tessera signs, with a deep-equal payload and header', async () => {
    for (const [kind, issued] of tesseraTokens()) {
      const { payload, protectedHeader } = await jwtVerify(
        issued.token,
        key.verifyingKey,
        joseOptions,
      )
      expect(payload, kind).toStrictEqual(issued.claims)
      expect(protectedHeader, kind).toStrictEqual({ alg, typ: 'JWT', kid: key.kid })

      const compact = await compactVerify(issued.token, key.verifyingKey, { algorithms: [alg] })
      expect(JSON.parse(Buffer.from(compact.payload).toString('utf8')), kind).toStrictEqual(
        issued.claims,
      )

      const ours = verifier.verify(issued.token)
      expect(ours.ok && ours.token.claims, kind).toStrictEqual(payload)
    }
  })

  it('Tessera verifies what jose signs with the ring key (with kid), with the same claims', async () => {
    for (const [kind, issued] of tesseraTokens()) {
      const token = await signWithJose(key, issued.claims as JWTPayload)
      const result = verifier.verify(token)
      expect(result.ok, kind).toBe(true)
      if (!result.ok) continue
      expect(result.token.claims, kind).toStrictEqual(issued.claims)
      expect(result.token.kid).toBe(key.kid)
      // Deterministic signatures (HMAC, RSA PKCS#1 v1.5, Ed25519): the very same bytes.
      if (alg !== 'ES256') expect(token, kind).toBe(issued.token)
    }
  })

  it('Tessera verifies kid-less jose tokens with the default key', async () => {
    const claims = accessClaims(NOW, { iss: ISSUER, aud: AUDIENCE, ...CUSTOM })
    const token = await signWithJose(key, claims, { kid: null })
    expect(JSON.parse(segmentText(token, 0))).toStrictEqual({ alg, typ: 'JWT' })
    const result = verifier.verify(token, 'access')
    expect(result.ok && result.token).toMatchObject({ kid: key.kid, userId: '42', claims })
  })

  it('jose and Tessera refuse the same bad tokens', async () => {
    const other = generateSigningKey(alg)
    const base = accessClaims(NOW, { iss: ISSUER, aud: AUDIENCE })
    const cases: [string, Promise<string>][] = [
      ['signed by another key, under our kid', signWithJose(key, base, { signWith: other })],
      ['signed by another key, kid-less', signWithJose(key, base, { kid: null, signWith: other })],
      ['expired exactly at now - leeway', signWithJose(key, { ...base, exp: NOW - LEEWAY })],
      ['expired long ago', signWithJose(key, { ...base, exp: NOW - 86_400 })],
      ['not before now + leeway + 1', signWithJose(key, { ...base, nbf: NOW + LEEWAY + 1 })],
      ['another issuer', signWithJose(key, { ...base, iss: 'https://evil.test' })],
      ['no issuer', signWithJose(key, { ...base, iss: undefined })],
      ['another audience', signWithJose(key, { ...base, aud: 'other-api' })],
      ['an audience list without ours', signWithJose(key, { ...base, aud: ['a', 'b'] })],
      ['a non-numeric exp', signWithJose(key, { ...base, exp: '9999999999' as never })],
      ['a non-numeric nbf', signWithJose(key, { ...base, nbf: 'soon' as never })],
    ]
    for (const [name, pending] of cases) {
      const token = await pending
      const jose = await joseVerdict(token, key.verifyingKey, joseOptions)
      expect(jose.ok, `jose: ${name}`).toBe(false)
      const ours = verifier.verify(token)
      expect(ours.ok, `Tessera: ${name}`).toBe(false)
    }
    // jose verifying with another key refuses a good Tessera token too.
    const good = issuer.issueAccessToken({ id: 1 }).token
    expect((await joseVerdict(good, other.verifyingKey, joseOptions)).ok).toBe(false)
  })

  it('jose and Tessera accept the same tokens at the edges of the leeway', async () => {
    const base = accessClaims(NOW, { iss: ISSUER, aud: AUDIENCE })
    for (const claims of [
      { ...base, exp: NOW - LEEWAY + 1 },
      { ...base, nbf: NOW + LEEWAY },
      { ...base, aud: ['other-api', AUDIENCE] },
    ]) {
      const token = await signWithJose(key, claims)
      expect((await joseVerdict(token, key.verifyingKey, joseOptions)).ok).toBe(true)
      expect(verifier.verify(token).ok).toBe(true)
    }
  })

  it('is stricter than jose on a future iat (jose only checks it is a number)', async () => {
    const claims = accessClaims(NOW, { iss: ISSUER, aud: AUDIENCE, iat: NOW + LEEWAY + 1 })
    const token = await signWithJose(key, claims)
    expect((await joseVerdict(token, key.verifyingKey, joseOptions)).ok).toBe(true)
    const ours = verifier.verify(token)
    expect(ours.ok || ours.error.code).toBe('token_not_yet_valid')
  })
})

describe('simplejwt interoperability', () => {
  // What PyJWT writes for simplejwt: compact JSON, integer user_id, uuid4().hex jti, no kid.
  const SECRET = 'django-insecure-shared-secret-for-simplejwt-interop-0123456789'
  const { verifier, keyRing } = createTokenEngine(
    loadSettings({ overrides: { SIGNING_KEY: SECRET }, env: {}, configFile: false }),
    { clock },
  )

  function simplejwtToken(payload: Record<string, unknown>): string {
    const input = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(JSON.stringify(payload))}`
    return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`
  }

  it('verifies a simplejwt access token signed with the shared secret; userId is a string', async () => {
    const jti = randomUUID().replaceAll('-', '')
    const payload = { token_type: 'access', exp: NOW + 300, iat: NOW, jti, user_id: 42 }
    const token = simplejwtToken(payload)
    const result = verifier.verify(token, 'access')
    expect(result.ok && result.token).toStrictEqual({
      type: 'access',
      jti,
      userId: '42',
      sessionId: undefined,
      exp: NOW + 300,
      iat: NOW,
      kid: keyRing.defaultKey.kid,
      claims: payload,
    })
    // jose agrees with the same shared secret.
    const { payload: decoded } = await jwtVerify(token, Buffer.from(SECRET), {
      algorithms: ['HS256'],
      currentDate: new Date(NOW * 1000),
    })
    expect(decoded).toStrictEqual(payload)
  })

  it('verifies a simplejwt refresh token and refuses one signed with another secret', () => {
    const payload = {
      token_type: 'refresh',
      exp: NOW + 86_400,
      iat: NOW,
      jti: randomUUID().replaceAll('-', ''),
      user_id: 7,
    }
    const verified = verifier.verify(simplejwtToken(payload), 'refresh')
    expect(verified.ok && verified.token.userId).toBe('7')
    const input = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(JSON.stringify(payload))}`
    const forged = `${input}.${createHmac('sha256', `${SECRET}x`).update(input).digest('base64url')}`
    const refused = verifier.verify(forged, 'refresh')
    expect(refused.ok || refused.error.code).toBe('token_signature_invalid')
  })
})
