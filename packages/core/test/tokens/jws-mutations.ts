// Mutations of compact JWS tokens for the property tests: byte edits, base64 re-spellings and
// JSON re-encodings, as plain data (so fast-check prints and shrinks them) and one function that
// applies them.
import { createHmac, sign } from 'node:crypto'
import type { SigningKey } from '@tessera/core'
import fc from 'fast-check'
import { b64url } from './jws-fixtures.js'

export type Anchor = 'any' | 'start' | 'dot1' | 'dot2' | 'end'
export interface Position {
  readonly anchor: Anchor
  readonly offset: number
  readonly any: number
}

/** An index into `token` (0..length): anywhere, or near a segment boundary where bugs hide. */
function indexIn(token: string, at: Position, inclusiveEnd: boolean): number {
  const limit = inclusiveEnd ? token.length : Math.max(0, token.length - 1)
  if (at.anchor === 'any') return at.any % (limit + 1)
  const base =
    at.anchor === 'start'
      ? 0
      : at.anchor === 'dot1'
        ? token.indexOf('.')
        : at.anchor === 'dot2'
          ? token.lastIndexOf('.')
          : token.length
  return Math.min(limit, Math.max(0, base + at.offset))
}

/** A JSON re-encoding of a segment's object. */
export interface JsonVariant {
  /** Sort weights for the members (key order), or null to keep the order. */
  readonly order: readonly number[] | null
  readonly colon: string
  readonly comma: string
  readonly before: string
  readonly after: string
  /** Replace one letter or digit of a member name or string value with a `\uXXXX` escape. */
  readonly escape: { readonly member: number; readonly inKey: boolean; readonly nth: number } | null
  /** Repeat a member, with the same or another value, first or last. */
  readonly duplicate: {
    readonly member: number
    readonly same: boolean
    readonly first: boolean
  } | null
  /** How top-level integers are written: 1750000300, 1750000300.0 or 1.7500003e9. */
  readonly numbers: 'plain' | 'decimal' | 'exponent'
  /** Drop a member (not semantically equal, but still must not verify under the old signature). */
  readonly drop: number | null
}

export type Mutation =
  | { readonly kind: 'flip'; readonly at: Position; readonly bit: number }
  | { readonly kind: 'insert'; readonly at: Position; readonly text: string }
  | { readonly kind: 'delete'; readonly at: Position; readonly count: number }
  | { readonly kind: 'replace'; readonly at: Position; readonly text: string }
  | { readonly kind: 'alphabet'; readonly nth: number; readonly all: boolean }
  | { readonly kind: 'padding'; readonly segment: number; readonly count: number }
  | { readonly kind: 'tail'; readonly segment: number; readonly delta: number }
  | { readonly kind: 'whitespace'; readonly at: Position; readonly text: string }
  | {
      readonly kind: 'rebase64'
      readonly segment: number
      readonly standard: boolean
      readonly padded: boolean
    }
  | { readonly kind: 'json'; readonly segment: 0 | 1; readonly variant: JsonVariant }
  | { readonly kind: 'structure'; readonly op: 'swap01' | 'swap12' | 'dup-sig' | 'no-sig' | 'dot' }

const position: fc.Arbitrary<Position> = fc.record({
  anchor: fc.constantFrom<Anchor>('any', 'any', 'start', 'dot1', 'dot2', 'end'),
  offset: fc.integer({ min: -3, max: 3 }),
  any: fc.nat(),
})

// Characters a parser might be lenient about, plus anything at all.
const nearAlphabet = fc.constantFrom(...'AQgw09azAZ-_+/=.%\\"{}'.split(''))
const someText = fc.oneof(
  nearAlphabet,
  fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
)
const WHITESPACE = [' ', '\n', '\r\n', '\r', '\t', '\v', '\f', '\u00a0', '\u2028', '\ufeff', '\0']
const jsonWhitespace = fc.constantFrom('', ' ', '\n', '\t', '\r\n  ')

export function jsonVariant(semanticOnly: boolean): fc.Arbitrary<JsonVariant> {
  const outer = semanticOnly
    ? jsonWhitespace
    : fc.oneof(jsonWhitespace, fc.constantFrom('\ufeff', '\u00a0'))
  return fc.record({
    order: fc.option(fc.array(fc.integer(), { minLength: 12, maxLength: 12 })),
    colon: fc.constantFrom(':', ': ', ' : ', ':\n'),
    comma: fc.constantFrom(',', ', ', ' ,\n', ',\t'),
    before: outer,
    after: outer,
    escape: fc.option(fc.record({ member: fc.nat(), inKey: fc.boolean(), nth: fc.nat() })),
    duplicate: fc.option(fc.record({ member: fc.nat(), same: fc.boolean(), first: fc.boolean() }), {
      freq: 3,
    }),
    numbers: fc.constantFrom<JsonVariant['numbers']>('plain', 'decimal', 'exponent'),
    drop: semanticOnly ? fc.constant(null) : fc.option(fc.nat(), { freq: 4 }),
  })
}

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: position,
    bit: fc.integer({ min: 0, max: 15 }),
  }),
  fc.record({ kind: fc.constant('insert' as const), at: position, text: someText }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: position,
    count: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({ kind: fc.constant('replace' as const), at: position, text: someText }),
  fc.record({ kind: fc.constant('alphabet' as const), nth: fc.nat(), all: fc.boolean() }),
  fc.record({
    kind: fc.constant('padding' as const),
    segment: fc.integer({ min: 0, max: 2 }),
    count: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({
    kind: fc.constant('tail' as const),
    segment: fc.integer({ min: 0, max: 2 }),
    delta: fc.integer({ min: 1, max: 15 }),
  }),
  fc.record({
    kind: fc.constant('whitespace' as const),
    at: position,
    text: fc.constantFrom(...WHITESPACE),
  }),
  fc.record({
    kind: fc.constant('rebase64' as const),
    segment: fc.integer({ min: 0, max: 2 }),
    standard: fc.boolean(),
    padded: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('json' as const),
    segment: fc.constantFrom<0 | 1>(0, 1),
    variant: jsonVariant(false),
  }),
  fc.record({
    kind: fc.constant('structure' as const),
    op: fc.constantFrom('swap01', 'swap12', 'dup-sig', 'no-sig', 'dot') as fc.Arbitrary<
      'swap01' | 'swap12' | 'dup-sig' | 'no-sig' | 'dot'
    >,
  }),
)

const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** Writes a top-level integer another way that JSON.parse reads as the same number. */
function writeNumber(value: unknown, style: JsonVariant['numbers']): string {
  const text = JSON.stringify(value)
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || style === 'plain') return text
  if (style === 'decimal') return `${text}.0`
  const sign = value < 0 ? '-' : ''
  const digits = String(Math.abs(value))
  return `${sign}${digits[0]}.${digits.slice(1) || '0'}e${digits.length - 1}`
}

/** Escapes the nth letter or digit inside a JSON string literal as `\uXXXX`. */
function escapeOne(literal: string, nth: number): string {
  const spots: number[] = []
  for (let i = 1; i < literal.length - 1; i++) {
    if (/[A-Za-z0-9]/.test(literal[i] as string) && literal[i - 1] !== '\\') spots.push(i)
  }
  if (spots.length === 0) return literal
  const i = spots[nth % spots.length] as number
  const escaped = `\\u${literal.charCodeAt(i).toString(16).padStart(4, '0')}`
  return literal.slice(0, i) + escaped + literal.slice(i + 1)
}

/** Re-encodes `object` as JSON text according to `v`. */
export function encodeVariant(object: Record<string, unknown>, v: JsonVariant): string {
  let entries = Object.entries(object)
  if (v.drop !== null && entries.length > 1) entries.splice(v.drop % entries.length, 1)
  const order = v.order
  if (order !== null) {
    entries = entries
      .map((entry, i) => ({ entry, weight: order[i % order.length] ?? 0, i }))
      .sort((a, b) => a.weight - b.weight || a.i - b.i)
      .map(({ entry }) => entry)
  }
  const members = entries.map(([name, value], i) => {
    let key = JSON.stringify(name)
    let text = writeNumber(value, v.numbers)
    if (v.escape !== null && v.escape.member % entries.length === i) {
      if (v.escape.inKey) key = escapeOne(key, v.escape.nth)
      else if (typeof value === 'string') text = escapeOne(text, v.escape.nth)
    }
    return `${key}${v.colon}${text}`
  })
  if (v.duplicate !== null) {
    const [name, value] = entries[v.duplicate.member % entries.length] as [string, unknown]
    const repeated = `${JSON.stringify(name)}${v.colon}${JSON.stringify(v.duplicate.same ? value : 'other')}`
    if (v.duplicate.first) members.unshift(repeated)
    else members.push(repeated)
  }
  return `${v.before}{${members.join(v.comma)}}${v.after}`
}

function replaceSegment(token: string, index: number, segment: string): string {
  const parts = token.split('.')
  parts[index] = segment
  return parts.join('.')
}

export function applyMutation(token: string, m: Mutation): string {
  switch (m.kind) {
    case 'flip': {
      if (token.length === 0) return token
      const i = indexIn(token, m.at, false)
      const flipped = String.fromCharCode(token.charCodeAt(i) ^ (1 << m.bit))
      return token.slice(0, i) + flipped + token.slice(i + 1)
    }
    case 'insert':
    case 'whitespace': {
      const i = indexIn(token, m.at, true)
      return token.slice(0, i) + m.text + token.slice(i)
    }
    case 'delete': {
      const i = indexIn(token, m.at, false)
      return token.slice(0, i) + token.slice(i + m.count)
    }
    case 'replace': {
      const i = indexIn(token, m.at, false)
      return token.slice(0, i) + m.text + token.slice(i + 1)
    }
    case 'alphabet': {
      // base64url -> base64: the same bytes in the other alphabet (RFC 4648 4 vs 5).
      const swap = (c: string) => (c === '-' ? '+' : c === '_' ? '/' : c)
      if (m.all) return token.replace(/[-_]/g, swap)
      const spots = [...token.matchAll(/[-_]/g)].map((match) => match.index)
      if (spots.length === 0) return token
      const i = spots[m.nth % spots.length] as number
      return token.slice(0, i) + swap(token[i] as string) + token.slice(i + 1)
    }
    case 'padding': {
      const parts = token.split('.')
      const i = m.segment % parts.length
      parts[i] = `${parts[i]}${'='.repeat(m.count)}`
      return parts.join('.')
    }
    case 'tail': {
      // The last digit of a segment carries 2 or 4 unused bits: changing only those decodes to
      // the same bytes, the non-canonical spelling most decoders accept (RFC 4648 3.5).
      const parts = token.split('.')
      const i = m.segment % parts.length
      const segment = parts[i] ?? ''
      const unused = segment.length % 4 === 2 ? 0x0f : segment.length % 4 === 3 ? 0x03 : 0
      if (unused === 0) return token
      const value = DIGITS.indexOf(segment.slice(-1))
      if (value === -1) return token
      const respelled = DIGITS[(value & ~unused) | ((value + m.delta) & unused)] as string
      parts[i] = segment.slice(0, -1) + respelled
      return parts.join('.')
    }
    case 'rebase64': {
      const parts = token.split('.')
      const i = m.segment % parts.length
      const bytes = Buffer.from(parts[i] ?? '', 'base64url')
      let text = bytes.toString(m.standard ? 'base64' : 'base64url')
      if (!m.padded) text = text.replace(/=+$/, '')
      else if (!m.standard) text = text.padEnd(Math.ceil(text.length / 4) * 4, '=')
      parts[i] = text
      return parts.join('.')
    }
    case 'json': {
      const segment = token.split('.')[m.segment] ?? ''
      let object: unknown
      try {
        object = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
      } catch {
        return token // an earlier mutation already broke this segment
      }
      if (typeof object !== 'object' || object === null || Array.isArray(object)) return token
      const text = encodeVariant(object as Record<string, unknown>, m.variant)
      return replaceSegment(token, m.segment, b64url(text))
    }
    case 'structure': {
      const [h = '', p = '', s = ''] = token.split('.')
      if (m.op === 'swap01') return [p, h, s].join('.')
      if (m.op === 'swap12') return [h, s, p].join('.')
      if (m.op === 'dup-sig') return `${token}.${s}`
      if (m.op === 'no-sig') return `${h}.${p}.`
      return `${token}.`
    }
  }
}

/** The test's own signer (node:crypto), so it shares no code with Tessera's. */
export function signInput(key: SigningKey, input: string): string {
  const secret = key.signingKey
  if (secret === undefined) throw new Error('fixture: verify-only key')
  if (key.alg === 'HS256') return createHmac('sha256', secret).update(input).digest('base64url')
  if (key.alg === 'ES256') {
    return sign('sha256', Buffer.from(input), { key: secret, dsaEncoding: 'ieee-p1363' }).toString(
      'base64url',
    )
  }
  return sign(null, Buffer.from(input), secret).toString('base64url')
}
