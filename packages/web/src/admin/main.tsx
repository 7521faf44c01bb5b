import type { JSX } from 'preact'
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { api, currentUser } from '../lib/api.js'
import { interceptLinks, matchPath, navigate, useLocation } from '../lib/router.js'
import { Shell } from '../lib/shell.js'
import { Notice, Page } from '../lib/ui.js'
import { AuditPage } from './audit-page.js'
import { GroupDetailPage, GroupsPage } from './groups-pages.js'
import { KeysPage, MailPage, PermissionsPage } from './system-pages.js'
import { UserDetailPage } from './user-detail-page.js'
import { NewUserPage, UsersPage } from './users-page.js'

const BASE = '/admin/'

const NAV = [
  { href: `${BASE}users/`, label: 'Users' },
  { href: `${BASE}groups/`, label: 'Groups' },
  { href: `${BASE}permissions/`, label: 'Permissions' },
  { href: `${BASE}audit/`, label: 'Audit log' },
  { href: `${BASE}keys/`, label: 'Keys' },
  { href: `${BASE}mail/`, label: 'Mail' },
]

/** The page of a path, or null (then the users list). */
function route(path: string, query: URLSearchParams): JSX.Element | null {
  if (matchPath(`${BASE}users/`, path)) return <UsersPage />
  if (matchPath(`${BASE}users/new/`, path)) return <NewUserPage />
  const user = matchPath(`${BASE}users/:id/`, path)
  if (user?.id !== undefined) return <UserDetailPage key={user.id} id={user.id} />
  if (matchPath(`${BASE}groups/`, path)) return <GroupsPage />
  const group = matchPath(`${BASE}groups/:id/`, path)
  if (group?.id !== undefined) return <GroupDetailPage key={group.id} id={group.id} />
  if (matchPath(`${BASE}permissions/`, path)) return <PermissionsPage />
  if (matchPath(`${BASE}audit/`, path)) return <AuditPage query={query} />
  if (matchPath(`${BASE}keys/`, path)) return <KeysPage />
  if (matchPath(`${BASE}mail/`, path)) return <MailPage />
  return null
}

function App(): JSX.Element {
  const url = useLocation()
  const [me, setMe] = useState<Record<string, unknown> | null | undefined>(undefined)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    currentUser().then(setMe, () => setFailed(true))
  }, [])
  const page = route(url.pathname, url.searchParams)
  useEffect(() => {
    if (me === null) location.assign(`/account/login/?next=${encodeURIComponent(url.pathname)}`)
    else if (me !== undefined && page === null) navigate(`${BASE}users/`, { replace: true })
  }, [me, page, url.pathname])
  const staff = me?.is_staff === true && me.is_active !== false
  let content: JSX.Element | null
  if (failed) content = <Notice kind="error">The server could not be reached.</Notice>
  else if (me === undefined || me === null) content = <p aria-live="polite">Loading…</p>
  else if (!staff)
    content = (
      <Page title="Staff only">
        <Notice kind="error">This portal is for staff. Your account is not a staff account.</Notice>
        <p>
          <a href="/account/profile/">Back to your account</a>
        </p>
      </Page>
    )
  else content = page
  return (
    <Shell
      brand="Tessera admin"
      home={`${BASE}users/`}
      nav={staff ? NAV : []}
      path={url.pathname}
      end={
        me ? (
          <div class="end">
            <a href="/account/profile/">{String(me.username)}</a>
            <button
              type="button"
              onClick={async () => {
                await api.logout()
                location.assign('/account/login/')
              }}
            >
              Log out
            </button>
          </div>
        ) : undefined
      }
    >
      {content}
    </Shell>
  )
}

interceptLinks(BASE)
render(<App />, document.getElementById('app') as HTMLElement)
