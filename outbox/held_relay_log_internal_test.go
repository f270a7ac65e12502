package outbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// While the database is down, each held destination's relay fails at
// every attempt: the instance logs the first failure, not one line per
// destination and attempt (a thousand destinations, a line each every
// five seconds), as its look for held rows does.
func TestADatabaseOutageLogsTheHeldRelaysFailureOnce(t *testing.T) {
	down := errors.New("dial tcp 10.0.0.5:5432: connect: connection refused")
	fake := &sqldbtest.DB{}
	fake.FailOn("pg_try_advisory_lock", down)
	logs := watermill.NewCaptureLogger()
	cfg := Config{DB: fake.Open(t), Dialect: sourceflow.Postgres, Topic: "t", Logger: logs}
	h := newHeldRetry(cfg, defaultBackoff, nil, deadLetterPublisher{}, newFailureLog(logs, cfg.Topic, time.Minute))
	const destinations, attempts = 20, 5
	var mu sync.Mutex
	pauses := map[string]int{}
	h.pause = func(ctx context.Context, _ time.Duration) bool {
		mu.Lock()
		defer mu.Unlock()
		d := ctx.Value(destinationKey{}).(string)
		pauses[d]++
		return pauses[d] < attempts
	}

	var wg sync.WaitGroup
	for i := range destinations {
		d := fmt.Sprintf("dest-%d", i)
		wg.Go(func() { h.relayDestination(context.WithValue(context.Background(), destinationKey{}, d), d) })
	}
	wg.Wait()

	var lines int
	for _, m := range logs.Captured()[watermill.ErrorLogLevel] {
		if strings.Contains(m.Msg, "relaying held rows") {
			require.ErrorIs(t, m.Err, down)
			lines++
		}
	}
	assert.Equal(t, destinations*attempts, len(fake.Ran("pg_try_advisory_lock")), "every relay tried each time")
	assert.Equal(t, 1, lines, "the outage's first failure, not each relay's every failure")
}

type destinationKey struct{}
