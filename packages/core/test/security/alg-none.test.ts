import { UnsecuredJWT } from 'jose'
import { describe, it } from 'vitest'
import {
  b64url,
  createFixture,
  expectRejected,
  type Fixture,
  jsonSegment,
  keepGenuineWorking,
  RING_ALGS,
  segmentsOf,
  signInput,
  tokenClaims,
} from './forge.js'

const SPELLINGS = ['none', 'None', 'NONE', 'nOnE', 'none ', ' none', 'none\u0000', '']

// RFC 8725 2.1 / CVE-2015-9235: a token announcing `none` must never verify, whatever the
// spelling, signature or kid. The ring key has exactly one algorithm, so any `none` header
// fails the alg check before a signature is looked at.
describe.each(RING_ALGS)('alg none and variants (%s ring)', (alg) => {
  const fixture: Fixture = createFixture(alg)
  keepGenuineWorking(() => fixture)
  const [, payload, genuineSignature] = segmentsOf(fixture.pair.access.token)
  const kid = fixture.key.kid

  describe.each(SPELLINGS)('alg %j', (none) => {
    it('with an empty signature (no third segment content) is malformed', () => {
      expectRejected(
        fixture.verifier,
        `${jsonSegment({ alg: none, typ: 'JWT' })}.${payload}.`,
        'token_malformed',
      )
      expectRejected(
        fixture.verifier,
        `${jsonSegment({ alg: none, typ: 'JWT', kid })}.${payload}.`,
        'token_malformed',
      )
    })

    it.each([
      ['without a kid (the default key)', { alg: none, typ: 'JWT' }],
      ["with the ring's kid", { alg: none, typ: 'JWT', kid }],
      ['without typ', { alg: none, kid }],
    ])('%s and the genuine signature copied over', (_case, header) => {
      const token = `${jsonSegment(header)}.${payload}.${genuineSignature}`
      expectRejected(fixture.verifier, token, 'token_algorithm_mismatch')
    })

    it('with a one-byte or an empty-key HMAC signature', () => {
      const header = jsonSegment({ alg: none, typ: 'JWT', kid })
      const emptyKeyMac = b64url(signInput('HS256', Buffer.alloc(0), `${header}.${payload}`))
      expectRejected(fixture.verifier, `${header}.${payload}.AA`, 'token_algorithm_mismatch')
      expectRejected(
        fixture.verifier,
        `${header}.${payload}.${emptyKeyMac}`,
        'token_algorithm_mismatch',
      )
    })

    it('with an unknown kid', () => {
      const token = `${jsonSegment({ alg: none, kid: 'attacker' })}.${payload}.${genuineSignature}`
      expectRejected(fixture.verifier, token, 'token_key_unknown')
    })
  })

  it('as jose encodes an unsecured JWT (RFC 7519 6)', () => {
    const unsecured = new UnsecuredJWT(tokenClaims()).encode()
    expectRejected(fixture.verifier, unsecured, 'token_malformed')
  })

  it.each([
    ['null', null],
    ['an array', ['none']],
    ['an object', { none: true }],
    ['a number', 0],
    ['false', false],
  ])('alg as %s is not an allowed header', (_case, value) => {
    const token = `${jsonSegment({ alg: value, typ: 'JWT', kid })}.${payload}.${genuineSignature}`
    expectRejected(fixture.verifier, token, 'token_header_forbidden')
  })

  it('a header without alg is not an allowed header', () => {
    const token = `${jsonSegment({ typ: 'JWT', kid })}.${payload}.${genuineSignature}`
    expectRejected(fixture.verifier, token, 'token_header_forbidden')
  })
})
