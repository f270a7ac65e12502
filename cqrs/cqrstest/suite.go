package cqrstest

import "testing"

// suiteCase is one named check of a conformance suite, run against a
// subject of type S: a store, or a transport scenario's use of a harness.
type suiteCase[S any] struct {
	name string
	fn   func(t *testing.T, s S)
}

// runSuite runs every case of cases as a parallel subtest, each against the
// subject fresh returns for it; i is the case's index in cases.
func runSuite[S any](t *testing.T, cases []suiteCase[S], fresh func(t *testing.T, i int) S) {
	t.Helper()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, fresh(t, i))
		})
	}
}
