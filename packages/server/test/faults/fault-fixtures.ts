import { postJson } from '../cli/service-fixtures.js'

/** The password every user of the fault tests has. */
export const PASSWORD = 'correct horse battery staple'

/** A token pair as the token views answer it. */
export interface Pair {
  readonly access: string
  readonly refresh: string
}

/**
 * Polls `probe` every 20 ms until it returns a value other than undefined, and resolves to it;
 * rejects after `limitMs` naming `what`. The fault tests wait on conditions, never on a clock.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  limitMs = 20_000,
): Promise<T> {
  const deadline = performance.now() + limitMs
  let last: unknown
  while (performance.now() < deadline) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (error) {
      last = error
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`${what}: not within ${limitMs} ms${last === undefined ? '' : ` (${last})`}`)
}

/** The `jti` claim of a token. */
export function jtiOf(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString())
  return String(payload.jti)
}

/** Registers `username` on `baseUrl`; fails the test unless it answers 201. */
export async function register(baseUrl: string, username: string): Promise<void> {
  const response = await postJson(`${baseUrl}/api/register/`, { username, password: PASSWORD })
  if (response.status !== 201) {
    throw new Error(`register ${username}: ${response.status} ${JSON.stringify(response.body)}`)
  }
}

/** `POST /api/token/` as `username`: the status, headers and body, over the socket. */
export async function login(baseUrl: string, username: string) {
  return send(`${baseUrl}/api/token/`, { username, password: PASSWORD })
}

/** `POST /api/token/refresh/` with `refresh`: the status, headers and body. */
export async function refresh(baseUrl: string, token: string, timeoutMs?: number) {
  return send(`${baseUrl}/api/token/refresh/`, { refresh: token }, {}, timeoutMs)
}

/** A request's outcome, a dropped connection included (status 0), as the fault tests see it. */
export interface Answer {
  readonly status: number
  readonly retryAfter: string | null
  readonly body: Record<string, string>
}

/**
 * POSTs JSON; a connection the server dropped (a killed process), or no answer within
 * `timeoutMs`, answers status 0.
 */
export async function send(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 15_000,
): Promise<Answer> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      signal: AbortSignal.timeout(timeoutMs),
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
    const text = await response.text()
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: text === '' ? {} : (JSON.parse(text) as Record<string, string>),
    }
  } catch {
    return { status: 0, retryAfter: null, body: {} }
  }
}
