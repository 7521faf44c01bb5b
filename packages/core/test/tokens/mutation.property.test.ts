// Property tests of the strict verifier: a token verifies only as the exact bytes that were
// signed. Byte edits, base64 re-spellings (alphabet, padding, whitespace) and JSON re-encodings
// that mean the same thing (spaces, key order, \u escapes, duplicate members) must all fail; and
// no input, however broken, makes verify throw. Seeded, so a failure replays the same way.
import {
  decodeUnverified,
  generateSigningKey,
  KeyRing,
  type SigningKey,
  TesseraError,
  TokenInvalidError,
  TokenIssuer,
  TokenVerifier,
} from '@tessera/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { b64url, NOW } from './jws-fixtures.js'
import { applyMutation, encodeVariant, jsonVariant, mutation, signInput } from './jws-mutations.js'

const SEED = 0x7e55e4a
const RUNS = 300
const run = { numRuns: RUNS, seed: SEED }

// ---- the tokens under test ---------------------------------------------------------------

const ALGORITHMS = ['HS256', 'ES256', 'EdDSA'] as const

interface Subject {
  readonly key: SigningKey
  readonly verifier: TokenVerifier
  readonly tokens: readonly string[]
}

function subject(alg: (typeof ALGORITHMS)[number]): Subject {
  const key = generateSigningKey(alg)
  const keyRing = new KeyRing([key])
  const clock = () => NOW
  const issuer = new TokenIssuer({
    keyRing,
    clock,
    issuer: 'https://auth.example.test',
    audience: 'api',
    // Non-ASCII, quotes and slashes, so escapes and multi-byte UTF-8 are in play.
    customClaims: () => ({ name: 'Zoë "Z" <z@example.test>', path: '/a/b', n: [1, 2.5, -3] }),
  })
  const verifier = new TokenVerifier({
    keyRing,
    clock,
    issuer: 'https://auth.example.test',
    audience: 'api',
  })
  const pair = issuer.issueTokenPair({ id: 1234 })
  const tokens = [pair.access.token, pair.refresh.token, issuer.issueSlidingToken({ id: 9 }).token]
  for (const token of tokens) expect(verifier.verify(token).ok).toBe(true)
  return { key, verifier, tokens }
}

// ---- properties ----------------------------------------------------------------------------

describe.each(ALGORITHMS)('%s: only the signed bytes verify', (alg) => {
  const { verifier, tokens, key } = subject(alg)

  it('after byte, alphabet, padding, whitespace, re-encoding and structural mutations', () => {
    let changed = 0
    fc.assert(
      fc.property(
        fc.constantFrom(...tokens),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (original, mutations) => {
          const mutated = mutations.reduce(applyMutation, original)
          const result = verifier.verify(mutated)
          if (mutated === original) return result.ok
          changed++
          return !result.ok && result.error instanceof TokenInvalidError
        },
      ),
      run,
    )
    // Guard against a generator that silently stopped mutating.
    expect(changed).toBeGreaterThan(RUNS * 0.9)
  })

  it('after JSON re-encodings of the header or payload under the old signature', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...tokens),
        fc.constantFrom<0 | 1>(0, 1),
        jsonVariant(false),
        (original, segment, variant) => {
          const mutated = applyMutation(original, { kind: 'json', segment, variant })
          const result = verifier.verify(mutated, undefined)
          return mutated === original ? result.ok : !result.ok
        },
      ),
      run,
    )
  })

  it('re-signed semantically equal JSON verifies to the same claims; duplicates never do', () => {
    // Not the old signature this time: the variant is signed properly, so only the strict
    // parser stands between a duplicate member and a second reading of the token.
    fc.assert(
      fc.property(
        fc.constantFrom(...tokens),
        fc.constantFrom<0 | 1>(0, 1),
        jsonVariant(true),
        (original, segment, variant) => {
          const parts = original.split('.')
          const object = JSON.parse(Buffer.from(parts[segment] ?? '', 'base64url').toString())
          parts[segment] = b64url(encodeVariant(object, variant))
          const input = `${parts[0]}.${parts[1]}`
          const result = verifier.verify(`${input}.${signInput(key, input)}`)
          if (variant.duplicate !== null) {
            return (
              !result.ok &&
              ['token_malformed', 'token_header_forbidden'].includes(result.error.code)
            )
          }
          const expected = verifier.verify(original)
          return result.ok && expected.ok && deepEqual(result.token.claims, expected.token.claims)
        },
      ),
      run,
    )
  })
})

function deepEqual(a: unknown, b: unknown): boolean {
  try {
    expect(a).toStrictEqual(b)
    return true
  } catch {
    return false
  }
}

describe('arbitrary input', () => {
  const { key, verifier, tokens } = subject('HS256')
  const header = (tokens[0] as string).split('.')[0] as string
  const base64urlOf = (text: string) =>
    text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')

  const inputs: [string, fc.Arbitrary<string>][] = [
    ['fc.string', fc.string({ maxLength: 300 })],
    ['full unicode strings', fc.string({ unit: 'binary', maxLength: 300 })],
    [
      'UTF-16 code units, lone surrogates included',
      fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
    ],
    [
      'three base64 segments',
      fc
        .tuple(fc.base64String(), fc.base64String(), fc.base64String())
        .map((parts) => parts.join('.')),
    ],
    [
      'three base64url segments',
      fc
        .tuple(fc.base64String(), fc.base64String(), fc.base64String())
        .map((parts) => parts.map(base64urlOf).join('.')),
    ],
    [
      'base64url JSON segments behind a known header',
      fc
        .tuple(fc.constantFrom(header, 'e30'), fc.jsonValue(), fc.uint8Array({ maxLength: 80 }))
        .map(
          ([h, payload, signature]) =>
            `${h}.${b64url(JSON.stringify(payload) ?? 'null')}.${b64url(signature)}`,
        ),
    ],
    [
      'base64url of arbitrary JSON, three times',
      fc
        .tuple(fc.jsonValue(), fc.jsonValue(), fc.jsonValue())
        .map((parts) => parts.map((part) => b64url(JSON.stringify(part) ?? 'null')).join('.')),
    ],
    [
      'oversized and dotted inputs',
      fc
        .tuple(
          fc.constantFrom(...tokens),
          fc.integer({ min: 1, max: 9000 }),
          fc.constantFrom('A', '.', ' '),
        )
        .map(([token, n, pad]) => token + pad.repeat(n)),
    ],
  ]

  it.each(inputs)(
    '%s: decodeUnverified throws only TokenInvalidError, verify never throws',
    (_name, input) => {
      fc.assert(
        fc.property(input, (text) => {
          try {
            decodeUnverified(text)
          } catch (error) {
            if (!(error instanceof TokenInvalidError && error instanceof TesseraError)) return false
            if (error.code !== 'token_malformed') return false
          }
          const result = verifier.verify(text)
          return !result.ok && result.error instanceof TesseraError
        }),
        run,
      )
    },
  )

  it('validly signed arbitrary payloads: verify never throws and checks every claim', () => {
    // A valid payload with 0-2 claims set to an edge or junk value (undefined deletes it), so
    // both branches run often and the edges (now +- 1, fractions) are hit on purpose.
    const base = {
      token_type: 'access',
      exp: NOW + 60,
      iat: NOW - 1,
      nbf: NOW - 1,
      jti: 'a'.repeat(32),
      user_id: 7,
      iss: 'https://auth.example.test',
      aud: 'api',
    }
    const junk = fc.jsonValue({ maxDepth: 2 })
    const edge = (...values: unknown[]) =>
      fc.oneof({ arbitrary: fc.constantFrom(...values), weight: 5 }, { arbitrary: junk, weight: 1 })
    const edits = {
      token_type: edge(undefined, 'refresh', 'other', '', 12),
      exp: edge(undefined, NOW - 1, NOW, NOW + 0.5, NOW + 1, `${NOW + 60}`),
      iat: edge(undefined, NOW - 0.5, NOW, NOW + 0.5, NOW + 1, null),
      nbf: edge(undefined, NOW - 0.5, NOW, NOW + 0.5, NOW + 1, true),
      jti: edge(undefined, '', 'x'.repeat(128), 'x'.repeat(129), 12),
      user_id: fc.oneof(edge(undefined, -7, 1.5, 2 ** 53, '7', 'ü', null, [7]), fc.integer()),
      iss: edge(undefined, 'https://auth.example.test/', ''),
      aud: edge(undefined, [], ['x'], 'apix', [['api']], ['api', 1], ['x', 'api'], ['api']),
    }
    const edit = fc.oneof(
      ...Object.entries(edits).map(([name, value]) => fc.tuple(fc.constant(name), value)),
    )
    const claims = fc
      .array(edit, { maxLength: 2 })
      .map((changes) => ({ ...base, ...Object.fromEntries(changes) }))
    let accepted = 0
    fc.assert(
      fc.property(
        fc.oneof({ arbitrary: claims, weight: 6 }, { arbitrary: fc.jsonValue(), weight: 1 }),
        (payload) => {
          const input = `${header}.${b64url(JSON.stringify(payload) ?? 'null')}`
          const result = verifier.verify(`${input}.${signInput(key, input)}`)
          if (!result.ok) return result.error instanceof TesseraError
          accepted++
          const c = payload as Record<string, unknown>
          return (
            typeof c.exp === 'number' &&
            c.exp > NOW &&
            (c.nbf === undefined || (typeof c.nbf === 'number' && c.nbf <= NOW)) &&
            (c.iat === undefined || (typeof c.iat === 'number' && c.iat <= NOW)) &&
            c.iss === 'https://auth.example.test' &&
            (c.aud === 'api' || (Array.isArray(c.aud) && c.aud.includes('api'))) &&
            typeof c.jti === 'string' &&
            c.jti.length >= 1 &&
            c.jti.length <= 128 &&
            typeof c.token_type === 'string' &&
            (c.user_id === undefined
              ? result.token.userId === undefined
              : (typeof c.user_id === 'string' || Number.isSafeInteger(c.user_id)) &&
                result.token.userId === String(c.user_id))
          )
        },
      ),
      run,
    )
    expect(accepted).toBeGreaterThan(RUNS / 10)
  })
})
