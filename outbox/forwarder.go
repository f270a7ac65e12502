package outbox

import (
	"errors"
	"fmt"
	"time"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/components/forwarder"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

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
	return sqldb.WatermillSchema("outbox", d, forwardBatchSize, nil)
}

// holdMargin is how long past an attempt's bound (and heedGrace) the
// forwarder's poll waits for the row's handling (its ack deadline): long
// enough for a row whose publish was abandoned at the bound to be held in
// the poll's transaction, whose statements the poll bounds by
// sqldb.DefaultPollBound each.
const holdMargin = 15 * time.Second

// forwardAckDeadline is the ack deadline of the forwarder's polls: the
// context of a row's handling ends then, and the poll lets go of a row not
// acknowledged by then (it is read again).
func forwardAckDeadline() time.Duration { return attemptBound + heedGrace + holdMargin }

// newForwarder returns Watermill's forwarder reading the outbox topic in the
// shared consumer group and publishing to the inner transport, with the
// dead-letter middleware. Each delivery of a row makes one attempt; after a
// transient failure the subscriber (pausingSubscriber) ends the poll and
// waits the next backoff b before it reads the row again. The failures are
// logged by log, at most every b.logEvery after the first, and so
// are the failed polls while the database is down (sqldb.PollLog). It
// publishes through rel and dead-letters through deadLetters. A row whose
// forward fails transiently, and every later row for its destination, is
// held (holder.holding) and acknowledged, so the rows for other
// destinations go on.
func newForwarder(cfg Config, b backoff, rel *relay, deadLetters deadLetterPublisher, log *failureLog) (*forwarder.Forwarder, error) {
	pollLog := sqldb.NewPollLog(cfg.Logger, b.logEvery) // shared by the subscribers, one after the other
	ackDeadline := forwardAckDeadline()
	sub, err := newPausingSubscriber(func() (message.Subscriber, error) {
		beginner := afterCommitBeginner{pollLog.Beginner(
			sqldb.WatermillBeginner("outbox", cfg.Dialect, cfg.DB, cfg.Topic, consumerGroup, sqldb.DefaultPollBound, ""),
		)}
		return wsql.NewSubscriber(beginner, wsql.SubscriberConfig{
			AckDeadline:    &ackDeadline,
			ConsumerGroup:  consumerGroup,
			PollInterval:   cfg.PollInterval,
			SchemaAdapter:  forwarderSchema(cfg.Dialect),
			OffsetsAdapter: forwarderOffsets{offsetsAdapter(cfg.Dialect)},
		}, pollLog.Logger())
	}, b, cfg.Logger)
	if err != nil {
		return nil, fmt.Errorf("outbox: subscriber of %q: %w", cfg.Topic, err)
	}
	deadLetter, err := middleware.PoisonQueueWithFilter(
		deadLetters,
		deadLetterTopic(cfg.Topic),
		func(err error) bool { return errors.Is(err, ErrUndeliverable) })
	if err != nil {
		return nil, err
	}
	fwd, err := forwarder.NewForwarder(sub, rel, cfg.Logger, forwarder.Config{
		ForwarderTopic: cfg.Topic,
		HandlerName:    "sourceflow_outbox_forwarder_" + cfg.Topic,
		Middlewares: []message.HandlerMiddleware{
			log.middleware, deadLetter, checkRow,
			(&holder{table: newHeldTable(cfg.Dialect, cfg.Topic)}).holding,
		},
	})
	if err != nil {
		_ = sub.Close()
		return nil, fmt.Errorf("outbox: forwarder of %q: %w", cfg.Topic, err)
	}
	return fwd, nil
}
