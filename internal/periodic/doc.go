// Package periodic runs background work on a fixed interval until told to
// stop: the sweeps and cleanups of the idempotency stores and the visibility
// heartbeat of the AWS subscriber.
//
// It is internal: it only serves the module's own packages.
package periodic
