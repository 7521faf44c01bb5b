import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { call } from '../lib/api.js'
import { Field, Form, Loaded, Notice, Page, useLoad } from '../lib/ui.js'

interface Status {
  enabled: boolean
  pending: boolean
  recovery_codes_left: number
}

interface Setup {
  secret: string
  otpauth_uri: string
  qr_svg: string
}

/** The QR code as an image: a data: URL (the CSP allows `img-src data:`), no inline markup. */
function qrImage(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`
}

function RecoveryCodes(props: { codes: string[] }): JSX.Element {
  return (
    <section class="card" aria-labelledby="codes-title">
      <h2 id="codes-title">Your recovery codes</h2>
      <Notice>
        Keep these somewhere safe: each logs you in once if you lose your phone. They are shown only
        now.
      </Notice>
      <ul class="codes mono">
        {props.codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
    </section>
  )
}

/** Turn TOTP on (password, QR code, a first code; recovery codes), or off, or new codes. */
export function TwoFactorPage(): JSX.Element {
  const [status, error, reload] = useLoad(() => call<Status>('GET', '/api/mfa/'), [])
  const [setup, setSetup] = useState<Setup | undefined>()
  const [codes, setCodes] = useState<string[] | undefined>()
  return (
    <Page title="Two-factor authentication">
      {codes !== undefined && <RecoveryCodes codes={codes} />}
      <Loaded value={status} error={error}>
        {(current) =>
          current.enabled ? (
            <>
              <Notice kind="ok">
                Two-factor authentication is on. Recovery codes left: {current.recovery_codes_left}.
              </Notice>
              <div class="grid2">
                <Form
                  label="New recovery codes"
                  submit="Replace recovery codes"
                  reset
                  onSubmit={async (data) => {
                    const answer = await call<{ recovery_codes: string[] }>(
                      'POST',
                      '/api/mfa/recovery-codes/',
                      { password: data.password ?? '', code: data.code ?? '' },
                    )
                    setCodes(answer.recovery_codes)
                    reload()
                  }}
                >
                  <h2>New recovery codes</h2>
                  <Field
                    label="Password"
                    name="password"
                    type="password"
                    autoComplete="current-password"
                  />
                  <Field
                    label="Code from the app"
                    name="code"
                    inputMode="numeric"
                    autoComplete="one-time-code"
                  />
                </Form>
                <Form
                  label="Turn off two-factor authentication"
                  submit="Turn off"
                  danger
                  onSubmit={async (data) => {
                    await call('POST', '/api/mfa/totp/disable/', {
                      password: data.password ?? '',
                      code: data.code ?? '',
                    })
                    setCodes(undefined)
                    reload()
                  }}
                >
                  <h2>Turn off</h2>
                  <Field
                    label="Password"
                    name="password"
                    type="password"
                    autoComplete="current-password"
                  />
                  <Field
                    label="Code from the app"
                    name="code"
                    inputMode="numeric"
                    autoComplete="one-time-code"
                  />
                </Form>
              </div>
            </>
          ) : setup === undefined ? (
            <>
              <p>
                Protect your account with a code from an authenticator app (any TOTP app) on top of
                your password.
              </p>
              <Form
                label="Start two-factor setup"
                submit="Set up"
                onSubmit={async (data) => {
                  setSetup(
                    await call<Setup>('POST', '/api/mfa/totp/setup/', {
                      password: data.password ?? '',
                    }),
                  )
                }}
              >
                <Field
                  label="Password"
                  name="password"
                  type="password"
                  autoComplete="current-password"
                  required
                />
              </Form>
            </>
          ) : (
            <section class="card">
              <h2>Scan this code</h2>
              <img class="qr" src={qrImage(setup.qr_svg)} alt="QR code of your two-factor secret" />
              <p>
                Or enter this key by hand: <code data-testid="totp-secret">{setup.secret}</code>
              </p>
              <Form
                label="Confirm two-factor setup"
                submit="Turn on"
                onSubmit={async (data) => {
                  const answer = await call<{ recovery_codes: string[] }>(
                    'POST',
                    '/api/mfa/totp/confirm/',
                    { code: data.code ?? '' },
                  )
                  setCodes(answer.recovery_codes)
                  setSetup(undefined)
                  reload()
                }}
              >
                <Field
                  label="Code from the app"
                  name="code"
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  required
                />
              </Form>
            </section>
          )
        }
      </Loaded>
    </Page>
  )
}
