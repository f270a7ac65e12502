// Package periodic runs background work on a fixed interval until told to
// stop: the sweeps and cleanups of the stores, the pruning of the SQL
// outbox and of sqlbus destinations, and the visibility heartbeat of the AWS
// subscriber.
//
// It is internal: it only serves the module's own packages.
package periodic
