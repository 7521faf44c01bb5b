/**
 * How tokens travel between the API and its clients:
 * - `body`: simplejwt's JSON bodies and the `Authorization` header (the default);
 * - `cookie`: HttpOnly cookies, never readable by page scripts, with CSRF protection;
 * - `both`: each request chooses; one that sends the CSRF header (`X-CSRFToken`) gets cookies,
 *   one that does not gets simplejwt's bodies (mobile apps and servers beside a browser app).
 */
export type TokenTransportMode = 'body' | 'cookie' | 'both'

/** Options of the cookie transport (`TesseraPluginOptions.transport`). */
export interface TokenTransportOptions {
  /** Default `body`: no cookie is read or written, and nothing below applies. */
  readonly mode: TokenTransportMode
  /**
   * `Secure` cookies with the `__Host-` / `__Secure-` prefixes. Default true. False is the
   * development mode for plain `http://` (other than localhost, which browsers already treat as
   * secure): no `Secure`, no prefixes. Never in production (the server refuses it).
   */
  readonly secure?: boolean
  /**
   * Origins (`https://app.example.com`) trusted to send cookie-authenticated unsafe requests,
   * besides the API's own origin: the CORS allowed origins and `CSRF_TRUSTED_ORIGINS`.
   */
  readonly trustedOrigins?: readonly string[]
}
