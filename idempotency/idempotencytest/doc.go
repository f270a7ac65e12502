// Package idempotencytest holds the conformance suite that every
// idempotency.Store passes: atomic claims under concurrency, lease expiry and
// re-claim, completion and TTL expiry, release, fencing of stale tokens,
// lease extension (Extend keeps a claim past its lease; a stale, completed or
// released claim cannot be extended), per-consumer keys, payload mismatch
// detection, and the refusal of an invalid key or duration
// (idempotency.ErrInvalidKey, idempotency.ErrInvalidDuration) that loses
// nothing; and, for a store with a Close method (io.Closer, as the module's
// stores have), that Close is idempotent and that calls after it, or racing
// it, fail with idempotency.ErrClosed. Those two subtests are skipped,
// saying why, for a store without Close. For a store implementing the
// optional idempotency.Looker, it checks that Lookup finds a live completed
// record (under its payload hash, its consumer) and nothing else, and
// writes nothing; those subtests are skipped, saying why, for a store
// without it.
//
// A store's test calls Run with a constructor that returns a fresh, empty
// store, which the subtest may close (and registers its cleanup with
// t.Cleanup):
//
//	func TestConformance(t *testing.T) {
//		idempotencytest.Run(t, func(t *testing.T) idempotency.Store { ... })
//	}
//
// The expiry tests use one-second leases and TTLs (Short) and wait, polling,
// until the store reports the expiry (up to Timeout); they assert outcomes,
// never speed. The lease extension test uses five-second leases, extended
// twice, and waits for each earlier lease to run out, so the suite takes
// about 11 seconds however fast the store. Subtests run in parallel, each with
// its own store.
package idempotencytest
