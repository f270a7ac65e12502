// Package circuit tells the retry loops of the consume side (the
// middleware package's Retry, the idempotency middleware's TxRetry) whether
// a failure holds the refusal of an open circuit, which lasts until the
// circuit's cool-down ends, so that running the handler again at once
// would only meet it again. It looks at every error a failure holds, so a
// handler that publishes to several destinations and joins their errors
// is judged by each of them. It is internal: it only serves the module's
// own packages.
package circuit
