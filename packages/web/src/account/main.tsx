import type { JSX } from 'preact'
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { api, currentUser, whenSessionEnds } from '../lib/api.js'
import { interceptLinks, navigate, useLocation } from '../lib/router.js'
import { Shell } from '../lib/shell.js'
import { Notice } from '../lib/ui.js'
import {
  ActivatePage,
  ConfirmEmailPage,
  ForgotPasswordPage,
  ForgotUsernamePage,
  LoginPage,
  RegisterPage,
  ResetPasswordPage,
  ResetUsernamePage,
} from './auth-pages.js'
import { PasskeysPage } from './passkeys-page.js'
import { ChangePasswordPage, ProfilePage } from './profile-pages.js'
import { SessionsPage } from './sessions-page.js'
import { TwoFactorPage } from './two-factor-page.js'

/** The signed-in user as `/api/me/` answers. */
export type Me = Record<string, unknown>

const BASE = '/account/'

/** Pages anyone may open; the others need a session. */
const PUBLIC: Record<string, (props: { onSignedIn: () => void }) => JSX.Element> = {
  'login/': LoginPage,
  'register/': RegisterPage,
  'activate/': ActivatePage,
  'password/forgot/': ForgotPasswordPage,
  'password/reset/': ResetPasswordPage,
  'email/confirm/': ConfirmEmailPage,
  'username/forgot/': ForgotUsernamePage,
  'username/reset/': ResetUsernamePage,
}

const PRIVATE: Record<string, (props: { me: Me; onChange: () => void }) => JSX.Element> = {
  'profile/': ProfilePage,
  'password/': ChangePasswordPage,
  'sessions/': SessionsPage,
  'two-factor/': TwoFactorPage,
  'passkeys/': PasskeysPage,
}

const NAV = [
  { href: `${BASE}profile/`, label: 'Profile' },
  { href: `${BASE}password/`, label: 'Password' },
  { href: `${BASE}sessions/`, label: 'Sessions' },
  { href: `${BASE}two-factor/`, label: 'Two-factor' },
  { href: `${BASE}passkeys/`, label: 'Passkeys' },
]

function App(): JSX.Element {
  const url = useLocation()
  const [me, setMe] = useState<Me | null | undefined>(undefined)
  const [failed, setFailed] = useState(false)
  const [tick, setTick] = useState(0)
  useEffect(() => {
    currentUser().then(setMe, () => setFailed(true))
  }, [tick])
  const route = url.pathname.startsWith(BASE) ? url.pathname.slice(BASE.length) : ''
  const Public = PUBLIC[route]
  const Private = PRIVATE[route]
  // Loading again (not signed out) while the user is fetched anew, so no guard redirects meanwhile.
  const refresh = () => {
    setMe(undefined)
    setTick((n) => n + 1)
  }
  useEffect(() => {
    if (me === undefined) return
    if (Public === undefined && Private === undefined) {
      navigate(`${BASE}${me === null ? 'login/' : 'profile/'}`, { replace: true })
    } else if (Private !== undefined && me === null) {
      navigate(`${BASE}login/?next=${encodeURIComponent(url.pathname)}`, { replace: true })
    }
  }, [me, Public, Private, url.pathname])
  const end =
    me === null || me === undefined ? undefined : (
      <div class="end">
        <span>{String(me.username)}</span>
        {me.is_staff === true && (
          <a href="/admin/" class="button secondary">
            Admin
          </a>
        )}
        <button
          type="button"
          onClick={async () => {
            await api.logout()
            setMe(null)
            navigate(`${BASE}login/`)
          }}
        >
          Log out
        </button>
      </div>
    )
  let content: JSX.Element
  if (failed) content = <Notice kind="error">The server could not be reached.</Notice>
  else if (me === undefined) content = <p aria-live="polite">Loading…</p>
  else if (Public !== undefined) content = <Public onSignedIn={refresh} />
  else if (Private !== undefined && me !== null)
    content = <Private me={me} onChange={() => currentUser().then(setMe, () => setFailed(true))} />
  else content = <p aria-live="polite">Loading…</p>
  return (
    <Shell
      brand="Tessera account"
      home={BASE}
      nav={me ? NAV : []}
      path={url.pathname}
      narrow={Public !== undefined}
      end={end}
    >
      {content}
    </Shell>
  )
}

interceptLinks(BASE)
whenSessionEnds(() => PUBLIC[location.pathname.slice(BASE.length)] === undefined)
render(<App />, document.getElementById('app') as HTMLElement)
