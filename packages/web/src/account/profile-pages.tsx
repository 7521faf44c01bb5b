import type { JSX } from 'preact'
import { call } from '../lib/api.js'
import { Field, Form, Page } from '../lib/ui.js'
import type { Me } from './main.js'

/** Props of the pages that need a session. */
export interface PrivateProps {
  me: Me
  onChange: () => void
}

/** What `/api/me/` answers beside the profile fields the server is configured with. */
const BUILT_IN = new Set([
  'id',
  'username',
  'email',
  'first_name',
  'last_name',
  'is_staff',
  'is_superuser',
  'is_active',
  'date_joined',
  'last_login',
])

/** A label for a custom field: `phone_number` -> "Phone number". */
function labelOf(name: string): string {
  const words = name.replace(/_/g, ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** Names, email (confirmed from the new address when the server asks it) and custom fields. */
export function ProfilePage(props: PrivateProps): JSX.Element {
  const { me } = props
  const custom = Object.keys(me).filter(
    (key) => !BUILT_IN.has(key) && (typeof me[key] === 'string' || me[key] === null),
  )
  return (
    <Page title="Your profile">
      <p>
        Signed in as <strong>{String(me.username)}</strong>
        {me.is_staff === true ? ' (staff)' : ''}.
      </p>
      <Form
        label="Profile"
        submit="Save"
        onSubmit={async (data) => {
          const changes: Record<string, string> = {}
          for (const key of ['first_name', 'last_name', 'email', ...custom]) {
            const value = data[key] ?? ''
            if (value !== String(me[key] ?? '')) changes[key] = value
          }
          if (Object.keys(changes).length === 0) return 'Nothing to save.'
          const saved = await call<Me>('PATCH', '/api/me/', changes)
          props.onChange()
          if (changes.email !== undefined && saved.email !== changes.email)
            return `Saved. Open the link we sent to ${changes.email} to confirm it.`
          return 'Saved.'
        }}
      >
        <div class="grid2">
          <Field
            label="First name"
            name="first_name"
            autoComplete="given-name"
            value={String(me.first_name ?? '')}
          />
          <Field
            label="Last name"
            name="last_name"
            autoComplete="family-name"
            value={String(me.last_name ?? '')}
          />
        </div>
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          value={String(me.email ?? '')}
        />
        {custom.map((key) => (
          <Field key={key} label={labelOf(key)} name={key} value={String(me[key] ?? '')} />
        ))}
      </Form>
    </Page>
  )
}

/** Change the password; the server ends every other session. */
export function ChangePasswordPage(): JSX.Element {
  return (
    <Page title="Change your password">
      <Form
        label="Change password"
        submit="Change password"
        reset
        onSubmit={async (data) => {
          await call('POST', '/api/password/change/', {
            old_password: data.old_password ?? '',
            new_password: data.new_password ?? '',
          })
          return 'Password changed. Your other sessions were signed out.'
        }}
      >
        <Field
          label="Current password"
          name="old_password"
          type="password"
          autoComplete="current-password"
          required
        />
        <Field
          label="New password"
          name="new_password"
          type="password"
          autoComplete="new-password"
          required
        />
      </Form>
    </Page>
  )
}
