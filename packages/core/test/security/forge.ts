/**
 * Builds malicious tokens by hand for the security suite: base64url segments, HMAC and
 * signatures straight from node:crypto (never through Tessera's own signer), and the shared
 * assertions every attack case makes.
 */
import {
  constants,
  createHmac,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto'
import {
  type Algorithm,
  authenticationFailureBody,
  errorCatalogue,
  generateSigningKey,
  type IssuedTokenPair,
  isHmacAlgorithm,
  KeyRing,
  ResourceVerifier,
  type ResourceVerifierOptions,
  type SigningKey,
  type StaticKey,
  TokenError,
  type TokenErrorCode,
  TokenIssuer,
  type TokenType,
  TokenVerifier,
  type TokenVerifierOptions,
  type VerifiedToken,
  type VerifyResult,
} from '@tessera/core'
import { afterEach, expect } from 'vitest'

/** The frozen "now" of every test, epoch seconds. */
export const NOW = 1_700_000_000

/** A frozen clock at {@link NOW}. */
export const clock = (): number => NOW

/** The ring algorithms every applicable attack runs against. */
export const RING_ALGS = ['HS256', 'ES256', 'EdDSA', 'RS256'] as const
export type RingAlg = (typeof RING_ALGS)[number]

/** The public-key ring algorithms (key confusion, embedded keys...). */
export const ASYMMETRIC_ALGS = ['ES256', 'EdDSA', 'RS256'] as const
export type AsymmetricRingAlg = (typeof ASYMMETRIC_ALGS)[number]

// --- base64url segments ------------------------------------------------------------------

/** Unpadded base64url of bytes or of a string's UTF-8. */
export function b64url(input: string | Uint8Array): string {
  return (typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input)).toString(
    'base64url',
  )
}

/** `JSON.stringify(value)` as a segment. */
export function jsonSegment(value: unknown): string {
  return b64url(JSON.stringify(value))
}

/** Decodes a segment to bytes (lenient Node decoder: only for building attacks). */
export function segmentBytes(segment: string): Buffer {
  return Buffer.from(segment, 'base64url')
}

/** The three segments of a compact token. */
export function segmentsOf(token: string): [string, string, string] {
  const parts = token.split('.')
  if (parts.length !== 3) throw new Error('segmentsOf: not a three-segment token')
  return parts as [string, string, string]
}

/** The decoded JSON payload of a compact token. */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(segmentBytes(segmentsOf(token)[1]).toString('utf8')) as Record<string, unknown>
}

// --- signing -----------------------------------------------------------------------------

/** Every algorithm an attacker may claim (the ring's and others). */
export type ForgeAlg =
  | 'HS256'
  | 'HS384'
  | 'HS512'
  | 'RS256'
  | 'RS512'
  | 'PS256'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'

const HASHES: Record<ForgeAlg, string | null> = {
  HS256: 'sha256',
  HS384: 'sha384',
  HS512: 'sha512',
  RS256: 'sha256',
  RS512: 'sha512',
  PS256: 'sha256',
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
  EdDSA: null,
}

/** A signing secret or private key, in any form node:crypto accepts. */
export type ForgeKey = KeyObject | Uint8Array | string

/**
 * Signs `input` the way JWS `alg` does (RFC 7518), with `key`: any bytes for HMAC (a public
 * key's PEM included: that is the key-confusion attack), a private key otherwise. ECDSA gives
 * R||S unless `der` asks for the DER form.
 */
export function signInput(
  alg: ForgeAlg,
  key: ForgeKey,
  input: string,
  options: { der?: boolean } = {},
): Buffer {
  const hash = HASHES[alg]
  const data = Buffer.from(input)
  if (alg.startsWith('HS'))
    return createHmac(hash as string, key)
      .update(data)
      .digest()
  const privateKey = key as KeyObject
  if (alg.startsWith('ES')) {
    const dsaEncoding = options.der === true ? 'der' : 'ieee-p1363'
    return sign(hash, data, { key: privateKey, dsaEncoding })
  }
  if (alg === 'PS256') {
    return sign(hash, data, {
      key: privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    })
  }
  return sign(hash, data, privateKey)
}

/** `header.payload.signature` from ready segments, signed with `alg` and `key`. */
export function forgeSegments(
  alg: ForgeAlg,
  key: ForgeKey,
  headerSegment: string,
  payloadSegment: string,
): string {
  const input = `${headerSegment}.${payloadSegment}`
  return `${input}.${b64url(signInput(alg, key, input))}`
}

/** A token with JSON `header` and `claims`, signed with `alg` and `key`. */
export function forge(alg: ForgeAlg, key: ForgeKey, header: unknown, claims: unknown): string {
  return forgeSegments(alg, key, jsonSegment(header), jsonSegment(claims))
}

/** Signs segments with a ring key exactly as Tessera would: a validly signed token. */
export function signWithKey(
  key: SigningKey,
  headerSegment: string,
  payloadSegment: string,
): string {
  if (key.signingKey === undefined) throw new Error('signWithKey: verify-only key')
  return forgeSegments(key.alg, key.signingKey, headerSegment, payloadSegment)
}

const attackerKeys = new Map<ForgeAlg, ForgeKey>()

/** A key the attacker owns for `alg` (a fresh secret or key pair, cached per file). */
export function attackerKey(alg: ForgeAlg): ForgeKey {
  let key = attackerKeys.get(alg)
  if (key === undefined) {
    if (alg.startsWith('HS')) key = randomBytes(64)
    else if (alg === 'EdDSA') key = generateKeyPairSync('ed25519').privateKey
    else if (alg.startsWith('ES')) {
      const namedCurve = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg as 'ES256']
      key = generateKeyPairSync('ec', { namedCurve }).privateKey
    } else key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    attackerKeys.set(alg, key)
  }
  return key
}

// --- claims and headers ------------------------------------------------------------------

/** simplejwt-shaped claims valid at {@link NOW}, with `overrides` applied. */
export function tokenClaims(
  overrides: Record<string, unknown> = {},
  type: TokenType = 'access',
): Record<string, unknown> {
  return {
    token_type: type,
    exp: NOW + 300,
    iat: NOW,
    jti: randomBytes(16).toString('hex'),
    user_id: '42',
    ...overrides,
  }
}

/** A copy of `object` without the `names` members. */
export function without(
  object: Record<string, unknown>,
  ...names: string[]
): Record<string, unknown> {
  const copy = { ...object }
  for (const name of names) delete copy[name]
  return copy
}

/** The header Tessera writes for `key`, plus `extra` members. */
export function headerFor(
  key: SigningKey,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { alg: key.alg, typ: 'JWT', kid: key.kid, ...extra }
}

// --- rings, issuers and verifiers --------------------------------------------------------

const ringKeys = new Map<RingAlg, SigningKey>()

/** The current key of the ring for `alg` (generated once per test file). */
export function ringKey(alg: RingAlg): SigningKey {
  let key = ringKeys.get(alg)
  if (key === undefined) {
    key = generateSigningKey(alg)
    ringKeys.set(alg, key)
  }
  return key
}

/**
 * What the attacks run against: the auth server's {@link TokenVerifier}, or (second run) a
 * resource server's verifier behind the same synchronous signature.
 */
export interface FixtureVerifier {
  verify(token: string, expectedType?: TokenType): VerifyResult
}

/**
 * Which verifier this run attacks: `token` (the auth server's TokenVerifier, default) or
 * `resource` (ResourceVerifier, keys through the JWKS import for public-key rings, a static
 * secret for HMAC rings). The `security-resource` Vitest project sets it.
 */
export const VERIFIER_KIND: 'token' | 'resource' =
  process.env.TESSERA_SECURITY_VERIFIER === 'resource' ? 'resource' : 'token'

/** Builds the verifier under attack for `ring` with the suite's verifier options. */
export type VerifierFactory = (
  ring: KeyRing,
  options: Omit<TokenVerifierOptions, 'keyRing'>,
) => FixtureVerifier

/** The auth server's verifier over the signing ring itself. */
export const tokenVerifierFactory: VerifierFactory = (ring, options) =>
  new TokenVerifier({ keyRing: ring, clock, ...options })

/**
 * A resource server's verifier: the ring's public keys published as a JWKS document and
 * imported back (`importJwks`), or its secrets as static keys when the ring holds an HMAC key.
 * It never fetches here (a static source is synchronous); the remote path has its own tests.
 */
export const resourceVerifierFactory: VerifierFactory = (ring, options) => {
  const { issuer, ...rest } = options
  const settings = {
    clock,
    ...rest,
    ...(issuer === undefined ? {} : { expectIssuer: issuer }),
    // The signing ring's default key verifies kid-less tokens here too, so every attack on
    // the default key (alg none, key confusion without a kid...) runs against both verifiers.
    defaultKid: ring.defaultKey.kid,
  }
  const hasSecret = ring.keys.some((key) => isHmacAlgorithm(key.alg))
  const source: ResourceVerifierOptions = hasSecret
    ? { ...settings, keys: ring.keys.map(staticKeyOf) }
    : { ...settings, jwks: JSON.parse(JSON.stringify(ring.toJwks(NOW))) }
  const verifier = new ResourceVerifier(source)
  return {
    verify(token, expectedType) {
      // TokenVerifier accepts any kind without expectedType; a resource server always checks one.
      const result = verifier.verify(token, expectedType ?? kindOf(token))
      if (result instanceof Promise) throw new Error('a static resource verifier went async')
      return result as VerifyResult
    },
  }
}

function staticKeyOf(key: SigningKey): StaticKey {
  const alg: Algorithm = key.alg
  return isHmacAlgorithm(alg)
    ? { alg, secret: key.verifyingKey.export(), kid: key.kid }
    : { alg, publicKey: key.verifyingKey, kid: key.kid }
}

/** The token_type a token claims (unverified), so an untyped call checks that kind. */
function kindOf(token: unknown): TokenType {
  // Oversized tokens are refused before any parse: do not parse them here either.
  if (typeof token !== 'string' || token.length > 8192) return 'access'
  try {
    const type = claimsOf(token as string).token_type
    return type === 'refresh' || type === 'sliding' ? type : 'access'
  } catch {
    return 'access'
  }
}

const VERIFIER_FACTORY: VerifierFactory =
  VERIFIER_KIND === 'resource' ? resourceVerifierFactory : tokenVerifierFactory

/** Everything one attack needs: a ring, its issuer and verifier, and a genuine token pair. */
export interface Fixture {
  readonly alg: RingAlg
  readonly key: SigningKey
  readonly ring: KeyRing
  readonly issuer: TokenIssuer
  readonly verifier: FixtureVerifier
  /** Genuine tokens: they must still verify after every attack. */
  readonly pair: IssuedTokenPair
  /** A validly signed token (the ring's own key) with these JSON header and claims. */
  sign(header: unknown, claims: unknown): string
}

/** Options of {@link createFixture}. */
export interface FixtureOptions {
  /** The ring's keys; default: the cached current key of `alg` alone. */
  keys?: readonly SigningKey[]
  /** Verifier options besides the ring and clock. */
  verifier?: Omit<TokenVerifierOptions, 'keyRing'>
  /** Issuer (`iss`) and audience (`aud`) the issuer writes. */
  issuer?: { issuer?: string; audience?: string }
}

/** Builds a {@link Fixture} for a ring of `alg`, everything on the frozen clock. */
export function createFixture(alg: RingAlg, options: FixtureOptions = {}): Fixture {
  const ring = new KeyRing(options.keys ?? [ringKey(alg)])
  const key = ring.current
  const issuer = new TokenIssuer({ keyRing: ring, clock, ...options.issuer })
  const verifier = VERIFIER_FACTORY(ring, options.verifier ?? {})
  const pair = issuer.issueTokenPair({ id: 42 })
  return {
    alg,
    key,
    ring,
    issuer,
    verifier,
    pair,
    sign: (header, claims) => signWithKey(key, jsonSegment(header), jsonSegment(claims)),
  }
}

/**
 * Registers an `afterEach` asserting that the fixture's genuine tokens still verify: no attack
 * may poison a cache, a key or any state of the verifier.
 */
export function keepGenuineWorking(fixture: () => Fixture): void {
  afterEach(() => {
    const { verifier, pair } = fixture()
    expectVerifies(verifier, pair.access.token, 'access')
    expectVerifies(verifier, pair.refresh.token, 'refresh')
  })
}

// --- assertions --------------------------------------------------------------------------

/** Calls `verify`, failing the test if it throws instead of returning a result (a 500). */
export function verifyWithoutThrowing(
  verifier: FixtureVerifier,
  token: unknown,
  expectedType?: TokenType,
): VerifyResult {
  try {
    return verifier.verify(token as string, expectedType)
  } catch (error) {
    return expect.fail(`verify threw instead of returning a result: ${String(error)}`)
  }
}

/** The body of every invalid-token 401 (a forged signature stands for all of them). */
const GENERIC_BODY = authenticationFailureBody('token_signature_invalid')

/** The codes whose public message differs (and nothing else of the body does): simplejwt's. */
const DISTINCT_MESSAGES: Partial<Record<TokenErrorCode, string>> = {
  token_expired: 'Token is expired',
  token_no_exp: "Token has no 'exp' claim",
  token_no_type: 'Token has no type',
  token_wrong_type: 'Token has wrong type',
  token_no_id: 'Token has no id',
  token_revoked: 'Token is blacklisted',
}

/** The public 401 body expected for `code`: the generic body, with its message. */
export function expectedBody(code: TokenErrorCode): ReturnType<typeof authenticationFailureBody> {
  const message = DISTINCT_MESSAGES[code] ?? 'Token is invalid'
  const [entry] = GENERIC_BODY.messages
  return { ...GENERIC_BODY, messages: [{ ...(entry as object), message }] } as ReturnType<
    typeof authenticationFailureBody
  >
}

/**
 * The assertions every attack case makes: `verify` returns (never throws) a refusal with
 * exactly `code`, a 401, the same public body as every other invalid token (bar the message
 * for the codes simplejwt words differently), and an error message that does not quote the
 * token.
 */
export function expectRejected(
  verifier: FixtureVerifier,
  token: unknown,
  code: TokenErrorCode,
  expectedType?: TokenType,
): TokenError {
  const result = verifyWithoutThrowing(verifier, token, expectedType)
  if (result.ok) return expect.fail(`token was accepted; expected ${code}`)
  const { error } = result
  if (!(error instanceof TokenError)) return expect.fail(`${error.code}; expected ${code}`)
  expect(error.code).toBe(code)
  expect(errorCatalogue[error.code].status).toBe(401)
  expect(errorCatalogue[error.code].publicCode).toBe('token_not_valid')
  expect(authenticationFailureBody(error.code)).toEqual(expectedBody(code))
  if (typeof token === 'string' && token.length > 8) expect(error.message).not.toContain(token)
  return error
}

/** Asserts that `token` verifies and returns what the verifier read. */
export function expectVerifies(
  verifier: FixtureVerifier,
  token: string,
  expectedType?: TokenType,
): VerifiedToken {
  const result = verifyWithoutThrowing(verifier, token, expectedType)
  if (!result.ok) return expect.fail(`genuine token refused with ${result.error.code}`)
  return result.token
}
