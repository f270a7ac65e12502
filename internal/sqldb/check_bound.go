package sqldb

import (
	"context"
	"time"
)

// checkBound is the bound a connection check started now under ctx and
// timeout runs within, as its error names it: timeout ("10s"), or, when
// ctx's deadline comes first, the time left until it, marked as the
// caller's ("3s, the caller's deadline"), so that a readiness probe's
// short deadline is not reported as the database's longer ConnectTimeout.
// The time left is rounded to the millisecond under a second, else to a
// tenth of a second: a 3s deadline reads 3s, not 2.999958s.
func checkBound(ctx context.Context, timeout time.Duration) string {
	deadline, ok := ctx.Deadline()
	if !ok {
		return timeout.String()
	}
	left := max(time.Until(deadline), 0)
	if left >= timeout {
		return timeout.String()
	}
	if left < time.Second {
		return left.Round(time.Millisecond).String() + ", the caller's deadline"
	}
	return left.Round(100*time.Millisecond).String() + ", the caller's deadline"
}
