package a

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/b"
)

func TestKinds(t *testing.T) {
	require.Eventually(t, func() bool {
		n, err := count()
		require.NoError(t, err) // stops
		return n == 1
	}, time.Second, time.Millisecond)
	assert.Eventually(t, func() bool {
		if _, err := count(); err != nil {
			t.Fatalf("count: %v", err) // stops
		}
		return rows(t) == 1 // stops
	}, time.Second, time.Millisecond)
	require.Never(t, func() bool { return deep(t) }, time.Second, time.Millisecond)             // stops
	require.Eventually(t, func() bool { return b.Rows(t) == 1 }, time.Second, time.Millisecond) // stops
	r := rig{t: t}
	require.Eventually(t, func() bool { return r.count() == 1 }, time.Second, time.Millisecond) // stops
	require.Eventually(t, r.ready, time.Second, time.Millisecond)                               // stops
	local := func() int {
		n, err := count()
		require.NoError(t, err)
		return n
	}
	require.Eventually(t, func() bool { return local() == 1 }, time.Second, time.Millisecond) // stops
	seen := func() bool { t.FailNow(); return true }                                          // stops
	require.Eventually(t, seen, time.Second, time.Millisecond)
	eventually(t, func() bool { require.True(t, true); return true }) // stops
	poll(t, func() string { require.True(t, true); return "" })       // stops
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		n, err := count()
		require.NoError(c, err)
		assert.Equal(c, 1, n)
		assert.Equal(c, 1, rows(c))
		assert.Equal(c, 1, b.Rows(c))
		require.NoError(t, err) // stops
	}, time.Second, time.Millisecond)
	require.Eventually(t, func() bool {
		n, err := count()
		assert.NoError(t, err)
		return err == nil && n == 1
	}, time.Second, time.Millisecond)
	require.Eventually(t, r.quiet, time.Second, time.Millisecond)
	q := &queue{}
	require.Eventually(t, func() bool { return q.count() == 0 }, time.Second, time.Millisecond)
	e := embeds{rig: r}
	require.Eventually(t, func() bool { return e.count() == 1 }, time.Second, time.Millisecond) // stops
	var i counter = r
	require.Eventually(t, func() bool { return i.count() == 1 }, time.Second, time.Millisecond) // stops
	var buf strings.Builder
	require.Eventually(t, func() bool { return buf.Len() == 0 }, time.Second, time.Millisecond)
	t.Cleanup(func() { require.NoError(t, nil) })
}
