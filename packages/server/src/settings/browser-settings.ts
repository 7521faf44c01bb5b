import type { SettingSpec, SpecBase } from '@tessera/core'
import { booleanSpec, boundedDurationSpec, defineSpec, enumSpec, invalid } from './spec-builders.js'

/** How tokens travel: simplejwt's bodies, HttpOnly cookies, or the client's choice. */
export const TOKEN_TRANSPORTS = ['body', 'cookie', 'both'] as const

/** One of {@link TOKEN_TRANSPORTS}. */
export type TokenTransport = (typeof TOKEN_TRANSPORTS)[number]

/** The settings of the browser half: CORS (django-cors-headers' names) and cookie mode. */
export interface BrowserSettings {
  /**
   * `body` (simplejwt's JSON bodies and bearer header, the default), `cookie` (HttpOnly
   * cookies, CSRF-protected, tokens never in a body) or `both` (a request sending `X-CSRFToken`
   * gets cookies, any other simplejwt's bodies).
   */
  readonly TOKEN_TRANSPORT: TokenTransport
  /**
   * `Secure` cookies with the `__Host-`/`__Secure-` prefixes. Default true. False is the
   * development mode for plain `http://` hosts; `TESSERA_ENV=production` refuses it.
   */
  readonly COOKIE_SECURE: boolean
  /** Exact origins (`https://app.example.com`) whose pages may call the API; empty: no CORS. */
  readonly CORS_ALLOWED_ORIGINS: readonly string[]
  /** Let those origins send cookies (`Access-Control-Allow-Credentials`). Default false. */
  readonly CORS_ALLOW_CREDENTIALS: boolean
  /** Request headers those origins may send. Default django-cors-headers' list. */
  readonly CORS_ALLOW_HEADERS: readonly string[]
  /** Response headers their scripts may read. Default `retry-after`. */
  readonly CORS_EXPOSE_HEADERS: readonly string[]
  /** Seconds a browser may cache a preflight answer (0 to 86400). Default 86400. */
  readonly CORS_PREFLIGHT_MAX_AGE: number
  /** More origins trusted for cookie-authenticated unsafe requests, beside the CORS ones. */
  readonly CSRF_TRUSTED_ORIGINS: readonly string[]
}

/** Browser settings as given in code or in `tessera.config.json`. */
export type BrowserSettingsInput = {
  readonly TOKEN_TRANSPORT?: TokenTransport
  readonly COOKIE_SECURE?: boolean
  readonly CORS_ALLOWED_ORIGINS?: readonly string[] | string
  readonly CORS_ALLOW_CREDENTIALS?: boolean
  readonly CORS_ALLOW_HEADERS?: readonly string[] | string
  readonly CORS_EXPOSE_HEADERS?: readonly string[] | string
  readonly CORS_PREFLIGHT_MAX_AGE?: number | string
  readonly CSRF_TRUSTED_ORIGINS?: readonly string[] | string
}

export const ORIGIN_FORM =
  'a list of origins such as https://app.example.com (scheme, host, port; no path)'
const HEADER_FORM = 'a list of HTTP header names'
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/

/** A list, comma-separated in the environment and a JSON array or that string in the file. */
export function listSpec(
  base: SpecBase<readonly string[]>,
  form: string,
  check: (item: string) => string | undefined,
): SettingSpec<readonly string[]> {
  const parse = (raw: unknown): readonly string[] => {
    const items = typeof raw === 'string' ? splitList(raw) : raw
    if (!Array.isArray(items)) throw invalid(base.name, form, raw)
    return Object.freeze(
      items.map((item: unknown) => {
        const checked = typeof item === 'string' ? check(item) : undefined
        if (checked === undefined) throw invalid(base.name, form, item)
        return checked
      }),
    )
  }
  return defineSpec(base, parse, {
    parseEnv: (text) => parse(splitList(text)),
    format: (value) => (value.length === 0 ? '(none)' : value.join(',')),
  })
}

function splitList(text: string): string[] {
  return text.trim() === '' ? [] : text.split(',').map((item) => item.trim())
}

/**
 * An exact origin as browsers send it in `Origin`: `http(s)://host[:port]`, nothing after.
 * `*` is refused: the API names whom it trusts, and never `*` beside credentials.
 */
export function exactOrigin(text: string): string | undefined {
  try {
    const url = new URL(text)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
    return url.origin === text ? text : undefined
  } catch {
    return undefined
  }
}

const headerName = (text: string) => (HEADER_NAME.test(text) ? text.toLowerCase() : undefined)

/** The specs of {@link BrowserSettings}, in documentation order. */
export const browserSettingSpecs: {
  readonly [K in keyof BrowserSettings]: SettingSpec<BrowserSettings[K]>
} = Object.freeze({
  TOKEN_TRANSPORT: enumSpec(
    {
      name: 'TOKEN_TRANSPORT',
      default: 'body',
      description: 'body (simplejwt JSON), cookie (HttpOnly cookies + CSRF) or both.',
    },
    TOKEN_TRANSPORTS,
  ),
  COOKIE_SECURE: booleanSpec({
    name: 'COOKIE_SECURE',
    default: true,
    description: 'Secure, __Host-/__Secure- cookies; false only for http:// development.',
  }),
  CORS_ALLOWED_ORIGINS: listSpec(
    {
      name: 'CORS_ALLOWED_ORIGINS',
      default: Object.freeze([]),
      description: 'Exact origins whose pages may call the API (empty: CORS off).',
    },
    ORIGIN_FORM,
    exactOrigin,
  ),
  CORS_ALLOW_CREDENTIALS: booleanSpec({
    name: 'CORS_ALLOW_CREDENTIALS',
    default: false,
    description: 'Let the allowed origins send cookies (cookie mode across origins).',
  }),
  CORS_ALLOW_HEADERS: listSpec(
    {
      name: 'CORS_ALLOW_HEADERS',
      default: Object.freeze([
        'accept',
        'authorization',
        'content-type',
        'user-agent',
        'x-csrftoken',
        'x-requested-with',
      ]),
      description: 'Request headers the allowed origins may send.',
    },
    HEADER_FORM,
    headerName,
  ),
  CORS_EXPOSE_HEADERS: listSpec(
    {
      name: 'CORS_EXPOSE_HEADERS',
      default: Object.freeze(['retry-after']),
      description: 'Response headers the allowed origins may read.',
    },
    HEADER_FORM,
    headerName,
  ),
  CORS_PREFLIGHT_MAX_AGE: boundedDurationSpec(
    {
      name: 'CORS_PREFLIGHT_MAX_AGE',
      default: 86_400,
      description: 'Seconds (0-86400) a browser may cache a preflight answer.',
    },
    0,
    86_400,
  ),
  CSRF_TRUSTED_ORIGINS: listSpec(
    {
      name: 'CSRF_TRUSTED_ORIGINS',
      default: Object.freeze([]),
      description: 'More origins trusted for cookie-authenticated unsafe requests.',
    },
    ORIGIN_FORM,
    exactOrigin,
  ),
})
