package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/deadletter"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// MoreDeadLettersBound is the most dead letters DeadLetters counts past
// those it returns: it counts no further, so that a table filled with
// millions of rows is listed as fast as a short one. The count it returns
// is at most this bound, and equal to it means at least that many more.
const MoreDeadLettersBound = sqldb.HeadMoreBound

// DeadLetterQuery bounds what DeadLetters reads: anyone who can get rows
// dead-lettered decides how many there are and how large.
type DeadLetterQuery struct {
	// Max is the most dead letters DeadLetters returns; at least 1.
	Max int
	// PayloadBytes, when positive, is the most bytes read of each payload
	// (its start, which may end mid-character), for a listing that shows
	// no payload or a cut one; 0 reads payloads whole.
	PayloadBytes int
}

// DeadLetters returns up to q.Max of the outbox's dead letters, the oldest
// first, and how many more it holds (counted up to MoreDeadLettersBound:
// that value means at least that many), read with plain SQL from the table
// watermill_<Topic>_dead_letters. Each is a cqrs.DeadLetter whose
// Destination is the outbox topic and whose Message is the row as it was
// written (normally the forwarder envelope, JSON holding the destination
// and the message; its UUID is the envelope's own id; cut to
// q.PayloadBytes when that is positive) with its metadata and the reason
// (sourceflow.MetaFailure); Deliveries is not recorded (0). Only cfg.DB,
// cfg.Dialect and cfg.Topic are used. An outbox never bound has no
// dead-letter table and returns none.
func DeadLetters(ctx context.Context, cfg Config, q DeadLetterQuery) ([]cqrs.DeadLetter, int64, error) {
	cfg.setDefaults()
	if err := cfg.validateStore(); err != nil {
		return nil, 0, err
	}
	rows, more, err := sqldb.ReadWatermillHead(ctx, cfg.DB, cfg.Dialect, deadLetterTable(cfg.Topic),
		sqldb.WatermillHead{Limit: q.Max, PayloadBytes: q.PayloadBytes, JSONPayload: true})
	if err != nil {
		return nil, 0, fmt.Errorf("outbox: read dead letters: %w", err)
	}
	out := make([]cqrs.DeadLetter, len(rows))
	for i, r := range rows {
		out[i] = cqrs.DeadLetter{Destination: cfg.Topic, Message: r.Message(), Reason: r.Reason()}
	}
	return out, more, nil
}

// deadLetterPublisher writes the rows Watermill's PoisonQueue middleware
// gives up on into the dead-letter table (with their reason,
// sourceflow.MetaFailure, in place of the middleware's copy; on MySQL a
// row larger than max_allowed_packet copied on the server: see write), in
// the forwarder's own transaction, so a row is dead-lettered exactly when its offset is
// acknowledged, and logs each once that transaction commits (see
// logDeadLetter).
type deadLetterPublisher struct {
	db     *sql.DB
	schema wsql.SchemaAdapter
	topic  string // the outbox topic, for the log
	logger watermill.LoggerAdapter
	dead   *deadletter.Counts // by the rows' destination
	limit  *sqldb.PacketLimit // the server's max_allowed_packet on MySQL; nil: none checked
}

func (p deadLetterPublisher) Publish(topic string, msgs ...*message.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	var exec wsql.ContextExecutor = wsql.BeginnerFromStdSQL(p.db)
	if tx, ok := wsql.TxFromContext(msgs[0].Context()); ok {
		exec = tx
	}
	return p.publish(exec, topic, msgs)
}

// publish writes msgs to topic's table through exec and logs and counts
// each once exec commits (at once when exec is not the forwarder's
// transaction): a poll rolled back dead-letters its rows again, and logs
// and counts them then. Its error names this package: watermill's
// PoisonQueue middleware returns it to the forwarder as it is.
func (p deadLetterPublisher) publish(exec wsql.ContextExecutor, topic string, msgs []*message.Message) error {
	for _, m := range msgs {
		m.Metadata.Set(sourceflow.MetaFailure, m.Metadata.Get(middleware.ReasonForPoisonedKey))
		delete(m.Metadata, middleware.ReasonForPoisonedKey) // the reason once: a row near the limit stays within it
	}
	if err := p.write(exec, topic, msgs); err != nil {
		return fmt.Errorf("outbox: dead-letter %d row(s) of %q: %w", len(msgs), p.topic, err)
	}
	afterCommit(exec, func() {
		for _, m := range msgs {
			p.dead.Add(deadletter.CountedAs(logDeadLetter(p.logger, p.topic, m)))
		}
	})
	return nil
}

// Close does nothing: the publisher holds no resources of its own.
func (deadLetterPublisher) Close() error { return nil }

// redriveBatch is how many dead letters one of Redrive's transactions
// moves, so that a long list holds the outbox (and MySQL's topic lock) for
// a short while at a time.
const redriveBatch = 100

// reasonKeys are the metadata a dead letter gains (its reason, and the mark
// of a row whose metadata could not be read): a redriven row goes back
// without them.
var reasonKeys = []string{
	sourceflow.MetaFailure, middleware.ReasonForPoisonedKey, middleware.PoisonedTopicKey,
	middleware.PoisonedHandlerKey, middleware.PoisonedSubscriberKey, sqldb.MetaBadRow,
}

// Redrive writes the outbox's dead letters back into the outbox, oldest
// first, behind the rows written meanwhile, and returns how many it wrote:
// the forwarders forward them again (once the inner transport knows their
// destination, for instance), and one that fails again is dead-lettered
// again with its new reason. Each row goes back as it was written, without
// its reason, and leaves the dead-letter table in the same transaction, so
// Redrive calls running together move each dead letter once. It reads and
// moves up to 100 rows per transaction, so a list of any length takes
// bounded memory, and moves only the dead letters there when it began (one
// dead-lettered again meanwhile waits for the next call); an error leaves
// the rest where they were, and the count says how many were moved. A
// dead letter whose metadata column cannot be read (written by hand) stays
// where it is, for an operator to repair or delete; the others are moved,
// and the error names it. Only cfg.DB, cfg.Dialect, cfg.Topic and
// cfg.Logger are used; forwarders may run meanwhile. It is RedriveWith
// without options.
func Redrive(ctx context.Context, cfg Config) (int, error) {
	return RedriveWith(ctx, cfg, cqrs.RedriveOptions{})
}

// RedriveWith is Redrive with opts. opts.Where sees each dead letter as
// its row holds it, the forwarder envelope, and opts.ResetHops takes the
// hop count out of the message inside the envelope.
func RedriveWith(ctx context.Context, cfg Config, opts cqrs.RedriveOptions) (int, error) {
	cfg.setDefaults()
	if err := cfg.validateStore(); err != nil {
		return 0, err
	}
	page := sqldb.WatermillHead{Limit: redriveBatch, Written: opts.Where != nil}
	moved := 0
	var unreadable []error
	err := sqldb.EachWatermillPageOf(ctx, cfg.DB, cfg.Dialect, deadLetterTable(cfg.Topic), page, func(rows []sqldb.WatermillRow) error {
		rows, bad := sqldb.Readable(rows)
		if bad != nil {
			unreadable = append(unreadable, bad)
		}
		if rows = sqldb.Selected(rows, opts.Where); len(rows) == 0 {
			return nil
		}
		if opts.ResetHops {
			rows = withoutHops(rows)
		}
		n, err := redriveRows(ctx, cfg, rows)
		moved += n
		return err
	})
	if err = errors.Join(err, errors.Join(unreadable...)); err != nil {
		return moved, fmt.Errorf("outbox: redrive dead letters: %w", err)
	}
	return moved, nil
}

// redriveRows moves rows in one transaction and returns how many it moved:
// those still in the dead-letter table.
func redriveRows(ctx context.Context, cfg Config, rows []sqldb.WatermillRow) (int, error) {
	tx, err := cfg.DB.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback() }() // a no-op once committed
	if cfg.Dialect == sourceflow.MySQL {
		if err := lockForWrite(ctx, tx, cfg.Topic); err != nil {
			return 0, err
		}
	}
	n, err := sqldb.MoveWatermillRows(ctx, tx, cfg.Dialect, schemaAdapter(cfg.Dialect), cfg.Logger,
		deadLetterTable(cfg.Topic), cfg.Topic, rows, reasonKeys)
	if err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return n, nil
}
