/** What an `Authorization` header holds for one of the accepted schemes. */
export type AuthorizationCredentials =
  | { readonly kind: 'none' }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'token'; readonly token: string }

/** JWS compact characters only: such a value has no whitespace to split on. */
const TOKEN_TEXT = /^[A-Za-z0-9_.-]+$/

const NONE: AuthorizationCredentials = Object.freeze({ kind: 'none' })
const MALFORMED: AuthorizationCredentials = Object.freeze({ kind: 'malformed' })

/**
 * simplejwt's `get_raw_token`: no header or another scheme is `none` (anonymous); one of
 * `schemes` (case-sensitive) with zero or several values is `malformed`
 * (`bad_authorization_header`); otherwise the one value is the token.
 */
export function readAuthorizationHeader(
  header: string | undefined,
  schemes: ReadonlySet<string>,
): AuthorizationCredentials {
  if (header === undefined) return NONE
  // The common case, `Bearer <token>` with one space and a token without whitespace, splits
  // the same as below without the split's allocations.
  const space = header.indexOf(' ')
  if (space > 0) {
    const token = header.slice(space + 1)
    if (schemes.has(header.slice(0, space)) && TOKEN_TEXT.test(token)) {
      return { kind: 'token', token }
    }
  }
  // Python's str.split(): any run of whitespace separates, leading/trailing ignored.
  const parts = header.trim().split(/\s+/)
  const scheme = parts[0]
  if (scheme === undefined || scheme === '' || !schemes.has(scheme)) return NONE
  if (parts.length !== 2) return MALFORMED
  return { kind: 'token', token: parts[1] as string }
}
