// The same Express 5 app with passport-jwt, as its README sets it up: a JwtStrategy reading the
// bearer token, its verify callback deciding the user (here from the claims: no user lookup),
// and `passport.authenticate('jwt', { session: false })` on the route.
import express from 'express'
import passport from 'passport'
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt'
import { HELLO, HOST, isAccessClaims, PORT, SIGNING_KEY } from './app-settings.js'

const options = {
  jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
  secretOrKey: SIGNING_KEY,
  algorithms: ['HS256'],
}
passport.use(
  new JwtStrategy(options, (payload, done) =>
    done(null, isAccessClaims(payload) ? payload : false),
  ),
)
const app = express()
app.get('/api/hello/', passport.authenticate('jwt', { session: false }), (_request, response) => {
  response.json(HELLO)
})
app.listen(PORT, HOST)
