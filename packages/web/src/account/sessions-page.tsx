import type { JSX } from 'preact'
import { api, call } from '../lib/api.js'
import { navigate } from '../lib/router.js'
import { ConfirmButton, Loaded, Page, useLoad, when } from '../lib/ui.js'

type Row = Record<string, unknown>

/** Sessions (one per device) and trusted devices, each revocable, and "log out everywhere". */
export function SessionsPage(): JSX.Element {
  const [data, error, reload] = useLoad(
    async () => ({
      sessions: await call<Row[]>('GET', '/api/sessions/'),
      devices: await call<Row[]>('GET', '/api/mfa/devices/'),
    }),
    [],
  )
  return (
    <Page title="Sessions and devices">
      <Loaded value={data} error={error}>
        {({ sessions, devices }) => (
          <>
            <h2>Signed-in sessions</h2>
            <div class="table-wrap">
              <table>
                <caption class="hint">Each device you are signed in on.</caption>
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
                      <td>{String(session.device ?? '—')}</td>
                      <td>{String(session.ip ?? '—')}</td>
                      <td>{when(session.last_used_at)}</td>
                      <td>
                        <ConfirmButton
                          label="Revoke"
                          question="Sign this session out?"
                          onConfirm={async () => {
                            await call('DELETE', `/api/sessions/${String(session.id)}/`)
                            reload()
                          }}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <h2>Trusted devices</h2>
            {devices.length === 0 ? (
              <p>No device skips the second factor.</p>
            ) : (
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Device</th>
                      <th scope="col">Trusted since</th>
                      <th scope="col">Until</th>
                      <th scope="col">
                        <span class="skip">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {devices.map((device) => (
                      <tr key={String(device.id)}>
                        <td>{String(device.device ?? '—')}</td>
                        <td>{when(device.created_at)}</td>
                        <td>{when(device.expires_at)}</td>
                        <td>
                          <ConfirmButton
                            label="Forget"
                            question="Ask for the second factor on this device again?"
                            onConfirm={async () => {
                              await call('DELETE', `/api/mfa/devices/${String(device.id)}/`)
                              reload()
                            }}
                          />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <h2>Everywhere</h2>
            <div class="actions">
              <ConfirmButton
                label="Log out everywhere"
                question="Sign out every session on every device, this one too?"
                onConfirm={async () => {
                  await api.logoutAll()
                  navigate('/account/login/')
                }}
              />
            </div>
          </>
        )}
      </Loaded>
    </Page>
  )
}
