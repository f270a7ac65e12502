package sqldb

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
)

// A check names ConnectTimeout when it ends first, and otherwise the time
// its caller's deadline left it, rounded as an operator reads it: a 3s
// readiness probe reads 3s, not 10s nor 2.999958s.
func TestCheckBound_NamesTheBoundThatComesFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		assert.Equal(t, "10s", checkBound(context.Background(), 10*time.Second), "no deadline")
		for _, c := range []struct {
			deadline time.Duration
			want     string
		}{
			{time.Minute, "10s"},
			{3 * time.Second, "3s, the caller's deadline"},
			{2999958 * time.Microsecond, "3s, the caller's deadline"},
			{99987 * time.Microsecond, "100ms, the caller's deadline"},
		} {
			ctx, cancel := context.WithTimeout(context.Background(), c.deadline)
			assert.Equal(t, c.want, checkBound(ctx, 10*time.Second), "a deadline %s away", c.deadline)
			cancel()
		}
	})
}
