import { generateSigningKey } from '@tessera/core'
import { describe, it } from 'vitest'
import {
  b64url,
  claimsOf,
  createFixture,
  expectRejected,
  expectVerifies,
  type Fixture,
  jsonSegment,
  keepGenuineWorking,
  NOW,
  RING_ALGS,
  segmentBytes,
  segmentsOf,
} from './forge.js'

// The classic edit-and-replay: decode a genuine token, change a claim, re-encode the payload
// (canonically, so only the signature can catch it) and keep the old signature.
describe.each(RING_ALGS)('tampered claims with the old signature (%s ring)', (alg) => {
  const fixture: Fixture = createFixture(alg)
  keepGenuineWorking(() => fixture)
  const access = fixture.pair.access.token
  const [h, , s] = segmentsOf(access)
  const genuine = claimsOf(access)

  it.each([
    ['user_id changed to another user', { user_id: '1' }],
    ['user_id changed to an integer', { user_id: 1 }],
    ['sub changed', { sub: '1' }],
    ['exp pushed ten years out', { exp: NOW + 10 * 365 * 86400 }],
    ['iat moved', { iat: NOW - 1 }],
    ['jti replaced (dodging a revocation)', { jti: 'f'.repeat(32) }],
    ['token_type turned into refresh', { token_type: 'refresh' }],
    ['an is_staff claim added', { is_staff: true }],
    ['an aud claim added', { aud: 'admin' }],
  ])('%s', (_case, change) => {
    const tampered = `${h}.${jsonSegment({ ...genuine, ...change })}.${s}`
    expectRejected(fixture.verifier, tampered, 'token_signature_invalid')
  })

  it('a claim removed', () => {
    const { iat: _iat, ...rest } = genuine
    expectRejected(fixture.verifier, `${h}.${jsonSegment(rest)}.${s}`, 'token_signature_invalid')
  })

  it('claims reordered (same JSON meaning, other bytes)', () => {
    const reordered = Object.fromEntries(Object.entries(genuine).reverse())
    expectRejected(
      fixture.verifier,
      `${h}.${jsonSegment(reordered)}.${s}`,
      'token_signature_invalid',
    )
  })

  it('claims re-serialized with whitespace', () => {
    const spaced = b64url(JSON.stringify(genuine, null, 1))
    expectRejected(fixture.verifier, `${h}.${spaced}.${s}`, 'token_signature_invalid')
  })

  it("the refresh token's payload under the access token's signature", () => {
    const [, refreshPayload] = segmentsOf(fixture.pair.refresh.token)
    expectRejected(
      fixture.verifier,
      `${h}.${refreshPayload}.${s}`,
      'token_signature_invalid',
      'refresh',
    )
  })

  it("another user's token spliced with this signature", () => {
    const other = fixture.issuer.issueAccessToken({ id: 1 }).token
    const [, otherPayload, otherSignature] = segmentsOf(other)
    const [, payload] = segmentsOf(access)
    expectRejected(fixture.verifier, `${h}.${otherPayload}.${s}`, 'token_signature_invalid')
    expectRejected(fixture.verifier, `${h}.${payload}.${otherSignature}`, 'token_signature_invalid')
  })

  it('the header re-spelled (typ in lower case) over the same signature', () => {
    const header = jsonSegment({ alg: fixture.key.alg, typ: 'jwt', kid: fixture.key.kid })
    const [, payload] = segmentsOf(access)
    expectRejected(fixture.verifier, `${header}.${payload}.${s}`, 'token_signature_invalid')
  })

  it.each([
    [
      'one bit flipped in the first byte',
      (sig: Buffer) => Buffer.concat([Buffer.from([(sig[0] as number) ^ 1]), sig.subarray(1)]),
    ],
    [
      'one bit flipped in the last byte',
      (sig: Buffer) =>
        Buffer.concat([sig.subarray(0, -1), Buffer.from([(sig.at(-1) as number) ^ 0x80])]),
    ],
    ['one byte short', (sig: Buffer) => sig.subarray(0, -1)],
    ['one byte long', (sig: Buffer) => Buffer.concat([sig, Buffer.from([0])])],
    ['doubled', (sig: Buffer) => Buffer.concat([sig, sig])],
    ['all zero bytes', (sig: Buffer) => Buffer.alloc(sig.length)],
    ['a single zero byte', () => Buffer.alloc(1)],
  ])('the signature %s', (_case, mangle) => {
    const [, payload] = segmentsOf(access)
    const mangled = b64url(mangle(segmentBytes(s)))
    expectRejected(fixture.verifier, `${h}.${payload}.${mangled}`, 'token_signature_invalid')
  })

  it("a token re-signed by another key of the same algorithm, with the ring's kid", () => {
    const other = createFixture(alg, { keys: [generateSigningKey(alg, { kid: fixture.key.kid })] })
    const forged = other.issuer.issueAccessToken({ id: 1 }).token
    expectVerifies(other.verifier, forged)
    expectRejected(fixture.verifier, forged, 'token_signature_invalid')
  })
})
