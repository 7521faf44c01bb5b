// The soak's SMTP sink: the server package's test SMTP server (a real `smtp-server` on a
// loopback port), with the reset links read by the same function its mail tests use.
import { linkOf, TestSmtpServer } from '../../../packages/server/test/mail/smtp-fixture.ts'
import { onCleanup } from '../processes.js'

/** How often a reset looks for its mail (the sink has no per-address event). */
const POLL_MS = 25

/** Starts the sink; `nextLink(address, timeoutMs)` resolves to the uid and token of the next mail. */
export async function startMailSink() {
  const server = new TestSmtpServer()
  await server.listen()
  onCleanup('SMTP sink', () => server.close())
  const taken = new Set()
  return {
    port: server.port,
    received: () => server.received,
    async nextLink(address, timeoutMs) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const index = server.received.findIndex(
          (mail, i) => !taken.has(i) && mail.to.includes(address),
        )
        if (index !== -1) {
          taken.add(index)
          return linkOf(server.received[index])
        }
        if (Date.now() > deadline) return undefined
        await new Promise((resolve) => setTimeout(resolve, POLL_MS))
      }
    },
  }
}
