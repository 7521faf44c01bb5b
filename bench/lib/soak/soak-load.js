// Virtual users: each loops over weighted journeys on users of its own until the deadline.
import {
  canLogIn,
  enrolTotp,
  helloJourney,
  register,
  resetJourney,
  sessionJourney,
} from './soak-journeys.js'

/** Users a virtual user registers before it mostly reuses them. */
const USERS_PER_VU = 4

/** Journeys on an existing user, by weight: mostly sessions and the hot path. */
const WEIGHTS = [
  ['session', 5, sessionJourney],
  ['hello', 4, helloJourney],
  ['reset', 1, resetJourney],
  ['totp', 1, enrolTotp],
]
const TOTAL_WEIGHT = WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0)

/** A seeded generator (mulberry32): a run's choices can be replayed with its seed. */
export function seededRandom(seed) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

function pickJourney(random, user) {
  let roll = random() * TOTAL_WEIGHT
  for (const [name, weight, run] of WEIGHTS) {
    roll -= weight
    // Enrolled once; an enrolled user whose TOTP steps are used up waits for the next step.
    if (roll < 0 && !(name === 'totp' && user.mfa !== undefined)) return run
  }
  return helloJourney
}

/**
 * Runs `count` virtual users against `targets` (base URLs) until `deadline` (epoch ms); resolves
 * when every one has finished its current journey.
 */
export async function runLoad({ count, targets, deadline, call, ledger, mail, runId, seed }) {
  let userNumber = 0
  const virtualUser = async (index) => {
    const ctx = {
      call,
      targets,
      ledger,
      mail,
      runId,
      random: seededRandom(seed + index),
      users: [],
      nextUserNumber: () => ++userNumber,
    }
    while (Date.now() < deadline) {
      if (ctx.users.length < USERS_PER_VU || ctx.random() < 0.05) {
        await register(ctx)
        continue
      }
      const ready = ctx.users.filter((user) => canLogIn(user))
      if (ready.length === 0) {
        await register(ctx)
        continue
      }
      const user = ready[Math.floor(ctx.random() * ready.length)]
      await pickJourney(ctx.random, user)(ctx, user)
    }
    return ctx.users
  }
  const perUser = await Promise.all(Array.from({ length: count }, (_, i) => virtualUser(i)))
  return perUser.flat()
}
