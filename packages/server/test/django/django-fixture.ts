import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * The fixture made with the real Django 3.2 + DRF 3.14 + simplejwt 5.2 (copied from the team's
 * instruments so that a clone has it): a database with users of every hasher, a group, direct
 * and group permissions, outstanding and blacklisted refresh tokens, and the tokens themselves.
 */
export const FIXTURE_DATABASE = fileURLToPath(
  new URL('../fixtures/django-simplejwt.sqlite3', import.meta.url),
)

export interface FixtureUser {
  readonly id: number
  readonly username: string
  readonly password: string | null
  readonly hasher: string
  readonly is_active?: boolean
  readonly is_staff?: boolean
  readonly is_superuser?: boolean
}

export interface FixtureToken {
  readonly username: string
  readonly user_id: number
  readonly refresh: string
  readonly access: string
  readonly state: 'outstanding' | 'blacklisted'
  readonly jti: string
  readonly issued_at: number
}

export const FIXTURE = JSON.parse(
  readFileSync(new URL('../fixtures/django-simplejwt.json', import.meta.url), 'utf8'),
) as {
  readonly signing_key: string
  readonly users: readonly FixtureUser[]
  readonly tokens: readonly FixtureToken[]
}

/** When the fixture's tokens were minted: its tests run on a clock frozen a minute later. */
export const MINTED_AT = Math.min(...FIXTURE.tokens.map((token) => token.issued_at))
