import { randomBytes } from 'node:crypto'
import {
  generateSigningKey,
  importAsymmetricKey,
  importHmacKey,
  KeyRing,
  type SigningKey,
  TokenVerifier,
} from '@tessera/core'
import { afterEach, describe, expect, it } from 'vitest'
import {
  attackerKey,
  createFixture,
  expectRejected,
  expectVerifies,
  type Fixture,
  type ForgeAlg,
  forge,
  headerFor,
  jsonSegment,
  keepGenuineWorking,
  NOW,
  RING_ALGS,
  type RingAlg,
  signWithKey,
  tokenClaims,
} from './forge.js'

const INJECTED_KIDS = [
  '../../../../../../etc/passwd',
  '../../../../dev/null',
  '/dev/null',
  '..\\..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  'file:///etc/passwd',
  'keys/../../../proc/self/environ',
  "' OR '1'='1",
  "x' UNION SELECT 'secret' --",
  '1; DROP TABLE keys; --',
  '" OR ""="',
  '$(curl http://127.0.0.1:1/x)',
  '`id`',
  '; rm -rf / #',
  '| nc 127.0.0.1 4444',
  '&& cat /etc/shadow',
  '{"$ne":null}',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'valueOf',
  '',
  ' ',
  '\u0000',
  '*',
  'http://127.0.0.1:1/jwks.json',
  'k'.repeat(2000),
]

// A kid is only a key into our own ring (a Map): it never reaches a file path, a query, a
// shell or a URL, and no prototype member answers for a key.
describe.each(RING_ALGS)('`kid` path traversal, SQL and command injection (%s ring)', (alg) => {
  const fixture: Fixture = createFixture(alg)
  keepGenuineWorking(() => fixture)
  const kid = fixture.key.kid

  it.each(INJECTED_KIDS)('kid %j, attacker-signed, is an unknown key', (injected) => {
    const token = forge(alg, attackerKey(alg), { alg, typ: 'JWT', kid: injected }, tokenClaims())
    expectRejected(fixture.verifier, token, 'token_key_unknown')
  })

  it.each(INJECTED_KIDS)(
    'kid %j, validly signed by the ring key, is an unknown key',
    (injected) => {
      expectRejected(
        fixture.verifier,
        fixture.sign(headerFor(fixture.key, { kid: injected }), tokenClaims()),
        'token_key_unknown',
      )
    },
  )

  it('the /dev/null trick (an empty HMAC secret) is an unknown key', () => {
    const token = forge(
      'HS256',
      Buffer.alloc(0),
      { alg: 'HS256', kid: '../../../../dev/null' },
      tokenClaims(),
    )
    expectRejected(fixture.verifier, token, 'token_key_unknown')
  })

  it.each([
    ['a trailing NUL', `${kid}\u0000`],
    ['a trailing space', `${kid} `],
    ['a leading space', ` ${kid}`],
    ['a trailing newline', `${kid}\n`],
    ['a path suffix', `${kid}/../${kid}`],
    ['a different case', kid.toUpperCase() === kid ? kid.toLowerCase() : kid.toUpperCase()],
    ['a prefix of it', kid.slice(0, -1)],
    ['a SQL tail', `${kid}' OR '1'='1`],
  ])("the ring's kid with %s is an unknown key", (_case, near) => {
    expect(near).not.toBe(kid)
    expectRejected(
      fixture.verifier,
      fixture.sign(headerFor(fixture.key, { kid: near }), tokenClaims()),
      'token_key_unknown',
    )
  })

  it('a kid spelled with JSON escapes is the same kid (JSON semantics, nothing more)', () => {
    const escaped = kid.replace(/./g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    const header = `{"alg":"${alg}","typ":"JWT","kid":"${escaped}"}`
    const token = signWithKey(
      fixture.key,
      Buffer.from(header).toString('base64url'),
      jsonSegment(tokenClaims()),
    )
    expectVerifies(fixture.verifier, token)
  })
})

const CLAIMED_ALGS: ForgeAlg[] = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS512',
  'PS256',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
]

// RFC 8725 3.1: the key decides the algorithm, never the header. Each claimed algorithm is
// really signed (with an attacker key of that algorithm) to show only the binding refuses it.
describe.each(RING_ALGS)('kid/alg mismatch (%s ring)', (alg) => {
  const fixture: Fixture = createFixture(alg)
  keepGenuineWorking(() => fixture)
  const kid = fixture.key.kid

  it.each(CLAIMED_ALGS.filter((claimed) => claimed !== alg))(
    "alg %s with the ring's kid (and with no kid) is a mismatch",
    (claimed) => {
      const claims = tokenClaims()
      const withKid = forge(
        claimed,
        attackerKey(claimed),
        { alg: claimed, typ: 'JWT', kid },
        claims,
      )
      const kidless = forge(claimed, attackerKey(claimed), { alg: claimed, typ: 'JWT' }, claims)
      expectRejected(fixture.verifier, withKid, 'token_algorithm_mismatch')
      expectRejected(fixture.verifier, kidless, 'token_algorithm_mismatch')
    },
  )

  const misspelled = [
    alg.toLowerCase(),
    alg.toUpperCase(),
    ` ${alg}`,
    `${alg} `,
    `${alg}\u0000`,
    `${alg}X`,
  ]
  it.each(misspelled.filter((spelled) => spelled !== alg))(
    'alg %j (the right one misspelled) is a mismatch',
    (spelled) => {
      expectRejected(
        fixture.verifier,
        fixture.sign(headerFor(fixture.key, { alg: spelled }), tokenClaims()),
        'token_algorithm_mismatch',
      )
    },
  )

  it("the ring's own signature under another alg name is a mismatch", () => {
    for (const claimed of CLAIMED_ALGS.filter((other) => other !== alg)) {
      expectRejected(
        fixture.verifier,
        fixture.sign(headerFor(fixture.key, { alg: claimed }), tokenClaims()),
        'token_algorithm_mismatch',
      )
    }
  })

  it('in a ring of two algorithms, each kid only takes its own algorithm', () => {
    const otherAlg: RingAlg = alg === 'HS256' ? 'ES256' : 'HS256'
    const other = generateSigningKey(otherAlg, { kid: 'other-key', status: 'next' })
    const mixed = createFixture(alg, { keys: [fixture.key, other] })
    // The other key's genuine token verifies under its own kid...
    const good = signWithKey(other, jsonSegment(headerFor(other)), jsonSegment(tokenClaims()))
    expectVerifies(mixed.verifier, good)
    // ...but not when re-labelled with the current key's kid, nor the reverse.
    const relabelled = signWithKey(
      other,
      jsonSegment({ alg: otherAlg, kid }),
      jsonSegment(tokenClaims()),
    )
    expectRejected(mixed.verifier, relabelled, 'token_algorithm_mismatch')
    const reverse = fixture.sign({ alg, kid: 'other-key' }, tokenClaims())
    expectRejected(mixed.verifier, reverse, 'token_algorithm_mismatch')
    expectVerifies(mixed.verifier, mixed.pair.access.token, 'access')
  })
})

/** A retired copy of `key` (same material), verifying until `verifyUntil`. */
function retire(key: SigningKey, verifyUntil: number): SigningKey {
  const options = { kid: key.kid, status: 'retired' as const, verifyUntil }
  if (key.alg === 'HS256' || key.alg === 'HS384' || key.alg === 'HS512') {
    return importHmacKey(key.verifyingKey.export(), key.alg, options)
  }
  return importAsymmetricKey(key.alg, { ...options, publicKey: key.verifyingKey })
}

// Rotation: a retired key verifies until its verifyUntil (inclusive) and never after; a key
// that left the ring, or never was in it, is unknown.
describe.each(RING_ALGS)('unknown or retired kid (%s ring)', (alg) => {
  const fixture: Fixture = createFixture(alg)
  keepGenuineWorking(() => fixture)
  const old = generateSigningKey(alg, { kid: `old-${alg}` })
  const verifyUntil = NOW + 600
  const ring = new KeyRing([fixture.key, retire(old, verifyUntil)])
  let now = NOW
  const verifier = new TokenVerifier({ keyRing: ring, clock: () => now })
  // Signed by the old key while it was current; long-lived so only the key window matters.
  const oldToken = signWithKey(
    old,
    jsonSegment(headerFor(old)),
    jsonSegment(tokenClaims({ exp: NOW + 86400 })),
  )
  afterEach(() => {
    now = NOW
    expectVerifies(verifier, fixture.pair.access.token, 'access')
  })

  it('a token of the retired key verifies inside its window, up to verifyUntil', () => {
    for (const at of [NOW, verifyUntil - 1, verifyUntil]) {
      now = at
      expectVerifies(verifier, oldToken, 'access')
    }
  })

  it.each([1, 2, 3600, 365 * 86400])(
    'a token of the retired key %i s past verifyUntil is an unknown key',
    (late) => {
      now = verifyUntil + late
      expectRejected(verifier, oldToken, 'token_key_unknown', 'access')
    },
  )

  it('a retired key never answers for kid-less tokens', () => {
    const kidless = signWithKey(old, jsonSegment({ alg, typ: 'JWT' }), jsonSegment(tokenClaims()))
    // Only the default (current) key takes kid-less tokens, and it did not sign this one.
    expectRejected(verifier, kidless, 'token_signature_invalid')
  })

  it('a token of a key that left the ring is an unknown key', () => {
    expectRejected(fixture.verifier, oldToken, 'token_key_unknown')
  })

  it.each([
    'unknown',
    `${fixture.key.kid}-2`,
    randomBytes(16).toString('hex'),
    'hs-AAAAAAAAAAAAAAAA',
  ])('a random or guessed kid (%s) is an unknown key', (guess) => {
    expectRejected(
      fixture.verifier,
      fixture.sign(headerFor(fixture.key, { kid: guess }), tokenClaims()),
      'token_key_unknown',
    )
  })

  it('the current key still verifies after the retired window closed', () => {
    now = verifyUntil + 1
    expectVerifies(
      verifier,
      fixture.sign(headerFor(fixture.key), tokenClaims({ exp: now + 60 })),
      'access',
    )
  })
})
