import { createClient, type ErrorBody, TesseraApiError } from '@tessera/client'

let needsSession: () => boolean = () => true

/**
 * Tells the client whether the page open now needs a session. A public page (a mail's link
 * above all: its token is in the fragment) stays where it is when an old session turns out to
 * be over; the others go to the login page.
 */
export function whenSessionEnds(check: () => boolean): void {
  needsSession = check
}

/**
 * The pages' one client: cookie mode against this server (`baseUrl: ''`), so no script ever
 * holds a token; unsafe requests carry the CSRF header. A session that ends elsewhere (a
 * logout everywhere, a deactivation) sends the user to the login page.
 */
export const api = createClient({
  baseUrl: '',
  transport: 'cookie',
  onSessionEnd: () => {
    if (!needsSession()) return
    const here = location.pathname + location.search
    location.assign(`/account/login/?next=${encodeURIComponent(here)}`)
  },
})

/** A JSON call of the API through the client (refresh on 401, CSRF header); throws its error. */
export async function call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: { accept: 'application/json' } }
  if (body !== undefined) {
    init.body = JSON.stringify(body)
    ;(init.headers as Record<string, string>)['content-type'] = 'application/json'
  }
  const response = await api.fetch(path, init)
  if (!response.ok) {
    const parsed: unknown = await response.json().catch(() => undefined)
    const body =
      parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
        ? (parsed as ErrorBody)
        : undefined
    throw new TesseraApiError(response.status, body)
  }
  if (response.status === 204) return undefined as T
  const text = await response.text()
  return (text === '' ? undefined : JSON.parse(text)) as T
}

/** The signed-in user, or null: resumes a session from the refresh cookie after a reload. */
export async function currentUser(): Promise<Record<string, unknown> | null> {
  if (!api.signedIn && !(await api.resume())) return null
  try {
    return await api.me()
  } catch (error) {
    if (error instanceof TesseraApiError && error.status === 401) return null
    throw error
  }
}

/** A sentence for the user from any failure: the server's detail, else a general one. */
export function errorMessage(error: unknown): string {
  if (error instanceof TesseraApiError) {
    if (error.detail !== undefined) return error.detail
    const first = Object.values(error.body ?? {}).find((value) => Array.isArray(value))
    if (Array.isArray(first) && typeof first[0] === 'string') return first[0]
    if (error.status === 429) return 'Too many attempts; try again later.'
    return `The server refused the request (${error.status}).`
  }
  // The browser's passkey prompt: cancelled, timed out, or no passkey for this site.
  if (error instanceof Error && error.name === 'NotAllowedError') {
    return 'The passkey request was cancelled or timed out.'
  }
  return 'The server could not be reached. Check your connection and try again.'
}

/** The field errors of a DRF 400 body, by field name. */
export function fieldErrors(error: unknown): Record<string, string[]> {
  if (!(error instanceof TesseraApiError) || error.body === undefined) return {}
  const out: Record<string, string[]> = {}
  for (const [key, value] of Object.entries(error.body)) {
    if (Array.isArray(value) && key !== 'non_field_errors') out[key] = value.map(String)
  }
  return out
}
