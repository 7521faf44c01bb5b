import type { MfaStep } from '@tessera/client'
import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { api, call } from '../lib/api.js'
import { navigate } from '../lib/router.js'
import { Check, Field, Form, Notice, Page } from '../lib/ui.js'

/** Props of the pages anyone may open. */
interface PublicProps {
  onSignedIn: () => void
}

/** Where to go after logging in: `?next=` when it is a page of this server, else the profile. */
function nextPage(): string {
  const next = new URLSearchParams(location.search).get('next') ?? ''
  // Only a path of this site: never an open redirect to another origin (`//evil.example`).
  return /^\/(account|admin)\//.test(next) ? next : '/account/profile/'
}

/**
 * The `uid` and `token` of a mail link, from the fragment (`#MQ/abc-123`): a fragment is never
 * sent to a server, so the token stays out of access logs and `Referer` headers.
 */
export function linkParts(): { uid: string; token: string } | null {
  const [uid, token] = location.hash.replace(/^#\/?/, '').split('/')
  return uid && token ? { uid, token } : null
}

/** What logins name the user by (the server's `LOGIN_FIELD`, in a `<meta>` of the page). */
function loginField(): 'username' | 'email' {
  const meta = document.querySelector('meta[name="tessera-login-field"]')
  return meta?.getAttribute('content') === 'email' ? 'email' : 'username'
}

/** Log in, then the second factor when the account has one. */
export function LoginPage(props: PublicProps): JSX.Element {
  const [step, setStep] = useState<MfaStep | undefined>()
  const [recovery, setRecovery] = useState(false)
  const finish = () => {
    props.onSignedIn()
    navigate(nextPage(), { replace: true })
  }
  if (step !== undefined) {
    const passkey = step.methods.includes('passkey')
    const totp = step.methods.includes('totp')
    return (
      <Page title="Two-factor authentication">
        {passkey && (
          <Form
            key="mfa-passkey"
            label="Confirm with a passkey"
            submit="Use a passkey"
            onSubmit={async () => {
              await step.submitPasskey()
              finish()
            }}
          >
            <p>Confirm with one of your passkeys.</p>
          </Form>
        )}
        {totp && <p>Enter the 6-digit code from your authenticator app.</p>}
        {!totp ? null : recovery ? (
          <Form
            key="recovery"
            label="Log in with a recovery code"
            submit="Log in"
            onSubmit={async (data) => {
              await step.submitRecoveryCode(data.recovery_code ?? '')
              finish()
            }}
          >
            <Field label="Recovery code" name="recovery_code" autoComplete="off" required />
          </Form>
        ) : (
          <Form
            key="code"
            label="Log in with a code from the app"
            submit="Verify"
            onSubmit={async (data) => {
              await step.submitCode(data.code ?? '', { rememberDevice: data.remember === 'true' })
              finish()
            }}
          >
            <Field
              label="Code"
              name="code"
              autoComplete="one-time-code"
              inputMode="numeric"
              required
            />
            <Check label="Remember this device" name="remember" />
          </Form>
        )}
        {totp && (
          <button type="button" class="secondary" onClick={() => setRecovery(!recovery)}>
            {recovery ? 'Use a code from the app' : 'Use a recovery code instead'}
          </button>
        )}
      </Page>
    )
  }
  return (
    <Page title="Log in">
      {/* Keyed: the step's forms must never take over these forms' state or elements. */}
      <Form
        key="password"
        label="Log in"
        submit="Log in"
        onSubmit={async (data) => {
          const field = loginField()
          const result = await api.login({
            [field]: data[field] ?? '',
            password: data.password ?? '',
          })
          if (result.mfaRequired) setStep(result)
          else finish()
        }}
      >
        {loginField() === 'email' ? (
          <Field label="Email" name="email" type="email" autoComplete="username" required />
        ) : (
          <Field label="Username" name="username" autoComplete="username" required />
        )}
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
        />
      </Form>
      <Form
        key="passkey"
        label="Log in with a passkey"
        submit="Log in with a passkey"
        onSubmit={async () => {
          const result = await api.loginWithPasskey()
          if (result.mfaRequired) setStep(result)
          else finish()
        }}
      >
        <p class="hint">No password needed: your device asks for its screen lock.</p>
      </Form>
      <p>
        <a href="/account/password/forgot/">Forgot your password?</a> ·{' '}
        <a href="/account/username/forgot/">Forgot your username?</a>
      </p>
      <p>
        New here? <a href="/account/register/">Create an account</a>
      </p>
    </Page>
  )
}

/** Create an account; with activation on, the mail's link finishes it. */
export function RegisterPage(): JSX.Element {
  const [done, setDone] = useState<Record<string, unknown> | undefined>()
  if (done !== undefined) {
    return (
      <Page title="Account created">
        <Notice kind="ok">
          {done.is_active === true
            ? 'Your account is ready.'
            : `Check ${String(done.email)}: when this server asks for activation, a link to activate the account is on its way. Open it, then log in.`}
        </Notice>
        <p>
          <a href="/account/login/">Log in</a>
        </p>
      </Page>
    )
  }
  return (
    <Page title="Create an account">
      <Form
        label="Create an account"
        submit="Create account"
        onSubmit={async (data) => {
          const created = await api.register({
            username: data.username,
            email: data.email,
            password: data.password,
            first_name: data.first_name,
            last_name: data.last_name,
          })
          setDone({ email: data.email, ...created })
        }}
      >
        <Field label="Username" name="username" autoComplete="username" required />
        <Field label="Email" name="email" type="email" autoComplete="email" required />
        <Field label="First name" name="first_name" autoComplete="given-name" />
        <Field label="Last name" name="last_name" autoComplete="family-name" />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
        />
      </Form>
      <p>
        Already have an account? <a href="/account/login/">Log in</a>
      </p>
    </Page>
  )
}

/** One action from a mail link (`uid` and `token` in the fragment). */
function LinkPage(props: {
  title: string
  action: string
  run: (parts: { uid: string; token: string }) => Promise<void>
  done: string
}): JSX.Element {
  const parts = linkParts()
  const [finished, setFinished] = useState(false)
  return (
    <Page title={props.title}>
      {parts === null ? (
        <Notice kind="error">This link is incomplete. Copy the whole link from the mail.</Notice>
      ) : finished ? (
        <>
          <Notice kind="ok">{props.done}</Notice>
          <p>
            <a href="/account/login/">Log in</a>
          </p>
        </>
      ) : (
        <Form
          label={props.title}
          submit={props.action}
          onSubmit={async () => {
            await props.run(parts)
            setFinished(true)
          }}
        >
          <p>Confirm to continue.</p>
        </Form>
      )}
    </Page>
  )
}

/** The activation mail's link. */
export function ActivatePage(): JSX.Element {
  return (
    <LinkPage
      title="Activate your account"
      action="Activate my account"
      run={(parts) => api.activate(parts)}
      done="Your account is active. You can log in."
    />
  )
}

/** The email-change mail's link. */
export function ConfirmEmailPage(): JSX.Element {
  return (
    <LinkPage
      title="Confirm your new email"
      action="Confirm this address"
      run={(parts) => call('POST', '/auth/users/email_change_confirm/', parts)}
      done="Your email address is changed."
    />
  )
}

/** Ask for a reset link by mail. */
export function ForgotPasswordPage(): JSX.Element {
  return (
    <Page title="Forgot your password?">
      <Form
        label="Reset password"
        submit="Send me a link"
        onSubmit={async (data) => {
          await api.requestPasswordReset(data.email ?? '')
          return 'If an account has this address, a link to reset its password is on its way.'
        }}
      >
        <Field label="Email" name="email" type="email" autoComplete="email" required />
      </Form>
    </Page>
  )
}

/** The reset mail's link: choose a new password. */
export function ResetPasswordPage(): JSX.Element {
  const parts = linkParts()
  const [done, setDone] = useState(false)
  return (
    <Page title="Choose a new password">
      {parts === null ? (
        <Notice kind="error">This link is incomplete. Copy the whole link from the mail.</Notice>
      ) : done ? (
        <>
          <Notice kind="ok">Your password is changed; every session was signed out.</Notice>
          <p>
            <a href="/account/login/">Log in</a>
          </p>
        </>
      ) : (
        <Form
          label="Choose a new password"
          submit="Set password"
          onSubmit={async (data) => {
            await api.confirmPasswordReset({ ...parts, new_password: data.new_password ?? '' })
            setDone(true)
          }}
        >
          <Field
            label="New password"
            name="new_password"
            type="password"
            autoComplete="new-password"
            required
          />
        </Form>
      )}
    </Page>
  )
}

/** Ask for a username reset link by mail (djoser's `reset_username`). */
export function ForgotUsernamePage(): JSX.Element {
  return (
    <Page title="Forgot your username?">
      <Form
        label="Reset username"
        submit="Send me a link"
        onSubmit={async (data) => {
          await call('POST', '/auth/users/reset_username/', { email: data.email ?? '' })
          return 'If an account has this address, a link to choose a new username is on its way.'
        }}
      >
        <Field label="Email" name="email" type="email" autoComplete="email" required />
      </Form>
    </Page>
  )
}

/** The username reset mail's link: choose a new username. */
export function ResetUsernamePage(): JSX.Element {
  const parts = linkParts()
  const [done, setDone] = useState(false)
  return (
    <Page title="Choose a new username">
      {parts === null ? (
        <Notice kind="error">This link is incomplete. Copy the whole link from the mail.</Notice>
      ) : done ? (
        <>
          <Notice kind="ok">Your username is changed.</Notice>
          <p>
            <a href="/account/login/">Log in</a>
          </p>
        </>
      ) : (
        <Form
          label="Choose a new username"
          submit="Set username"
          onSubmit={async (data) => {
            await call('POST', '/auth/users/reset_username_confirm/', {
              ...parts,
              new_username: data.new_username ?? '',
            })
            setDone(true)
          }}
        >
          <Field label="New username" name="new_username" autoComplete="username" required />
        </Form>
      )}
    </Page>
  )
}
