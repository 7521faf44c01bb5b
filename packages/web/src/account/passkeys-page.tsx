import type { PasskeyInfo } from '@tessera/client'
import type { JSX } from 'preact'
import { api } from '../lib/api.js'
import { ConfirmButton, Field, Form, Loaded, Notice, Page, useLoad, when } from '../lib/ui.js'

/** Passkeys: add one (the browser creates it), see each one's use, rename or remove it. */
export function PasskeysPage(): JSX.Element {
  const [passkeys, error, reload] = useLoad(() => api.passkeys(), [])
  return (
    <Page title="Passkeys">
      <p>
        A passkey logs you in without a password, with your device's screen lock or a security key,
        and counts as a second factor after a password.
      </p>
      <Form
        label="Add a passkey"
        submit="Add a passkey"
        reset
        onSubmit={async (data) => {
          const added = await api.registerPasskey({ name: data.name || 'Passkey' })
          reload()
          return `Passkey “${added.name}” added.`
        }}
      >
        <Field label="Name" name="name" autoComplete="off" />
      </Form>
      <Loaded value={passkeys} error={error}>
        {(list) =>
          list.length === 0 ? (
            <p>You have no passkey yet.</p>
          ) : (
            <div class="table-wrap">
              <table>
                <caption class="hint">Your passkeys, oldest first.</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Added</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Synced</th>
                    <th scope="col">
                      <span class="skip">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((passkey: PasskeyInfo) => (
                    <tr key={passkey.id}>
                      <td>
                        {passkey.name}
                        {passkey.possibly_cloned === true && (
                          <Notice kind="error">Refused: it may have been copied.</Notice>
                        )}
                      </td>
                      <td>{when(passkey.created_at)}</td>
                      <td>
                        {passkey.last_used_at === null ? 'Never' : when(passkey.last_used_at)}
                      </td>
                      <td>{passkey.backed_up ? 'Yes' : 'No'}</td>
                      <td>
                        <ConfirmButton
                          label="Remove"
                          question={`Remove the passkey “${passkey.name}”? It will no longer log you in.`}
                          onConfirm={async () => {
                            await api.deletePasskey(passkey.id)
                            reload()
                          }}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
    </Page>
  )
}
