// Two-factor authentication end to end: `tessera serve` over a real socket, codes computed from
// the secret the server handed out, as an authenticator app would.
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { totpCode } from '@tessera/core/mfa'
import { createSqliteStores, openSqliteDatabase } from '@tessera/core/sqlite'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { useTempDirs } from '../temp-dir.js'
import { killServedTessera, requireBuiltCli, serveTessera } from './run-tessera.js'

const tempDir = useTempDirs()
const PASSWORD = 'correct horse battery staple'
const NEW_PASSWORD = 'another horse battery staple'

beforeAll(requireBuiltCli)
afterEach(killServedTessera)

type Json = Record<string, unknown>

function client(base: string) {
  return async (path: string, body?: unknown, access?: string) => {
    const response = await fetch(`${base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(access === undefined ? {} : { authorization: `Bearer ${access}` }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return { status: response.status, body: (await response.json()) as Json }
  }
}

describe('tessera serve: two-factor authentication over HTTP', () => {
  it('enrols, logs in with a code and a recovery code, trusts a device until the password changes', async () => {
    const cwd = tempDir()
    const env = {
      TESSERA_DATA_DIR: join(cwd, 'data'),
      TESSERA_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
      // This test logs the same user in more often than a person would in a minute.
      TESSERA_THROTTLE_LOGIN_USERNAME: '100/min',
    }
    const server = await serveTessera([], { cwd, env })
    const call = client(server.url)

    expect((await call('/api/register/', { username: 'ada', password: PASSWORD })).status).toBe(201)
    const first = await call('/api/token/', { username: 'ada', password: PASSWORD })
    expect(first.status).toBe(200)
    const access = first.body.access as string

    // Enrol: the secret, its URI and a QR code drawn by the server; confirm with a computed code.
    const setup = await call('/api/mfa/totp/setup/', { password: PASSWORD }, access)
    expect(setup.status).toBe(200)
    const secret = setup.body.secret as string
    expect(setup.body.otpauth_uri).toContain(`secret=${secret}`)
    expect(setup.body.qr_svg).toMatch(/^<svg /)
    const confirmedAt = Date.now() / 1000
    const confirm = await call(
      '/api/mfa/totp/confirm/',
      { code: totpCode(secret, confirmedAt) },
      access,
    )
    expect(confirm.status).toBe(200)
    const recoveryCodes = confirm.body.recovery_codes as string[]
    expect(recoveryCodes).toHaveLength(10)

    // Log out.
    expect(
      (await call('/api/token/blacklist/', { refresh: first.body.refresh }, access)).status,
    ).toBe(200)

    // Log in: the password step asks for the second factor.
    const step = await call('/api/token/', { username: 'ada', password: PASSWORD })
    expect(step.status).toBe(401)
    expect(step.body).toMatchObject({
      detail: 'Multi-factor authentication required.',
      code: 'mfa_required',
    })
    // The confirming code is spent; the next step's code (one step of drift) is fresh.
    const reused = await call('/api/token/mfa/', {
      mfa_token: step.body.mfa_token,
      code: totpCode(secret, confirmedAt),
    })
    expect(reused.status).toBe(401)
    expect(reused.body).toEqual({
      detail: 'Invalid authentication code.',
      code: 'mfa_code_invalid',
    })
    const withCode = await call('/api/token/mfa/', {
      mfa_token: step.body.mfa_token,
      code: totpCode(secret, confirmedAt + 30),
      remember_device: true,
    })
    expect(withCode.status).toBe(200)
    expect(Object.keys(withCode.body)).toEqual(['refresh', 'access', 'device_token'])
    const deviceToken = withCode.body.device_token as string
    const hello = await call('/api/hello/', undefined, withCode.body.access as string)
    expect(hello.status).toBe(200)

    // Log in with a recovery code.
    const again = await call('/api/token/', { username: 'ada', password: PASSWORD })
    const withRecovery = await call('/api/token/mfa/', {
      mfa_token: again.body.mfa_token,
      recovery_code: recoveryCodes[0],
    })
    expect(withRecovery.status).toBe(200)
    const status = await call('/api/mfa/', undefined, withRecovery.body.access as string)
    expect(status.body).toEqual({ enabled: true, pending: false, recovery_codes_left: 9 })

    // The trusted device skips the second step.
    const trusted = await call('/api/token/', {
      username: 'ada',
      password: PASSWORD,
      device_token: deviceToken,
    })
    expect(trusted.status).toBe(200)
    expect(Object.keys(trusted.body)).toEqual(['refresh', 'access'])

    // A password change revokes the device.
    const change = await call(
      '/api/password/change/',
      { old_password: PASSWORD, new_password: NEW_PASSWORD },
      trusted.body.access as string,
    )
    expect(change.status).toBe(200)
    const revoked = await call('/api/token/', {
      username: 'ada',
      password: NEW_PASSWORD,
      device_token: deviceToken,
    })
    expect(revoked.status).toBe(401)
    expect(revoked.body.code).toBe('mfa_required')

    // The secret is sealed with the key-encryption key at rest.
    const database = await openSqliteDatabase(join(cwd, 'data', 'tessera.sqlite3'))
    try {
      const stores = await createSqliteStores({ database, migrate: false })
      const stored = await stores.mfa.findTotp('1')
      expect(stored?.secret.startsWith('tessera-kek-v1.')).toBe(true)
      expect(stored?.secret).not.toContain(secret)
    } finally {
      database.close()
    }
    // Nothing secret reaches the logs.
    for (const value of [secret, deviceToken, step.body.mfa_token as string, recoveryCodes[1]]) {
      expect(server.output()).not.toContain(value)
    }
  })
})
