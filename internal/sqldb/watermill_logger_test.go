package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// levels records the level of every log line.
type levels struct {
	watermill.NopLogger
	lines *[]string
}

func (l levels) Error(msg string, _ error, _ watermill.LogFields) {
	*l.lines = append(*l.lines, "error: "+msg)
}
func (l levels) Debug(msg string, _ watermill.LogFields)          { *l.lines = append(*l.lines, "debug: "+msg) }
func (l levels) With(watermill.LogFields) watermill.LoggerAdapter { return l }

func TestSubscriberLoggerLogsCanceledQueriesAtDebugLevel(t *testing.T) {
	var lines []string
	log := sqldb.SubscriberLogger(levels{lines: &lines}).With(watermill.LogFields{"topic": "orders"})
	log.Error("Error querying for message", fmt.Errorf("could not query message: %w", context.Canceled), nil)
	log.Error("could not rollback tx for querying message", errors.New("conn closed"),
		watermill.LogFields{"query_err": fmt.Errorf("could not query message: %w", context.Canceled)})
	log.Error("Error querying for message", errors.New("connection refused"), nil)
	log.Error("Error querying for message", context.DeadlineExceeded, nil)
	assert.Equal(t, []string{
		"debug: Error querying for message", "debug: could not rollback tx for querying message",
		"error: Error querying for message", "error: Error querying for message",
	}, lines)
}
