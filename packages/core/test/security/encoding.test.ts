import { importAsymmetricKey, importHmacKey, type SigningKey } from '@tessera/core'
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
  type RingAlg,
  ringKey,
  segmentBytes,
  segmentsOf,
  signWithKey,
  tokenClaims,
} from './forge.js'

const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const SEGMENT_NAMES = ['header', 'payload', 'signature'] as const

/** True when a segment can show every re-spelling: unused trailing bits and a `-` or `_`. */
function isRichSegment(segment: string): boolean {
  return segment.length % 4 !== 0 && /[-_]/.test(segment)
}

/** The ring key of `alg` under a kid whose header segment is a rich segment. */
function keyWithRichHeader(alg: RingAlg): SigningKey {
  const material = ringKey(alg)
  for (let i = 0; i < 1000; i++) {
    const kid = `k${i.toString(36)}~~~`
    if (!isRichSegment(jsonSegment({ alg, typ: 'JWT', kid }))) continue
    return alg === 'HS256'
      ? importHmacKey(material.verifyingKey.export(), alg, { kid })
      : importAsymmetricKey(alg, { privateKey: material.signingKey, kid })
  }
  throw new Error(`no rich header kid for ${alg}`)
}

/** Re-spellings of one segment that decode (leniently) to the same bytes or nearly. */
function respellings(segment: string): [string, string, boolean][] {
  const out: [string, string, boolean][] = []
  // [name, re-spelled segment, same bytes under a lenient decoder?]
  out.push(['one "=" appended', `${segment}=`, true])
  out.push(['"==" appended', `${segment}==`, true])
  out.push(['full padding', segment.padEnd(Math.ceil(segment.length / 4) * 4, '='), true])
  out.push(['"%3D" (URL-encoded padding) appended', `${segment}%3D`, false])
  out.push([
    'the standard alphabet (+ and /)',
    segment.replaceAll('-', '+').replaceAll('_', '/'),
    true,
  ])
  const last = DIGITS.indexOf(segment.at(-1) as string)
  const unused = segment.length % 4 === 2 ? 0x0f : 0x03
  for (let bits = 1; bits <= unused; bits++) {
    const flipped = `${segment.slice(0, -1)}${DIGITS[last ^ bits]}`
    out.push([`unused trailing bits flipped (^${bits})`, flipped, true])
  }
  const middle = segment.length >> 1
  for (const [name, ws] of [
    ['a space', ' '],
    ['a newline', '\n'],
    ['CRLF', '\r\n'],
    ['a tab', '\t'],
    ['a zero-width space', '\u200b'],
  ]) {
    out.push([
      `${name} inside`,
      `${segment.slice(0, middle)}${ws}${segment.slice(middle)}`,
      ws !== '\u200b',
    ])
  }
  out.push([
    'a fullwidth letter',
    `${segment.slice(0, middle)}\uff21${segment.slice(middle + 1)}`,
    false,
  ])
  const toOne = (4 + 1 - (segment.length % 4)) % 4 || 4
  out.push(['length % 4 == 1', `${segment}${'A'.repeat(toOne)}`, false])
  return out
}

// One token, one spelling (security.md): Node, jose and most libraries decode padded, standard
// alphabet, whitespace-laden and trailing-bit-flipped base64url to the same bytes, so a single
// token could be re-spelled past a string-keyed cache, log filter or blocklist.
describe.each(RING_ALGS)('non-canonical base64url (%s ring)', (alg) => {
  const fixture: Fixture = createFixture(alg, { keys: [keyWithRichHeader(alg)] })
  keepGenuineWorking(() => fixture)
  let specimen = ''
  // Three '~' (0x7E) always put a 111110 group ('-') in the payload; the x's vary its length.
  for (let i = 0; specimen === '' && i < 1000; i++) {
    const claims = tokenClaims({ pad: `~~~${'x'.repeat(i % 5)}` })
    const token = fixture.sign(headerFor(fixture.key), claims)
    // A payload of length % 4 == 2 has the most unused bits (4): the case count stays fixed.
    const rich = segmentsOf(token).every(isRichSegment)
    if (rich && (segmentsOf(token)[1] as string).length % 4 === 2) specimen = token
  }
  const segments = segmentsOf(specimen)

  it('the canonical specimen verifies', () => {
    expectVerifies(fixture.verifier, specimen, 'access')
  })

  const cases = SEGMENT_NAMES.flatMap((name, index) =>
    respellings(segments[index] as string).map(
      ([how, spelled, same]) => [name, how, index, spelled, same] as const,
    ),
  )

  it.each(cases)('%s with %s is malformed', (_name, _how, index, spelled, same) => {
    const parts = [...segments]
    parts[index] = spelled
    if (same)
      expect(segmentBytes(spelled.replace(/[\s\u200b]/g, ''))).toEqual(
        segmentBytes(segments[index] as string),
      )
    expectRejected(fixture.verifier, parts.join('.'), 'token_malformed')
  })

  it.each([
    ['leading whitespace', ` ${specimen}`],
    ['a trailing newline', `${specimen}\n`],
    ['CRLF at the end', `${specimen}\r\n`],
    ['a newline after a dot', specimen.replace('.', '.\n')],
    ['a space before a dot', specimen.replace('.', ' .')],
    [
      'every segment padded',
      segments.map((s) => s.padEnd(Math.ceil(s.length / 4) * 4, '=')).join('.'),
    ],
    [
      'the whole token in the standard alphabet',
      specimen.replaceAll('-', '+').replaceAll('_', '/'),
    ],
  ])('the token with %s is malformed', (_case, spelled) => {
    expectRejected(fixture.verifier, spelled, 'token_malformed')
  })
})

/** A validly signed token whose header and payload are exactly these JSON texts. */
function signRaw(fixture: Fixture, header: string, payload: string): string {
  return signWithKey(fixture.key, b64url(header), b64url(payload))
}

/** The genuine claims as JSON text without the closing brace, to append duplicates to. */
function claimsText(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify(tokenClaims(overrides)).slice(0, -1)
}

// RFC 7515 4 / RFC 7519 4: member names MUST be unique. JSON.parse keeps the last duplicate,
// other parsers the first: the signer and the verifier could read different claims.
describe.each(RING_ALGS)('duplicate header or claim keys (%s ring)', (alg) => {
  const fixture: Fixture = createFixture(alg)
  keepGenuineWorking(() => fixture)
  const kid = fixture.key.kid
  const claims = JSON.stringify(tokenClaims())

  it.each([
    ['alg twice, same value', `{"alg":"${alg}","alg":"${alg}","typ":"JWT","kid":"${kid}"}`],
    ['alg none, then the real alg', `{"alg":"none","typ":"JWT","kid":"${kid}","alg":"${alg}"}`],
    ['the real alg, then alg none', `{"alg":"${alg}","typ":"JWT","kid":"${kid}","alg":"none"}`],
    ['kid twice', `{"alg":"${alg}","typ":"JWT","kid":"attacker","kid":"${kid}"}`],
    ['typ twice', `{"alg":"${alg}","typ":"JWT","typ":"JWT","kid":"${kid}"}`],
    [
      'an escaped "\\u0061lg" duplicate',
      `{"alg":"${alg}","typ":"JWT","kid":"${kid}","\\u0061lg":"${alg}"}`,
    ],
    [
      'a fully escaped alg first',
      `{"\\u0061\\u006c\\u0067":"HS256","alg":"${alg}","kid":"${kid}"}`,
    ],
    ['an escaped kid duplicate', `{"alg":"${alg}","kid":"${kid}","\\u006bid":"other"}`],
    ['whitespace around the names', `{ "alg" : "${alg}" , "kid" : "${kid}" , "alg" : "${alg}" }`],
  ])('a header with %s is malformed', (_case, header) => {
    expectRejected(fixture.verifier, signRaw(fixture, header, claims), 'token_malformed')
  })

  const header = JSON.stringify(headerFor(fixture.key))
  it.each([
    [
      'token_type refresh, then access',
      `${claimsText({ token_type: 'refresh' })},"token_type":"access"}`,
    ],
    ['token_type access, then refresh', `${claimsText()},"token_type":"refresh"}`],
    ['exp expired, then valid', `${claimsText({ exp: NOW - 1000 })},"exp":${NOW + 300}}`],
    ['exp valid, then far future', `${claimsText()},"exp":${NOW + 10 ** 9}}`],
    ['user_id twice', `${claimsText()},"user_id":"1"}`],
    ['jti twice', `${claimsText()},"jti":"${'0'.repeat(32)}"}`],
    ['an escaped "\\u0065xp" duplicate', `${claimsText()},"\\u0065xp":${NOW + 10 ** 9}}`],
    ['an escaped "\\u0075ser_id" duplicate', `${claimsText()},"\\u0075ser_id":"1"}`],
    [
      'an escaped name and a quote in a value',
      `${claimsText({ note: 'say "hi"' })},"\\u006ati":"x"}`,
    ],
    [
      'a duplicate inside a nested object',
      `${claimsText()},"profile":{"role":"user","role":"admin"}}`,
    ],
    [
      'a duplicate inside an array of objects',
      `${claimsText()},"grants":[{"scope":"r","scope":"rw"}]}`,
    ],
    ['__proto__ twice', `${claimsText()},"__proto__":{"is_staff":true},"__proto__":{}}`],
    ['whitespace before the colon', `${claimsText()},"exp" :${NOW + 10 ** 9}}`],
  ])('claims with %s are malformed', (_case, payload) => {
    expectRejected(fixture.verifier, signRaw(fixture, header, payload), 'token_malformed')
  })

  // The duplicate check must not refuse honest JSON that merely looks repetitive.
  it.each([
    ['the same name in sibling objects', `${claimsText()},"a":{"x":1},"b":{"x":1}}`],
    ['the same name at two depths', `${claimsText()},"exp_meta":{"exp":1,"jti":"n"}}`],
    ['a name repeated as array values', `${claimsText()},"list":["exp","exp"]}`],
    ['a value that looks like a member', `${claimsText()},"note":"exp:"}`],
    ['an escaped quote and colon in a value', `${claimsText()},"note":"\\"exp\\":1"}`],
    ['an escaped name, no duplicate', `${claimsText()},"\\u006eote":1}`],
  ])('claims with %s still verify', (_case, payload) => {
    expectVerifies(fixture.verifier, signRaw(fixture, header, payload), 'access')
  })
})

const INVALID_UTF8: [string, number[]][] = [
  ['0xFF', [0xff]],
  ['0xFE', [0xfe]],
  ['a lone continuation byte', [0x80]],
  ['an overlong "/" (C0 AF)', [0xc0, 0xaf]],
  ['an overlong 3-byte "/" (E0 80 AF)', [0xe0, 0x80, 0xaf]],
  ['a UTF-16 surrogate (ED A0 80)', [0xed, 0xa0, 0x80]],
  ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ['a truncated sequence', [0xe2, 0x82]],
  ['a 5-byte sequence', [0xf8, 0x88, 0x80, 0x80, 0x80]],
]

/** `prefix`, then the raw bytes, then `suffix`. */
function withBytes(prefix: string, bytes: number[], suffix: string): Buffer {
  return Buffer.concat([Buffer.from(prefix), Buffer.from(bytes), Buffer.from(suffix)])
}

// A lenient decoder maps invalid UTF-8 to U+FFFD, so different byte strings (different
// signatures) would read as the same claims. The bytes must be valid UTF-8, or malformed.
describe.each(RING_ALGS)('invalid UTF-8 (%s ring)', (alg) => {
  const fixture: Fixture = createFixture(alg)
  keepGenuineWorking(() => fixture)
  const kid = fixture.key.kid
  const claims = jsonSegment(tokenClaims())
  const header = jsonSegment(headerFor(fixture.key))

  it.each(INVALID_UTF8)('%s in a header value, validly signed, is malformed', (_case, bytes) => {
    const bad = b64url(withBytes(`{"alg":"${alg}","typ":"JWT","kid":"${kid}`, bytes, '"}'))
    expectRejected(fixture.verifier, signWithKey(fixture.key, bad, claims), 'token_malformed')
  })

  it.each(INVALID_UTF8)(
    '%s in a header member name, validly signed, is malformed',
    (_case, bytes) => {
      const bad = b64url(withBytes(`{"alg":"${alg}","kid":"${kid}","`, bytes, '":1}'))
      expectRejected(fixture.verifier, signWithKey(fixture.key, bad, claims), 'token_malformed')
    },
  )

  it.each(INVALID_UTF8)('%s in a claim value, validly signed, is malformed', (_case, bytes) => {
    const bad = b64url(withBytes(`${claimsText()},"name":"`, bytes, '"}'))
    expectRejected(fixture.verifier, signWithKey(fixture.key, header, bad), 'token_malformed')
  })

  it.each(INVALID_UTF8)('%s in the user id, validly signed, is malformed', (_case, bytes) => {
    const bad = b64url(withBytes(`${claimsText({ user_id: undefined })},"user_id":"4`, bytes, '"}'))
    expectRejected(fixture.verifier, signWithKey(fixture.key, header, bad), 'token_malformed')
  })

  it('valid non-ASCII UTF-8 (and a BMP-escaped emoji) verifies', () => {
    const payload = jsonSegment(tokenClaims({ name: 'Zoë 名前 😀', note: '\ud83d\ude00' }))
    const token = signWithKey(fixture.key, header, payload)
    expect(expectVerifies(fixture.verifier, token, 'access').claims.name).toBe('Zoë 名前 😀')
  })
})
