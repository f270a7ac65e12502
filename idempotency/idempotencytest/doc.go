// Package idempotencytest holds the conformance suite that every
// idempotency.Store passes: atomic claims under concurrency, lease expiry and
// re-claim, completion and TTL expiry, release, fencing of stale tokens,
// per-consumer keys and payload mismatch detection.
//
// A store's test calls Run with a constructor that returns a fresh, empty
// store (and registers its cleanup with t.Cleanup):
//
//	func TestConformance(t *testing.T) {
//		idempotencytest.Run(t, func(t *testing.T) idempotency.Store { ... })
//	}
//
// The expiry tests use one-second leases and TTLs and wait, polling, until the
// store reports the expiry (up to Timeout); they assert outcomes, never speed.
// Subtests run in parallel, each with its own store.
package idempotencytest
