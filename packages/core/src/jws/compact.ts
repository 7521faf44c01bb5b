import { isUtf8 } from 'node:buffer'
import { hasCanonicalEnd } from './base64url.js'
import { hasDuplicateMembers } from './duplicate-members.js'

/** Tokens longer than this are rejected before any parsing (security.md: 8 KiB). */
export const MAX_TOKEN_LENGTH = 8192

/** The positions of the two dots of a well-formed JWS compact serialization. */
export interface CompactLayout {
  /** Index of the first dot: the header is `token.slice(0, headerEnd)`. */
  readonly headerEnd: number
  /** Index of the second dot: the signing input is `token.slice(0, payloadEnd)`. */
  readonly payloadEnd: number
}

/**
 * Strict pre-parse of a JWS compact serialization (RFC 7515 7.1), before any decoding: a size
 * cap, exactly two dots found without splitting (so 100k dots cost nothing), and three
 * non-empty canonical base64url segments. Returns undefined for anything else, including JWS
 * JSON serialization and 5-segment JWE.
 */
export function layoutCompact(token: unknown): CompactLayout | undefined {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return undefined
  // One linear native pass (no segment can hold a dot, so no backtracking) over the alphabet.
  if (!THREE_SEGMENTS.test(token)) return undefined
  const headerEnd = token.indexOf('.')
  const payloadEnd = token.indexOf('.', headerEnd + 1)
  if (
    !hasCanonicalEnd(token, 0, headerEnd) ||
    !hasCanonicalEnd(token, headerEnd + 1, payloadEnd) ||
    !hasCanonicalEnd(token, payloadEnd + 1, token.length)
  ) {
    return undefined
  }
  return { headerEnd, payloadEnd }
}

const THREE_SEGMENTS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/** A JSON object decoded from a token segment. */
export type JsonObject = Record<string, unknown>

/**
 * Decodes `token[start, end)` (already checked canonical base64url) into a JSON object: valid
 * UTF-8, valid JSON, an object (not an array, string or null), no duplicate member names.
 * Returns undefined otherwise.
 */
export function decodeJsonSegment(
  token: string,
  start: number,
  end: number,
): JsonObject | undefined {
  const bytes = Buffer.from(token.slice(start, end), 'base64url')
  if (!isUtf8(bytes)) return undefined
  const text = bytes.toString('utf8')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  if (hasDuplicateMembers(text, value)) return undefined
  return value as JsonObject
}
