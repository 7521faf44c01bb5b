// Express 4, installed under an alias (`"express4": "npm:express@^4"`), typed as Express.
declare module 'express4' {
  import express from 'express'
  export default express
}
