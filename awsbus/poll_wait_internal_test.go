package awsbus

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// Each poll waits WaitTime, or, when ShutdownTimeout is shorter, the whole
// seconds that end it a second before the shutdown deadline, at least 1s.
func TestPollWaitEndsBeforeTheShutdownDeadline(t *testing.T) {
	for _, c := range []struct {
		wait, shutdown time.Duration
		want           int32
	}{
		{20 * time.Second, 30 * time.Second, 20},
		{20 * time.Second, 21 * time.Second, 20},
		{20 * time.Second, 20 * time.Second, 19},
		{20 * time.Second, 5500 * time.Millisecond, 4},
		{3 * time.Second, 5 * time.Second, 3},
		{20 * time.Second, 1500 * time.Millisecond, 1},
		{20 * time.Second, time.Millisecond, 1},
	} {
		cfg := ConsumerConfig{WaitTime: c.wait, ShutdownTimeout: c.shutdown}
		assert.Equal(t, c.want, cfg.pollWait(), "WaitTime %v, ShutdownTimeout %v", c.wait, c.shutdown)
	}
}
