import type { JSX } from 'preact'
import { deviceName } from '../lib/device-name.js'
import { navigate } from '../lib/router.js'
import {
  Check,
  ConfirmButton,
  Field,
  Form,
  Loaded,
  Notice,
  Page,
  TableScroll,
  useLoad,
  when,
} from '../lib/ui.js'
import { admin, page, type Row, rows } from './admin-api.js'
import { yes } from './admin-ui.js'
import { AuditTable } from './audit-page.js'

interface Detail extends Row {
  groups: { id: number | string; name: string }[]
  user_permissions: string[]
  all_permissions: string[]
  mfa: { totp: boolean; recovery_codes_left: number }
  /** Absent from servers without passkeys. */
  passkeys?: { id: string; name: string; last_used_at: string | null; possibly_cloned: boolean }[]
}

/** One user: facts, edits, groups, permissions, sessions, MFA and recent audit events. */
export function UserDetailPage(props: { id: string }): JSX.Element {
  const base = `/users/${encodeURIComponent(props.id)}`
  const [data, error, reload] = useLoad(
    async () => ({
      user: await admin<Detail>('GET', `${base}/`),
      sessions: await admin<Row[]>('GET', `${base}/sessions/`),
      groups: (await page('/groups/', { page_size: 100 })).results,
      permissions: rows(await admin<Row[]>('GET', '/permissions/?page_size=100')),
      audit: (await page('/audit/', { user: props.id, page_size: 10 })).results,
    }),
    [props.id],
  )
  return (
    <Loaded value={data} error={error}>
      {({ user, sessions, groups, permissions, audit }) => {
        const memberOf = new Set(user.groups.map((group) => String(group.id)))
        return (
          <Page title={`User ${String(user.username)}`}>
            <section class="card" aria-label="Summary">
              <dl class="facts">
                <dt>Email</dt>
                <dd>{String(user.email ?? '—')}</dd>
                <dt>Active</dt>
                <dd>{yes(user.is_active)}</dd>
                <dt>Staff</dt>
                <dd>{yes(user.is_staff)}</dd>
                <dt>Superuser</dt>
                <dd>{yes(user.is_superuser)}</dd>
                <dt>Joined</dt>
                <dd>{when(user.date_joined)}</dd>
                <dt>Last login</dt>
                <dd>{when(user.last_login)}</dd>
                <dt>Two-factor</dt>
                <dd>
                  {user.mfa.totp
                    ? `On (${user.mfa.recovery_codes_left} recovery codes left)`
                    : 'Off'}
                </dd>
                <dt>Passkeys</dt>
                <dd>
                  {(user.passkeys ?? []).length === 0
                    ? 'None'
                    : (user.passkeys ?? [])
                        .map(
                          (passkey) =>
                            `${passkey.name} (last used ${when(passkey.last_used_at)}${passkey.possibly_cloned ? ', possibly cloned' : ''})`,
                        )
                        .join('; ')}
                </dd>
              </dl>
              <div class="actions">
                {user.is_active === true ? (
                  <ConfirmButton
                    label="Deactivate"
                    question={`Deactivate ${String(user.username)}? Their sessions end at once.`}
                    onConfirm={async () => {
                      await admin('PATCH', `${base}/`, { is_active: false })
                      reload()
                    }}
                  />
                ) : (
                  <button
                    type="button"
                    onClick={async () => {
                      await admin('PATCH', `${base}/`, { is_active: true })
                      reload()
                    }}
                  >
                    Activate
                  </button>
                )}
                {(user.mfa.totp || (user.passkeys ?? []).length > 0) && (
                  <ConfirmButton
                    label="Reset two-factor"
                    question="Remove this user's second factors (authenticator app, passkeys) and trusted devices?"
                    onConfirm={async () => {
                      await admin('POST', `${base}/mfa/reset/`)
                      reload()
                    }}
                  />
                )}
                <ConfirmButton
                  label="Delete user"
                  question={`Delete ${String(user.username)} for good? This cannot be undone.`}
                  onConfirm={async () => {
                    await admin('DELETE', `${base}/`)
                    navigate('/admin/users/')
                  }}
                />
              </div>
            </section>

            <div class="grid2">
              <Form
                label="Edit user"
                submit="Save"
                onSubmit={async (form) => {
                  await admin('PATCH', `${base}/`, {
                    email: form.email ?? '',
                    first_name: form.first_name ?? '',
                    last_name: form.last_name ?? '',
                    is_staff: form.is_staff === 'true',
                    is_superuser: form.is_superuser === 'true',
                  })
                  reload()
                  return 'Saved.'
                }}
              >
                <h2>Details</h2>
                <Field label="Email" name="email" type="email" value={String(user.email ?? '')} />
                <Field label="First name" name="first_name" value={String(user.first_name ?? '')} />
                <Field label="Last name" name="last_name" value={String(user.last_name ?? '')} />
                <Check label="Staff" name="is_staff" checked={user.is_staff === true} />
                <Check label="Superuser" name="is_superuser" checked={user.is_superuser === true} />
              </Form>
              <Form
                label="Set password"
                submit="Set password"
                reset
                onSubmit={async (form) => {
                  await admin('POST', `${base}/set_password/`, { new_password: form.new_password })
                  return 'Password set; their sessions were ended.'
                }}
              >
                <h2>Password</h2>
                <Field
                  label="New password"
                  name="new_password"
                  type="password"
                  autoComplete="new-password"
                />
              </Form>
            </div>

            <h2>Groups</h2>
            <section class="card" aria-label="Groups">
              {user.groups.length === 0 && <p>In no group.</p>}
              <ul class="plain">
                {user.groups.map((group) => (
                  <li key={String(group.id)}>
                    {group.name}{' '}
                    <ConfirmButton
                      label={`Remove from ${group.name}`}
                      question={`Remove ${String(user.username)} from ${group.name}?`}
                      onConfirm={async () => {
                        await admin('DELETE', `${base}/groups/${String(group.id)}/`)
                        reload()
                      }}
                    />
                  </li>
                ))}
              </ul>
              <Form
                label="Add to a group"
                submit="Add to group"
                onSubmit={async (form) => {
                  await admin('PUT', `${base}/groups/${encodeURIComponent(form.group ?? '')}/`)
                  reload()
                }}
              >
                <label for="add-group">Group</label>
                <select id="add-group" name="group">
                  {groups
                    .filter((group) => !memberOf.has(String(group.id)))
                    .map((group) => (
                      <option key={String(group.id)} value={String(group.id)}>
                        {String(group.name)}
                      </option>
                    ))}
                </select>
              </Form>
            </section>

            <h2>Permissions</h2>
            <section class="card" aria-label="Permissions">
              <p>Direct: {user.user_permissions.length === 0 && 'none.'}</p>
              <ul class="plain">
                {user.user_permissions.map((permission) => (
                  <li key={permission}>
                    <code>{permission}</code>{' '}
                    <ConfirmButton
                      label={`Revoke ${permission}`}
                      question={`Revoke ${permission} from ${String(user.username)}?`}
                      onConfirm={async () => {
                        await admin('DELETE', `${base}/permissions/${permission}/`)
                        reload()
                      }}
                    />
                  </li>
                ))}
              </ul>
              <p>
                All (with groups):{' '}
                {user.all_permissions.length === 0
                  ? 'none.'
                  : user.all_permissions.map((permission) => (
                      <span class="tag mono" key={permission}>
                        {permission}
                      </span>
                    ))}
              </p>
              <Form
                label="Grant a permission"
                submit="Grant"
                onSubmit={async (form) => {
                  await admin('PUT', `${base}/permissions/${form.permission ?? ''}/`)
                  reload()
                }}
              >
                <label for="grant-permission">Permission</label>
                <select id="grant-permission" name="permission">
                  {permissions.map((permission) => {
                    const name = `${String(permission.app_label)}.${String(permission.codename)}`
                    return (
                      <option key={name} value={name}>
                        {name} ({String(permission.name ?? '')})
                      </option>
                    )
                  })}
                </select>
              </Form>
            </section>

            <h2>Sessions</h2>
            <section class="card" aria-label="Sessions">
              {sessions.length === 0 ? (
                <p>No open session.</p>
              ) : (
                <TableScroll label="Their sessions">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Device</th>
                        <th scope="col">IP</th>
                        <th scope="col">Last used</th>
                        <th scope="col">
                          <span class="skip">Actions</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {sessions.map((session) => (
                        <tr key={String(session.id)}>
                          <td title={String(session.device ?? '')}>{deviceName(session.device)}</td>
                          <td>{String(session.ip ?? '—')}</td>
                          <td>{when(session.last_used_at)}</td>
                          <td>
                            <ConfirmButton
                              label="Revoke"
                              question="End this session?"
                              onConfirm={async () => {
                                await admin('DELETE', `${base}/sessions/${String(session.id)}/`)
                                reload()
                              }}
                            />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </TableScroll>
              )}
              <div class="actions">
                <ConfirmButton
                  label="End every session"
                  question={`Sign ${String(user.username)} out everywhere?`}
                  onConfirm={async () => {
                    await admin('POST', `${base}/logout_all/`)
                    reload()
                  }}
                />
              </div>
            </section>

            <h2>Recent events</h2>
            {audit.length === 0 ? <Notice>No event yet.</Notice> : <AuditTable events={audit} />}
            <p>
              <a href={`/admin/audit/?user=${encodeURIComponent(props.id)}`}>All their events</a>
            </p>
          </Page>
        )
      }}
    </Loaded>
  )
}
