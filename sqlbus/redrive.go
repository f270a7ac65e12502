package sqlbus

import (
	"context"
	"errors"
	"fmt"
	"slices"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// redrivePage is how many dead letters Redrive reads at a time.
const redrivePage = 100

// reasonKeys are the metadata a dead letter gains (its reason, the last
// error, the mark of a row whose metadata could not be read): a redriven
// message goes back without them.
var reasonKeys = []string{sourceflow.MetaFailure, sourceflow.MetaLastError, sqldb.MetaBadRow}

// Redrive writes the dead letters of destination back into destination,
// oldest first, behind the messages published meanwhile, and returns how
// many it wrote: the consumers handle them again (once the cause that
// dead-lettered them is fixed), and one that fails again is dead-lettered
// again with its new reason. Each goes back as it was published, same
// message id, without its reason, and leaves the dead-letter table in the
// same transaction, so Redrive calls running together move each dead
// letter once. It reads and moves them 100 per transaction, so a list of
// any length takes bounded memory and, on MySQL, holds the destination's
// publish lock a short while at a time, and it moves only those there when
// it began (one
// dead-lettered again meanwhile waits for the next call). Every consumer
// group of destination receives them again, not only the service that
// dead-lettered them. An error, or the end of ctx, leaves the rest where
// they were; the count says how many were moved. A dead letter whose
// metadata column cannot be read (written by hand) stays where it is, for
// an operator to repair or delete; the others are moved, and the error
// names it. Only cfg.DB, cfg.Dialect and cfg.Logger are used; services may
// run meanwhile. It creates destination's table only when it has none,
// so on a destination whose table exists it needs SELECT, INSERT and
// DELETE, not CREATE. It is RedriveWith without options.
func Redrive(ctx context.Context, cfg Config, destination string) (int, error) {
	return RedriveWith(ctx, cfg, destination, cqrs.RedriveOptions{})
}

// RedriveWith is Redrive with opts. opts.Where sees each dead letter as the
// message it holds, and a selected one goes back behind the entity's
// messages written meanwhile, ahead of an earlier one of the entity left
// behind: a destination's consumers handle an entity's messages in order.
func RedriveWith(ctx context.Context, cfg Config, destination string, opts cqrs.RedriveOptions) (int, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return 0, err
	}
	schema, _ := adapters(cfg.Dialect, cfg.DB)
	strip := reasonKeys
	if opts.ResetHops {
		strip = append(slices.Clip(reasonKeys), sourceflow.MetaHops)
	}
	created, moved := false, 0
	page := sqldb.WatermillHead{Limit: redrivePage, Written: opts.Where != nil}
	var unreadable []error
	err := sqldb.EachWatermillPageOf(ctx, cfg.DB, cfg.Dialect, "watermill_"+DeadLetterTopic(destination), page, func(rows []sqldb.WatermillRow) error {
		rows, bad := sqldb.Readable(rows)
		if bad != nil {
			unreadable = append(unreadable, bad)
		}
		if rows = sqldb.Selected(rows, opts.Where); len(rows) == 0 {
			return nil
		}
		if !created {
			if err := newTables(cfg.DB, schema, nil).ensure(ctx, cfg.Dialect, Topic(destination)); err != nil {
				return err
			}
			created = true
		}
		n, err := redriveRows(ctx, cfg, schema, destination, rows, strip)
		moved += n // committed, even when releasing the lock then failed
		return err
	})
	if err = errors.Join(err, errors.Join(unreadable...)); err != nil {
		return moved, fmt.Errorf("sqlbus: redrive the dead letters of %q: %w", destination, err)
	}
	return moved, nil
}

// redriveRows moves rows back into destination's table, without the
// metadata strip names, in one transaction and returns how many it moved: those still in the
// dead-letter table (another Redrive may have moved some). On MySQL the
// transaction holds the topic's publish lock until it commits, so rows
// keep committing in offset order.
func redriveRows(ctx context.Context, cfg Config, schema wsql.SchemaAdapter, destination string,
	rows []sqldb.WatermillRow, strip []string) (moved int, err error) {
	conn, err := cfg.DB.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	topic := Topic(destination)
	if cfg.Dialect == sourceflow.MySQL {
		unlock, lerr := lockTopic(ctx, conn, topic)
		if lerr != nil {
			return 0, lerr
		}
		defer func() { err = errors.Join(err, unlock()) }()
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback() }() // a no-op once committed
	n, err := sqldb.MoveWatermillRows(ctx, tx, cfg.Dialect, schema, cfg.Logger,
		"watermill_"+DeadLetterTopic(destination), topic, rows, strip)
	if err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return n, nil
}
