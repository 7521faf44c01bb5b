// After the load: reads the database, probes every instance, waits (bounded) for the mail, and
// turns what it found into verdicts (soak-invariants.js).
import { request } from '../http.js'
import { decodeJwt } from '../jwt.js'
import { bearer } from './soak-client.js'
import {
  checkEventLoop,
  checkExpectedStatuses,
  checkMail,
  checkMix,
  checkNoServerErrors,
  checkPersisted,
  checkProbes,
  checkRssGrowth,
} from './soak-invariants.js'

/** How long the outbox and the sink get to catch up after the load. */
const MAIL_DRAIN_MS = 30_000
/** Journeys the mix must have run at least once. */
export const JOURNEY_KINDS = [
  'register',
  'session',
  'hello x5',
  'TOTP enrolment',
  'session (TOTP)',
  'password reset',
]

/** Status of GET /api/hello/ with `access` on each instance, each probe on a fresh connection. */
async function probe(target, access, how) {
  const probes = []
  for (const [i, url] of target.urls.entries()) {
    for (let n = 0; n < target.probesPerUrl; n++) {
      const answer = await request(`${url}/api/hello/`, { headers: bearer(access), agent: false })
      const instance =
        target.probesPerUrl > 1 ? `instance ${i + 1} probe ${n + 1}` : `instance ${i + 1}`
      probes.push({ instance, status: answer.status, how })
    }
  }
  return probes
}

/** Polls `check` until it holds or `timeoutMs` passed; resolves to its last value. */
async function pollUntil(check, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value.done || Date.now() > deadline) return value
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** Every verdict for one target after its load. */
export async function checkTarget({ target, tally, ledger, users, sink, monitored }) {
  const { stores, close } = await target.openStores()
  try {
    const usersFound = []
    for (const { id, username } of ledger.registered) {
      usersFound.push((await stores.users.findUserById(id))?.username === username)
    }
    const sessionsFound = []
    for (const sid of ledger.sessions) {
      sessionsFound.push((await stores.sessions.findSession(sid)) !== undefined)
    }
    const refused = []
    for (const { access, how } of ledger.loggedOut)
      refused.push(...(await probe(target, access, how)))
    // The control: tokens of sessions never ended still work (while they are fresh).
    const accepted = []
    const now = Date.now() / 1000
    for (const user of users) {
      for (const session of user.sessions) {
        const access = session.accesses.at(-1)
        if (decodeJwt(access).claims.exp > now + 10)
          accepted.push(...(await probe(target, access, 'live')))
      }
    }
    const mail = await pollUntil(async () => {
      const pending = (await stores.mail.list({ limit: 1000, status: 'pending' })).length
      const failed = (await stores.mail.list({ limit: 1000, status: 'failed' })).length
      const owedTo = new Set(ledger.mailsOwed.map((m) => m.to))
      const received = sink.received().filter((m) => m.to.some((to) => owedTo.has(to))).length
      return {
        pending,
        failed,
        received,
        done: pending === 0 && received >= ledger.mailsOwed.length,
      }
    }, MAIL_DRAIN_MS)
    return [
      checkNoServerErrors(tally),
      checkExpectedStatuses(tally),
      checkMix(ledger, JOURNEY_KINDS),
      checkPersisted(
        'every registered user in the database',
        ledger.registered.map((u) => u.username),
        usersFound,
      ),
      checkPersisted(
        'every session of a 200 login in the database',
        ledger.sessions,
        sessionsFound,
      ),
      checkProbes('every logged-out token refused on every instance', refused, 401),
      checkProbes('every live session token accepted on every instance', accepted, 200),
      checkMail({ owed: ledger.mailsOwed.length, ...mail, problems: ledger.problems }),
      checkRssGrowth(monitored.rss),
      checkEventLoop(monitored.p99s),
    ]
  } finally {
    await close()
  }
}
