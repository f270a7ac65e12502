package outbox

import (
	"errors"
	"fmt"
	"math"
	"time"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/components/forwarder"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// retrySchedule is how one delivery retries a transient failure to publish
// to the inner transport. The retries end well inside watermill-sql's ack
// deadline (30s); the row is then nacked and delivered again, so a failing
// row is retried for as long as it fails and is never dropped.
type retrySchedule struct {
	initial, max, maxElapsed time.Duration
}

var defaultRetry = retrySchedule{initial: 100 * time.Millisecond, max: 5 * time.Second, maxElapsed: 15 * time.Second}

// retryMultiplier doubles the wait per attempt: Watermill's Retry advances
// its backoff twice per attempt when ShouldRetry is set (once to fill
// RetryParams.Delay), so the multiplier applies squared.
const retryMultiplier = math.Sqrt2

// forwardBatchSize is how many rows the forwarder reads per query, as
// sqlbus reads its topics (its subscribeBatchSize). The rows are forwarded
// one at a time, but their offsets are acknowledged in the query's
// transaction, which commits when the batch is done: a crash, or Close, in
// the middle of a batch leaves the rows of the batch already forwarded to be
// forwarded again, so the batch is kept small. (watermill-sql's default is
// 100.)
const forwardBatchSize = 10

// forwarderSchema is the outbox schema (schemaAdapter) reading
// forwardBatchSize rows per query.
func forwarderSchema(d sourceflow.Dialect) wsql.SchemaAdapter {
	return sqldb.WatermillSchema(d, forwardBatchSize, nil)
}

// newForwarder returns Watermill's forwarder reading the outbox topic in the
// shared consumer group and publishing to the inner transport, with the
// dead-letter and retry middleware.
func newForwarder(cfg Config, schedule retrySchedule) (*forwarder.Forwarder, error) {
	sub, err := wsql.NewSubscriber(wsql.BeginnerFromStdSQL(cfg.DB), wsql.SubscriberConfig{
		ConsumerGroup:  consumerGroup,
		PollInterval:   cfg.PollInterval,
		SchemaAdapter:  forwarderSchema(cfg.Dialect),
		OffsetsAdapter: forwarderOffsets{offsetsAdapter(cfg.Dialect)},
	}, cfg.Logger)
	if err != nil {
		return nil, fmt.Errorf("outbox: subscriber of %q: %w", cfg.Topic, err)
	}
	deadLetter, err := middleware.PoisonQueueWithFilter(
		deadLetterPublisher{db: cfg.DB, schema: schemaAdapter(cfg.Dialect)},
		deadLetterTopic(cfg.Topic),
		func(err error) bool { return errors.Is(err, ErrUndeliverable) })
	if err != nil {
		return nil, err
	}
	retry := middleware.Retry{
		MaxRetries:      1 << 20, // bounded by maxElapsed
		InitialInterval: schedule.initial,
		MaxInterval:     schedule.max,
		Multiplier:      retryMultiplier,
		MaxElapsedTime:  schedule.maxElapsed,
		ShouldRetry:     func(p middleware.RetryParams) bool { return !errors.Is(p.Err, ErrUndeliverable) },
		Logger:          cfg.Logger,
	}
	fwd, err := forwarder.NewForwarder(sub, newRelay(cfg.Transport), cfg.Logger, forwarder.Config{
		ForwarderTopic: cfg.Topic,
		HandlerName:    "sourceflow_outbox_forwarder_" + cfg.Topic,
		Middlewares:    []message.HandlerMiddleware{deadLetter, checkRow, retry.Middleware},
	})
	if err != nil {
		_ = sub.Close()
		return nil, fmt.Errorf("outbox: forwarder of %q: %w", cfg.Topic, err)
	}
	return fwd, nil
}
