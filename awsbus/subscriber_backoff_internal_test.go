package awsbus

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBackoffDoublesUpToTheCapWithJitterAndResets(t *testing.T) {
	b := backoff{initial: 100 * time.Millisecond, max: time.Second}
	schedule := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for round := range 2 {
		for i, ms := range schedule {
			d, want := b.failure(), ms*time.Millisecond
			assert.GreaterOrEqual(t, d, want/2, "round %d, failure %d", round, i+1)
			assert.LessOrEqual(t, d, want, "round %d, failure %d", round, i+1)
		}
		b.reset() // a successful receive: the next failure pauses 50-100 ms again
	}
}
