// Package archtest holds the test that keeps imports flowing in the
// directions the design allows: the model (cqrs) never sees AWS or
// OpenTelemetry, feature packages never import each other, only awsbus and
// the encryption package import the AWS SDK, only the tracing and metrics
// packages import OpenTelemetry, nothing imports examples or integration, and
// nothing but the commands and the integration tests imports cmd/.
// A package with no rule fails the test, so every new package gets one.
//
// Its other test parses every Go file of the module, whatever its build
// tags, and fails when a condition polled by testify's Eventually, Never or
// EventuallyWithT (or by a helper that passes its argument on to one) may
// stop the test from the polling goroutine: a require call, t.Fatal or
// t.FailNow, directly or in a helper given the test's t. Such a call fails
// the test at the first transient error instead of trying again on the next
// tick. The condition returns false on an error instead, or uses
// EventuallyWithT and fails through the *assert.CollectT it receives, which
// ends only that tick.
package archtest
