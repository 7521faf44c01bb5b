import { sign } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  b64url,
  claimsOf,
  createFixture,
  expectRejected,
  expectVerifies,
  type Fixture,
  type FixtureVerifier,
  jsonSegment,
  keepGenuineWorking,
  segmentBytes,
  segmentsOf,
  tokenClaims,
} from './forge.js'

/** The order n of the P-256 group. */
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n
/** The order L of the Ed25519 base point. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n
const MAX_256 = 2n ** 256n - 1n

/** A 32-byte big-endian scalar (ECDSA r and s). */
function be32(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(64, '0'), 'hex')
}

/** A 32-byte little-endian scalar (Ed25519 S). */
function le32(value: bigint): Buffer {
  return be32(value).reverse()
}

function bigBe(bytes: Buffer): bigint {
  return BigInt(`0x${bytes.toString('hex')}`)
}

/** Replaces the signature of `token` with `signature`. */
function withSignature(token: string, signature: Buffer): string {
  const [h, p] = segmentsOf(token)
  return `${h}.${p}.${b64url(signature)}`
}

/** A genuine token's signature and its two halves. */
function halves(token: string): { sig: Buffer; first: Buffer; second: Buffer } {
  const sig = segmentBytes(segmentsOf(token)[2])
  return { sig, first: sig.subarray(0, 32), second: sig.subarray(32) }
}

/** An admin token with a placeholder signature, for the bad signatures to be tried on. */
function adminToken(fixture: Fixture): string {
  const [h] = segmentsOf(fixture.pair.access.token)
  return `${h}.${jsonSegment(tokenClaims({ user_id: '1', is_superuser: true }))}.AA`
}

// CVE-2022-21449 ("psychic signatures", Java 15-18): r = s = 0 verified every message. ES256
// signatures must be exactly 64 bytes with r and s in [1, n-1]; Ed25519's S must be below L
// (RFC 8032 5.1.7), or S + L would be a second valid signature.
describe('psychic ECDSA signatures and other invalid R||S (ES256 ring)', () => {
  const fixture: Fixture = createFixture('ES256')
  keepGenuineWorking(() => fixture)
  const genuine = fixture.pair.access.token
  // The attacker's goal: an admin token. Each bad signature is tried on it and on the genuine one.
  const admin = adminToken(fixture)
  const { first: r, second: s } = halves(genuine)
  const rr = bigBe(r)
  const ss = bigBe(s)

  const cases: [string, Buffer][] = [
    ['r = s = 0', Buffer.alloc(64)],
    ['r = 0', Buffer.concat([Buffer.alloc(32), s])],
    ['s = 0', Buffer.concat([r, Buffer.alloc(32)])],
    ['r = s = n', Buffer.concat([be32(N), be32(N)])],
    ['r = n', Buffer.concat([be32(N), s])],
    ['s = n', Buffer.concat([r, be32(N)])],
    ['r = n + 1', Buffer.concat([be32(N + 1n), s])],
    ['s = n + 1', Buffer.concat([r, be32(N + 1n)])],
    ['r = 2^256 - 1', Buffer.concat([be32(MAX_256), s])],
    ['s = 2^256 - 1', Buffer.concat([r, be32(MAX_256)])],
    ['r = s = 2^256 - 1', Buffer.alloc(64, 0xff)],
    ['r + n mod 2^256 (wrapped)', Buffer.concat([be32((rr + N) % 2n ** 256n), s])],
    ['s + n mod 2^256 (wrapped)', Buffer.concat([r, be32((ss + N) % 2n ** 256n)])],
    ['r = 1, s = 1', Buffer.concat([be32(1n), be32(1n)])],
    ['r and s swapped', Buffer.concat([s, r])],
  ]

  it.each(cases)('%s is an invalid signature', (_case, signature) => {
    expectRejected(fixture.verifier, withSignature(admin, signature), 'token_signature_invalid')
    expectRejected(fixture.verifier, withSignature(genuine, signature), 'token_signature_invalid')
  })

  const { sig } = halves(genuine)
  it.each<[string, Buffer]>([
    ['1 byte', Buffer.alloc(1)],
    ['32 bytes (r alone)', r],
    ['63 bytes (last byte cut)', sig.subarray(0, 63)],
    ['65 bytes (a zero appended)', Buffer.concat([sig, Buffer.alloc(1)])],
    ['65 bytes (a zero prepended)', Buffer.concat([Buffer.alloc(1), sig])],
    [
      '66 bytes (r and s as 33-byte integers)',
      Buffer.concat([Buffer.alloc(1), r, Buffer.alloc(1), s]),
    ],
    ['96 bytes', Buffer.concat([sig, r])],
    [
      '128 bytes (r and s left-padded to 64)',
      Buffer.concat([Buffer.alloc(32), r, Buffer.alloc(32), s]),
    ],
    ['132 bytes (ES512-sized)', Buffer.alloc(132, 1)],
  ])('a signature of %s is invalid', (_case, signature) => {
    expectRejected(fixture.verifier, withSignature(genuine, signature), 'token_signature_invalid')
  })
})

describe('psychic ECDSA signatures and other invalid R||S (EdDSA ring)', () => {
  const fixture: Fixture = createFixture('EdDSA')
  keepGenuineWorking(() => fixture)
  const genuine = fixture.pair.access.token
  const admin = adminToken(fixture)
  const { sig, first: bigR, second: S } = halves(genuine)
  const sValue = bigBe(Buffer.from(S).reverse())
  const identity = Buffer.concat([Buffer.from([1]), Buffer.alloc(31)])

  it.each<[string, Buffer]>([
    ['R = S = 0', Buffer.alloc(64)],
    ['R = identity point, S = 0', Buffer.concat([identity, Buffer.alloc(32)])],
    ['S = 0', Buffer.concat([bigR, Buffer.alloc(32)])],
    ['S = L', Buffer.concat([bigR, le32(L)])],
    ['S + L (the malleated twin)', Buffer.concat([bigR, le32(sValue + L)])],
    ['S = 2^256 - 1', Buffer.concat([bigR, le32(MAX_256)])],
    ['63 bytes', sig.subarray(0, 63)],
    ['65 bytes', Buffer.concat([sig, Buffer.alloc(1)])],
  ])('%s is an invalid signature', (_case, signature) => {
    expectRejected(fixture.verifier, withSignature(admin, signature), 'token_signature_invalid')
    expectRejected(fixture.verifier, withSignature(genuine, signature), 'token_signature_invalid')
  })
})

// JWS ES256 is the 64-byte R||S form (RFC 7518 3.4). A DER signature, even a genuine one by the
// ring's own key, is refused: accepting both forms gives every token two spellings.
describe('DER-encoded ECDSA (ES256 ring)', () => {
  const fixture: Fixture = createFixture('ES256')
  keepGenuineWorking(() => fixture)
  const signingKey = fixture.key.signingKey as NonNullable<typeof fixture.key.signingKey>

  it('a genuine signature by the ring key, DER-encoded, is invalid', () => {
    const [h, p] = segmentsOf(fixture.pair.access.token)
    const der = sign('sha256', Buffer.from(`${h}.${p}`), { key: signingKey, dsaEncoding: 'der' })
    expect(der[0]).toBe(0x30)
    expectRejected(fixture.verifier, `${h}.${p}.${b64url(der)}`, 'token_signature_invalid')
  })

  it('DER signatures of fresh claims, over many signatures (70 to 72 bytes), are all invalid', () => {
    const header = segmentsOf(fixture.pair.access.token)[0]
    for (let i = 0; i < 20; i++) {
      const payload = jsonSegment(tokenClaims())
      const der = sign('sha256', Buffer.from(`${header}.${payload}`), {
        key: signingKey,
        dsaEncoding: 'der',
      })
      expectRejected(
        fixture.verifier,
        `${header}.${payload}.${b64url(der)}`,
        'token_signature_invalid',
      )
    }
  })

  it.each<[string, string]>([
    ['DER r = s = 0', '3006020100020100'],
    ['DER r = s = 1', '3006020101020101'],
    ['DER with an indefinite length', '30800201010201010000'],
  ])('%s is invalid', (_case, hex) => {
    const [h, p] = segmentsOf(fixture.pair.access.token)
    expectRejected(
      fixture.verifier,
      `${h}.${p}.${b64url(Buffer.from(hex, 'hex'))}`,
      'token_signature_invalid',
    )
  })

  it('the genuine R||S re-wrapped as DER is invalid', () => {
    const { first, second } = halves(fixture.pair.access.token)
    const integer = (x: Buffer): Buffer => {
      const body = (x[0] as number) & 0x80 ? Buffer.concat([Buffer.alloc(1), x]) : x
      return Buffer.concat([Buffer.from([0x02, body.length]), body])
    }
    const seq = Buffer.concat([integer(first), integer(second)])
    const der = Buffer.concat([Buffer.from([0x30, seq.length]), seq])
    expectRejected(
      fixture.verifier,
      withSignature(fixture.pair.access.token, der),
      'token_signature_invalid',
    )
  })
})

/** (r, n - s): the other valid ECDSA signature of the same message. */
function malleate(token: string): string {
  const { first, second } = halves(token)
  return withSignature(token, Buffer.concat([first, be32(N - bigBe(second))]))
}

// ECDSA is malleable: (r, n - s) is a second valid signature of the same claims. Tessera keeps
// R||S strict but does not force low-s (neither does RFC 7518), so the twin verifies; what
// stops it is that revocation is keyed by jti, never by the token string or its hash.
describe('ECDSA malleability on a revoked token (ES256 ring)', () => {
  const revoked = new Set<string>()
  const fixture: Fixture = createFixture('ES256', {
    verifier: { revocation: { isRevoked: (t) => revoked.has(t.jti) } },
  })
  const unguarded = createFixture('ES256').verifier
  keepGenuineWorking(() => fixture)

  function twin(verifier: FixtureVerifier, token: string, type: 'access' | 'refresh'): string {
    const malleated = malleate(token)
    expect(malleated).not.toBe(token)
    expect(malleate(malleated)).toBe(token)
    // The twin really is a valid signature over the same claims, with the same jti.
    const verified = expectVerifies(verifier, malleated, type)
    expect(verified.jti).toBe(claimsOf(token).jti)
    return malleated
  }

  it('the (r, n - s) twin of a revoked access token is still revoked', () => {
    const { token, jti } = fixture.issuer.issueAccessToken({ id: 42 })
    const malleated = twin(unguarded, token, 'access')
    expectVerifies(fixture.verifier, malleated, 'access')
    revoked.add(jti)
    expectRejected(fixture.verifier, token, 'token_revoked', 'access')
    expectRejected(fixture.verifier, malleated, 'token_revoked', 'access')
    expectRejected(fixture.verifier, malleated, 'token_revoked')
  })

  it('the (r, n - s) twin of a revoked refresh token is still revoked', () => {
    const { refresh } = fixture.issuer.issueTokenPair({ id: 42 })
    const malleated = twin(unguarded, refresh.token, 'refresh')
    revoked.add(refresh.jti)
    expectRejected(fixture.verifier, refresh.token, 'token_revoked', 'refresh')
    expectRejected(fixture.verifier, malleated, 'token_revoked', 'refresh')
  })

  it('a revocation list keyed by token strings would have missed it (why Tessera keys by jti)', () => {
    const { token, jti } = fixture.issuer.issueAccessToken({ id: 42 })
    const byString = new Set([token])
    const malleated = malleate(token)
    expect(byString.has(malleated)).toBe(false)
    revoked.add(jti)
    expectRejected(fixture.verifier, malleated, 'token_revoked', 'access')
  })
})
