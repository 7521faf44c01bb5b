// The same Express 5 app with express-jwt, as its README sets it up: `expressjwt` on the route
// (claims in `req.auth`, checked in the handler) and an error handler answering its
// UnauthorizedError with 401.
import express from 'express'
import { expressjwt } from 'express-jwt'
import { HELLO, HOST, isAccessClaims, PORT, SIGNING_KEY } from './app-settings.js'

const app = express()
app.get(
  '/api/hello/',
  expressjwt({ secret: SIGNING_KEY, algorithms: ['HS256'] }),
  (request, response) => {
    if (!isAccessClaims(request.auth)) return response.sendStatus(401)
    response.json(HELLO)
  },
)
app.use((error, _request, response, next) => {
  if (error.name === 'UnauthorizedError') response.status(401).send('invalid token')
  else next(error)
})
app.listen(PORT, HOST)
