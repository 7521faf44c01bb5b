import { expect } from 'vitest'
import { postJson } from '../cli/service-fixtures.js'

const PASSWORD = 'correct horse battery staple'

/** `Authorization: Bearer <access>`. */
export function bearer(access: string): Record<string, string> {
  return { authorization: `Bearer ${access}` }
}

/** GETs `url`, with `access` as the bearer token when given; the body parsed as JSON. */
export async function getJson(url: string, access?: string) {
  const response = await fetch(url, { headers: access === undefined ? {} : bearer(access) })
  return { status: response.status, headers: response.headers, body: await response.json() }
}

/** The status of a `method` request to `url` with `access` as the bearer token. */
export async function statusOf(url: string, method: string, access: string): Promise<number> {
  const response = await fetch(url, { method, headers: bearer(access) })
  await response.arrayBuffer()
  return response.status
}

/** Registers `username` on the Tessera at `base`; resolves to a fresh access token. */
export async function signIn(base: string, username: string): Promise<string> {
  const registered = await postJson(`${base}/api/register/`, { username, password: PASSWORD })
  expect(registered.status).toBe(201)
  const tokens = await postJson(`${base}/api/token/`, { username, password: PASSWORD })
  expect(tokens.status).toBe(200)
  return tokens.body.access as string
}

/** `127.0.0.1:8000` of `http://127.0.0.1:8000`. */
export function hostOf(url: string): string {
  return new URL(url).host
}
