//go:build integration

package integration

import "github.com/stretchr/testify/require"

// testingT is what a helper that may fail needs: the test's *testing.T, or
// the *assert.CollectT of an EventuallyWithT condition, where a failure ends
// that tick only and the condition is tried again.
type testingT interface {
	require.TestingT
	Helper()
}
