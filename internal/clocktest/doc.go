// Package clocktest provides a sourceflow.Clock for tests whose time moves
// only when the test moves it, so that a grace period, a lease or a TTL can
// be crossed without waiting for it. A stepping clock (NewStepping) also
// lets a retry loop run through its waits at once, recording each.
package clocktest
