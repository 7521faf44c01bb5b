import { call } from '../lib/api.js'

/** Where the admin API lives (docs/api-contract.md, "Admin API"). */
export const ADMIN = '/api/admin'

/** DRF's PageNumberPagination answer. */
export interface PageOf<T> {
  count: number
  next: string | null
  previous: string | null
  results: T[]
}

/** A JSON object of the API. */
export type Row = Record<string, unknown>

/** Rows per page in the portal's lists. */
export const PAGE_SIZE = 25

/** A query string from the non-empty values. */
export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value))
  }
  const text = search.toString()
  return text === '' ? '' : `?${text}`
}

/** A page of a list route of the admin API. */
export function page<T = Row>(
  path: string,
  params: Record<string, string | number | undefined>,
): Promise<PageOf<T>> {
  return call<PageOf<T>>('GET', `${ADMIN}${path}${query({ page_size: PAGE_SIZE, ...params })}`)
}

/** A call of the admin API. */
export function admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  return call<T>(method, `${ADMIN}${path}`, body)
}

/** The list of a route answering either a bare array or a page (keys, permissions). */
export function rows<T = Row>(answer: T[] | PageOf<T>): T[] {
  return Array.isArray(answer) ? answer : answer.results
}
