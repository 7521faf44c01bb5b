// What every embedded app shares, so that they differ only in how they check the token: the
// address (PORT from the bench), the key (SIGNING_KEY from the bench, the suite's one HS256 key),
// the answer, and which claims make an access token.

const required = (name) => {
  const value = process.env[name]
  if (value === undefined || value === '') throw new Error(`${name} is not set (the bench sets it)`)
  return value
}

export const HOST = '127.0.0.1'
export const PORT = Number(required('PORT'))
export const SIGNING_KEY = required('SIGNING_KEY')
/** The route's answer: res.json / Fastify's serializer turn it into the hello body. */
export const HELLO = Object.freeze({ msg: 'Hello Peter Parker' })

/**
 * What Tessera checks beyond the signature and `exp` and the peers' libraries do not: a
 * simplejwt token names its type (a refresh token must not pass for an access token) and its
 * user. Each peer app adds this check where its library's docs check claims.
 */
export const isAccessClaims = (claims) =>
  claims?.token_type === 'access' && claims.user_id !== undefined
