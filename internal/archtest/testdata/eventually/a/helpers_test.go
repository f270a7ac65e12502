package a

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func count() (int, error) { return 1, nil }

func rows(t require.TestingT) int {
	n, err := count()
	require.NoError(t, err)
	return n
}

func deep(tb testing.TB) bool { return rows(tb) == 1 }

type rig struct{ t *testing.T }

func (r rig) count() int {
	n, err := count()
	if err != nil {
		r.t.Fatal(err)
	}
	return n
}

func (r rig) ready() bool { return r.count() == 1 }

func (r rig) quiet() bool { n, err := count(); return err == nil && n == 0 }

// queue's count, unlike rig's, never stops the test.
type queue struct{ n int }

func (q *queue) count() int { return q.n }

type embeds struct{ rig }

type counter interface{ count() int }

func eventually(t *testing.T, cond func() bool) {
	require.Eventually(t, cond, time.Second, time.Millisecond)
}

func poll(t *testing.T, check func() string) {
	eventually(t, func() bool { return check() == "" })
}
