import { createHash, createPublicKey, type KeyObject } from 'node:crypto'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  attackerKey,
  b64url,
  createFixture,
  expectRejected,
  type Fixture,
  type ForgeAlg,
  forge,
  headerFor,
  jsonSegment,
  keepGenuineWorking,
  RING_ALGS,
  type RingAlg,
  signWithKey,
  tokenClaims,
} from './forge.js'

/** The attacker's key for `alg` and its public JWK (an `oct` JWK for HMAC). */
function attackerJwk(alg: RingAlg): { key: ReturnType<typeof attackerKey>; jwk: object } {
  const key = attackerKey(alg)
  if (alg === 'HS256') return { key, jwk: { kty: 'oct', k: b64url(key as Buffer) } }
  return { key, jwk: createPublicKey(key as KeyObject).export({ format: 'jwk' }) }
}

/** The attacker's public key as DER (what an `x5c` chain carries, base64 not base64url). */
function attackerDer(alg: RingAlg): Buffer {
  // An HMAC ring has no certificate to imitate: the attacker brings an EC one.
  const pair = attackerKey(alg === 'HS256' ? 'ES256' : alg) as KeyObject
  return createPublicKey(pair).export({ type: 'spki', format: 'der' })
}

// CVE-2018-0114 (node-jose) and friends: a key embedded in the header signs the token it sits
// in. Tessera's keys come from its ring only; `jwk` is refused even when the signature is good.
describe.each(RING_ALGS)('embedded `jwk` (%s ring)', (alg) => {
  const fixture: Fixture = createFixture(alg)
  keepGenuineWorking(() => fixture)
  const { key, jwk } = attackerJwk(alg)
  const kid = fixture.key.kid

  it.each([
    ["with the ring's kid", { alg, typ: 'JWT', kid, jwk }],
    ['without a kid', { alg, typ: 'JWT', jwk }],
    [
      "with the attacker key's own kid",
      { alg, typ: 'JWT', kid: 'attacker', jwk: { ...jwk, kid: 'attacker' } },
    ],
    ['as a JSON string', { alg, typ: 'JWT', kid, jwk: JSON.stringify(jwk) }],
  ])('signed by the embedded attacker key, %s, is forbidden', (_case, header) => {
    expectRejected(
      fixture.verifier,
      forge(alg, key, header, tokenClaims()),
      'token_header_forbidden',
    )
  })

  it.each<[string, ForgeAlg]>([
    ['an EC key announcing ES256', 'ES256'],
    ['an Ed25519 key announcing EdDSA', 'EdDSA'],
    ['an RSA key announcing RS256', 'RS256'],
  ])('signed by an embedded %s, is forbidden', (_case, attackerAlg) => {
    const attacker = attackerKey(attackerAlg) as KeyObject
    const header = {
      alg: attackerAlg,
      typ: 'JWT',
      jwk: createPublicKey(attacker).export({ format: 'jwk' }),
    }
    expectRejected(
      fixture.verifier,
      forge(attackerAlg, attacker, header, tokenClaims()),
      'token_header_forbidden',
    )
  })

  it("the ring's own public key embedded, validly signed by the ring, is forbidden", () => {
    const own =
      alg === 'HS256' ? { kty: 'oct' } : fixture.key.verifyingKey.export({ format: 'jwk' })
    const token = fixture.sign(headerFor(fixture.key, { jwk: own }), tokenClaims())
    expectRejected(fixture.verifier, token, 'token_header_forbidden')
  })
})

// CVE-2018-0114's cousins: `jku`/`x5u` make a verifier fetch the attacker's keys (SSRF and
// forgery at once), `x5c` embeds a chain. A local server stands in for the attacker's host:
// it must never be contacted.
describe.each(RING_ALGS)('`jku` / `x5u` / `x5c` (no outbound request, ever) (%s ring)', (alg) => {
  const fixture: Fixture = createFixture(alg)
  keepGenuineWorking(() => fixture)
  const { key, jwk } = attackerJwk(alg)
  const kid = fixture.key.kid
  let server: Server
  let hits = 0
  let origin = ''
  // Any outbound attempt, to the stand-in server or anywhere else, as it is made: fetch creates
  // an undici request, any client connection a net socket, synchronously.
  let attempts = 0
  const countAttempt = (): void => {
    attempts++
  }
  const channels = ['undici:request:create', 'net.client.socket']

  beforeAll(async () => {
    for (const channel of channels) subscribe(channel, countAttempt)
    server = createServer((_request, response) => {
      hits++
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify({ keys: [{ ...jwk, kid, alg }] }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  afterEach(() => {
    expect(hits).toBe(0)
    expect(attempts).toBe(0)
  })

  afterAll(async () => {
    // verify() is synchronous; anything it queued (a promise, a next-tick fetch) runs by the
    // next turn of the event loop and would be counted as it connects.
    await new Promise((resolve) => setImmediate(resolve))
    expect(attempts).toBe(0)
    expect(hits).toBe(0)
    // The counters work: a real fetch is seen by both.
    await (await fetch(`${origin}/jwks.json`)).text()
    expect(hits).toBe(1)
    expect(attempts).toBeGreaterThanOrEqual(1)
    for (const channel of channels) unsubscribe(channel, countAttempt)
    await new Promise((resolve) => server.close(resolve))
  })

  const urls = (): [string, string][] => [
    ['a plain URL', `${origin}/jwks.json`],
    [
      'a URL dressed as a trusted host',
      `http://auth.example.com@127.0.0.1:${new URL(origin).port}/.well-known/jwks.json`,
    ],
    ['a URL with a query', `${origin}/jwks?kid=${kid}`],
  ]

  it.each(['jku', 'x5u'])(
    '%s pointing at the attacker server is forbidden, and never fetched',
    (member) => {
      for (const [, url] of urls()) {
        for (const header of [
          { alg, typ: 'JWT', kid, [member]: url },
          { alg, typ: 'JWT', [member]: url },
          { alg, [member]: url, kid: 'attacker' },
        ]) {
          expectRejected(
            fixture.verifier,
            forge(alg, key, header, tokenClaims()),
            'token_header_forbidden',
          )
        }
        // Even with the ring's own, valid signature the member alone is refused.
        const signed = fixture.sign(headerFor(fixture.key, { [member]: url }), tokenClaims())
        expectRejected(fixture.verifier, signed, 'token_header_forbidden')
      }
    },
  )

  it.each(['jku', 'x5u'])(
    '%s as an array, a file URL or an empty string is forbidden',
    (member) => {
      for (const value of [[`${origin}/jwks.json`], 'file:///etc/passwd', '']) {
        const token = forge(alg, key, { alg, typ: 'JWT', kid, [member]: value }, tokenClaims())
        expectRejected(fixture.verifier, token, 'token_header_forbidden')
      }
    },
  )

  it('x5c carrying the attacker key is forbidden', () => {
    const chain = [attackerDer(alg).toString('base64')]
    const header = { alg, typ: 'JWT', kid, x5c: chain }
    expectRejected(
      fixture.verifier,
      forge(alg, key, header, tokenClaims()),
      'token_header_forbidden',
    )
    const signed = fixture.sign(headerFor(fixture.key, { x5c: chain }), tokenClaims())
    expectRejected(fixture.verifier, signed, 'token_header_forbidden')
  })

  it.each(['x5t', 'x5t#S256'])(
    '%s (a certificate thumbprint to look up) is forbidden',
    (member) => {
      const digest = member === 'x5t' ? 'sha1' : 'sha256'
      const thumbprint = b64url(createHash(digest).update(attackerDer(alg)).digest())
      const signed = fixture.sign(headerFor(fixture.key, { [member]: thumbprint }), tokenClaims())
      expectRejected(fixture.verifier, signed, 'token_header_forbidden')
      expectRejected(
        fixture.verifier,
        forge(alg, key, { alg, kid, [member]: thumbprint }, tokenClaims()),
        'token_header_forbidden',
      )
    },
  )

  it('jku, x5u and x5c together, validly signed by the ring, are forbidden', () => {
    const members = {
      jku: `${origin}/a`,
      x5u: `${origin}/b`,
      x5c: [attackerDer(alg).toString('base64')],
    }
    const signed = fixture.sign(headerFor(fixture.key, members), tokenClaims())
    expectRejected(fixture.verifier, signed, 'token_header_forbidden')
  })
})

// RFC 7515 4.1.11: a verifier that does not understand a `crit` extension must reject the
// token. Tessera understands none (RFC 7797 `b64` included), and refuses every member outside
// alg/typ/kid, so no extension can change what the signature covers.
describe.each(RING_ALGS)('`crit` (%s ring)', (alg) => {
  const fixture: Fixture = createFixture(alg)
  keepGenuineWorking(() => fixture)

  it.each([
    ['crit naming an unknown extension', { crit: ['tessera-skip'], 'tessera-skip': true }],
    ['crit naming exp', { crit: ['exp'], exp: 0 }],
    ['crit naming a registered member', { crit: ['kid'] }],
    ['an empty crit', { crit: [] }],
    ['crit as a string', { crit: 'b64' }],
    ['crit null', { crit: null }],
    ['b64 false with crit (RFC 7797)', { b64: false, crit: ['b64'] }],
    ['b64 false without crit', { b64: false }],
    ['b64 true', { b64: true }],
    ['cty JWT (a nested token)', { cty: 'JWT' }],
    ['an unknown member', { foo: 'bar' }],
    ['typ at+jwt', { typ: 'at+jwt' }],
    ['typ JWS', { typ: 'JWS' }],
    ['typ empty', { typ: '' }],
    ['typ null', { typ: null }],
    ['typ a number', { typ: 1 }],
    ['kid null', { kid: null }],
    ['kid a number', { kid: 1 }],
    ['kid an array', { kid: [fixture.key.kid] }],
  ])('%s, validly signed, is forbidden', (_case, extra) => {
    const token = fixture.sign(headerFor(fixture.key, extra), tokenClaims())
    expectRejected(fixture.verifier, token, 'token_header_forbidden')
  })

  it('an own __proto__ member, validly signed, is forbidden', () => {
    const { kid } = fixture.key
    const raw = `{"alg":"${alg}","typ":"JWT","kid":"${kid}","__proto__":{"alg":"none"}}`
    const token = signWithKey(fixture.key, b64url(raw), jsonSegment(tokenClaims()))
    expectRejected(fixture.verifier, token, 'token_header_forbidden')
  })

  it('b64 false over an unencoded, detached payload (RFC 7797 5.2) is malformed', () => {
    const header = jsonSegment(headerFor(fixture.key, { b64: false, crit: ['b64'] }))
    const detached = signWithKey(fixture.key, header, 'A').replace('.A.', '..')
    expectRejected(fixture.verifier, detached, 'token_malformed')
  })
})
