/**
 * Seconds a response may be cached, from its `Cache-Control` header (RFC 9111 5.2.2): `max-age`
 * when given; `no-store` and `no-cache` count as 0; undefined when the header says nothing.
 * A malformed or repeated `max-age` is ignored (RFC 9111 4.2.1: treat as stale).
 */
export function maxAgeSeconds(header: string | null): number | undefined {
  if (header === null) return undefined
  let maxAge: number | undefined
  let seen = 0
  for (const part of header.split(',')) {
    const directive = part.trim().toLowerCase()
    if (directive === 'no-store' || directive === 'no-cache') return 0
    const match = /^max-age\s*=\s*"?(\d{1,10})"?$/.exec(directive)
    if (directive.startsWith('max-age')) {
      seen++
      if (match !== null) maxAge = Number(match[1])
    }
  }
  return seen === 1 ? maxAge : seen > 1 ? 0 : undefined
}
