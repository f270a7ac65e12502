// Package archtest holds the test that keeps imports flowing in the
// directions the design allows: the model (cqrs) never sees AWS or
// OpenTelemetry, feature packages never import each other, only awsbus and
// the encryption package import the AWS SDK, only the tracing and metrics
// packages import OpenTelemetry, nothing imports examples or integration, and
// nothing but the commands and the integration tests imports cmd/.
// A package with no rule fails the test, so every new package gets one.
package archtest
