import { randomBytes } from 'node:crypto'
import { deflateRawSync } from 'node:zlib'
import { MAX_TOKEN_LENGTH } from '@tessera/core'
import { CompactEncrypt, FlattenedSign, GeneralSign } from 'jose'
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
  segmentsOf,
  signWithKey,
  tokenClaims,
} from './forge.js'

describe.each(RING_ALGS)('null / missing / extra segments (%s ring)', (alg) => {
  const fixture: Fixture = createFixture(alg)
  keepGenuineWorking(() => fixture)
  const token = fixture.pair.access.token
  const [h, p, s] = segmentsOf(token)

  it.each([
    ['the empty string', ''],
    ['one segment', 'a'],
    ['two segments', 'a.b'],
    ['four segments', 'a.b.c.d'],
    ['two dots', '..'],
    ['three dots', '...'],
    ['an empty middle segment', 'a..c'],
    ['an empty header', `.${p}.${s}`],
    ['an empty payload', `${h}..${s}`],
    ['an empty signature', `${h}.${p}.`],
    ['header and payload only', `${h}.${p}`],
    ['a trailing dot', `${token}.`],
    ['a leading dot', `.${token}`],
    ['a fourth segment', `${token}.${s}`],
    ['the token twice', `${token}.${token}`],
    ['a Bearer prefix', `Bearer ${token}`],
    ['a lone dot', '.'],
  ])('%s is malformed', (_case, input) => {
    expectRejected(fixture.verifier, input, 'token_malformed')
  })

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a number', 123],
    ['a bigint', 123n],
    ['true', true],
    ['an empty object', {}],
    ['an empty array', []],
    ['a symbol', Symbol('token')],
    ['a function returning the token', () => token],
  ])('a non-string input (%s) is malformed', (_case, input) => {
    expectRejected(fixture.verifier, input, 'token_malformed')
  })

  it.each([
    ['a Buffer', () => Buffer.from(token)],
    ['a String object', () => new String(token)],
    ['an array holding it', () => [token]],
    ['an object holding it', () => ({ token, toString: () => token })],
  ])('the genuine token wrapped in %s is malformed (no coercion)', (_case, wrap) => {
    expectRejected(fixture.verifier, wrap(), 'token_malformed')
  })
})

// A payload or header that is validly signed but is not a JSON object must not reach the claim
// checks (`"x".exp` is undefined, `null.exp` throws).
describe.each(RING_ALGS)('non-object payloads (%s ring)', (alg) => {
  const fixture: Fixture = createFixture(alg)
  keepGenuineWorking(() => fixture)
  const header = jsonSegment(headerFor(fixture.key))

  const NON_OBJECTS = [
    '[]',
    '"x"',
    'null',
    '1',
    'true',
    'false',
    '""',
    '[{"token_type":"access"}]',
    '1e999',
    'not json',
    '{"exp":',
    '{}garbage',
    '\ufeff{}',
  ]

  it.each(NON_OBJECTS)('payload %j, validly signed, is malformed', (json) => {
    const payload = json === '[{"token_type":"access"}]' ? JSON.stringify([tokenClaims()]) : json
    expectRejected(
      fixture.verifier,
      signWithKey(fixture.key, header, b64url(payload)),
      'token_malformed',
    )
  })

  it.each(NON_OBJECTS)('header %j, validly signed, is malformed', (json) => {
    const payload = jsonSegment(tokenClaims())
    expectRejected(
      fixture.verifier,
      signWithKey(fixture.key, b64url(json), payload),
      'token_malformed',
    )
  })

  it('a header that is an array of the genuine members is malformed', () => {
    const members = b64url(JSON.stringify([headerFor(fixture.key)]))
    const token = signWithKey(fixture.key, members, jsonSegment(tokenClaims()))
    expectRejected(fixture.verifier, token, 'token_malformed')
  })
})

/** heapUsed growth over `runs` verifications of `input`, after a warm-up. */
function heapGrowth(fixture: Fixture, input: string, runs: number): number {
  for (let i = 0; i < 10; i++) fixture.verifier.verify(input)
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  const before = process.memoryUsage().heapUsed
  let refused = 0
  for (let i = 0; i < runs; i++) {
    const result = fixture.verifier.verify(input)
    if (!result.ok && result.error.code === 'token_malformed') refused++
  }
  const after = process.memoryUsage().heapUsed
  expect(refused).toBe(runs)
  return after - before
}

// The size cap and the dot count come before any split or decode, so a huge token costs a
// length check. Speed is a benchmark's business (style.md); here, retained memory stays flat.
describe.each(RING_ALGS)('oversized tokens (%s ring)', (alg) => {
  const fixture: Fixture = createFixture(alg)
  keepGenuineWorking(() => fixture)
  const [h, , s] = segmentsOf(fixture.pair.access.token)
  const MB = 1 << 20

  const HUGE: [string, string][] = [
    ['a 1 MB payload between genuine header and signature', `${h}.${'A'.repeat(MB)}.${s}`],
    ['1 MB of one segment', 'a'.repeat(MB)],
    ['100k dots', '.'.repeat(100_000)],
    ['100k one-character segments', `${'a.'.repeat(100_000)}a`],
    [
      '1 MB of a valid claim set',
      fixture.sign(headerFor(fixture.key), tokenClaims({ pad: 'x'.repeat(MB) })),
    ],
  ]

  it.each(HUGE)('%s is malformed', (_case, input) => {
    expectRejected(fixture.verifier, input, 'token_malformed')
  })

  it.each(HUGE)('%s: 200 attempts leave heapUsed flat', (_case, input) => {
    // A copy or a split per attempt would retain hundreds of MB; allow GC noise only.
    expect(heapGrowth(fixture, input, 200)).toBeLessThan(16 * MB)
  })

  it(`accepts a genuine token up to ${MAX_TOKEN_LENGTH} characters and refuses one past it`, () => {
    expect(MAX_TOKEN_LENGTH).toBe(8192)
    const claims = tokenClaims()
    let largestAccepted: string | undefined
    let smallestRefused: string | undefined
    const base = fixture.sign(headerFor(fixture.key), { ...claims, pad: '' }).length
    // Every 3 characters of padding add 4 to the payload: start a few characters short.
    for (let n = Math.floor(((MAX_TOKEN_LENGTH - base) * 3) / 4) - 8; !smallestRefused; n++) {
      const token = fixture.sign(headerFor(fixture.key), { ...claims, pad: 'x'.repeat(n) })
      if (token.length <= MAX_TOKEN_LENGTH) largestAccepted = token
      else smallestRefused = token
    }
    expect(largestAccepted?.length).toBeGreaterThan(MAX_TOKEN_LENGTH - 4)
    expectVerifies(fixture.verifier, largestAccepted as string, 'access')
    expectRejected(fixture.verifier, smallestRefused, 'token_malformed', 'access')
  })
})

// RFC 7515 7.2: the JSON serializations carry the same signature over the same input; Tessera
// only speaks the compact form, so the JSON forms are malformed even when genuinely signed.
describe.each(RING_ALGS)('JWS JSON serialization (%s ring)', (alg) => {
  const fixture: Fixture = createFixture(alg)
  keepGenuineWorking(() => fixture)
  const payload = new TextEncoder().encode(JSON.stringify(tokenClaims()))
  const signingKey = fixture.key.signingKey as NonNullable<typeof fixture.key.signingKey>

  it('the flattened serialization, as JSON text and as an object, is malformed', async () => {
    const flattened = await new FlattenedSign(payload)
      .setProtectedHeader(headerFor(fixture.key))
      .sign(signingKey)
    // The same parts, compact, do verify: the JSON form really is genuinely signed.
    expectVerifies(
      fixture.verifier,
      `${flattened.protected}.${flattened.payload}.${flattened.signature}`,
    )
    expectRejected(fixture.verifier, JSON.stringify(flattened), 'token_malformed')
    expectRejected(fixture.verifier, flattened, 'token_malformed')
    expectRejected(fixture.verifier, b64url(JSON.stringify(flattened)), 'token_malformed')
  })

  it('the general serialization, as JSON text and as an object, is malformed', async () => {
    const general = await new GeneralSign(payload)
      .addSignature(signingKey)
      .setProtectedHeader(headerFor(fixture.key))
      .sign()
    expectRejected(fixture.verifier, JSON.stringify(general), 'token_malformed')
    expectRejected(fixture.verifier, JSON.stringify(general, null, 2), 'token_malformed')
    expectRejected(fixture.verifier, general, 'token_malformed')
  })

  it('a flattened serialization with an unprotected header is malformed', async () => {
    const flattened = await new FlattenedSign(payload)
      .setProtectedHeader({ alg: fixture.key.alg })
      .setUnprotectedHeader({ kid: fixture.key.kid })
      .sign(signingKey)
    expectRejected(fixture.verifier, JSON.stringify(flattened), 'token_malformed')
  })
})

/** A JWE (RFC 7516) of genuine claims, encrypted to the ring's own key material where it can. */
async function encryptClaims(fixture: Fixture, claims: Record<string, unknown>): Promise<string> {
  const plaintext = new TextEncoder().encode(JSON.stringify(claims))
  const jwe = new CompactEncrypt(plaintext)
  const kid = fixture.key.kid
  switch (fixture.alg) {
    case 'RS256':
      return jwe
        .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid })
        .encrypt(fixture.key.verifyingKey)
    case 'ES256':
      return jwe
        .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM', kid })
        .encrypt(fixture.key.verifyingKey)
    case 'HS256':
      // The 48-byte HMAC secret doubles as a direct A192CBC-HS384 key: same bytes, other use.
      return jwe
        .setProtectedHeader({ alg: 'dir', enc: 'A192CBC-HS384', kid })
        .encrypt(fixture.key.verifyingKey)
    default:
      return jwe.setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid }).encrypt(randomBytes(32))
  }
}

// RFC 7516: five segments. Tessera never decrypts, and JWE header members in a JWS header
// (`enc`, `zip`) are refused, so a JWE can neither pass as a JWS nor smuggle its semantics in.
describe.each(RING_ALGS)('5-segment JWE (%s ring)', (alg) => {
  const fixture: Fixture = createFixture(alg)
  keepGenuineWorking(() => fixture)

  it('a compact JWE of genuine claims is malformed', async () => {
    const jwe = await encryptClaims(fixture, tokenClaims())
    expect(jwe.split('.')).toHaveLength(5)
    expectRejected(fixture.verifier, jwe, 'token_malformed')
    expectRejected(fixture.verifier, jwe, 'token_malformed', 'access')
  })

  it('a JWE whose every segment is non-empty is malformed', () => {
    const [h, p, s] = segmentsOf(fixture.pair.access.token)
    expectRejected(
      fixture.verifier,
      `${h}.${b64url(randomBytes(32))}.${b64url(randomBytes(12))}.${p}.${s}`,
      'token_malformed',
    )
  })

  it('a JWS header with enc, validly signed, is forbidden', () => {
    const token = fixture.sign(headerFor(fixture.key, { enc: 'A256GCM' }), tokenClaims())
    expectRejected(fixture.verifier, token, 'token_header_forbidden')
  })

  it('a JWS header with zip over a deflated payload, validly signed, is forbidden', () => {
    const header = jsonSegment(headerFor(fixture.key, { zip: 'DEF' }))
    const payload = b64url(deflateRawSync(JSON.stringify(tokenClaims())))
    expectRejected(
      fixture.verifier,
      signWithKey(fixture.key, header, payload),
      'token_header_forbidden',
    )
  })

  it('a JWS header with zip over a plain payload, validly signed, is forbidden', () => {
    const token = fixture.sign(
      headerFor(fixture.key, { zip: 'DEF' }),
      tokenClaims({ exp: NOW + 60 }),
    )
    expectRejected(fixture.verifier, token, 'token_header_forbidden')
  })
})
