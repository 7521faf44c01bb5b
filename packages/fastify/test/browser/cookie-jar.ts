import type { LightMyRequestResponse } from 'fastify'

/** The cookies a browser would keep from `app.inject()` answers (paths ignored: tests choose). */
export class CookieJar {
  readonly #values = new Map<string, string>()

  /** Keeps the cookies an answer sets; one expired or emptied is forgotten. */
  take(response: LightMyRequestResponse): this {
    for (const cookie of response.cookies as { name: string; value: string; maxAge?: number }[]) {
      if (cookie.value === '' || cookie.maxAge === 0) this.#values.delete(cookie.name)
      else this.#values.set(cookie.name, cookie.value)
    }
    return this
  }

  get(name: string): string | undefined {
    return this.#values.get(name)
  }

  set(name: string, value: string): void {
    this.#values.set(name, value)
  }

  /** The `Cookie` header of the next request. */
  header(): string {
    return [...this.#values].map(([name, value]) => `${name}=${value}`).join('; ')
  }
}
