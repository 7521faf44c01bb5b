/** A token that reads like a JWT (`exp - iat` = `lifetime` seconds); the client never verifies. */
export function fakeJwt(name: string, lifetime = 300, iat = 1_700_000_000): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'HS256' })}.${part({ name, iat, exp: iat + lifetime })}.sig`
}

type Handler = (request: Request) => Response | Promise<Response>

/**
 * An API in a function: routes by method and path, records every request (with its body text),
 * and answers JSON. Stands in for the network in the unit tests; the real server is in the
 * integration and browser tests.
 */
export class FakeApi {
  readonly requests: { method: string; path: string; headers: Headers; body: string }[] = []
  readonly #routes = new Map<string, Handler>()

  on(method: string, path: string, handler: Handler): this {
    this.#routes.set(`${method} ${path}`, handler)
    return this
  }

  count(method: string, path: string): number {
    return this.requests.filter((r) => r.method === method && r.path === path).length
  }

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    const path = new URL(request.url).pathname
    const body = await request.clone().text()
    this.requests.push({ method: request.method, path, headers: request.headers, body })
    const handler = this.#routes.get(`${request.method} ${path}`)
    return handler === undefined ? reply(404, { detail: 'Not found.' }) : handler(request)
  }
}

/** A JSON answer. */
export function reply(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

/** A promise and its resolver, to hold an answer back until the test lets it go. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((done) => {
    resolve = done
  })
  return { promise, resolve }
}
