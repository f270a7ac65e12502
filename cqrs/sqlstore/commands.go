package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// deadlockAttempts bounds how often NextSequence runs again after a MySQL
// deadlock outside a caller's transaction.
const deadlockAttempts = 5

// commandStore is the cqrs.CommandStore on the <prefix>sequences and
// <prefix>commands tables.
type commandStore struct {
	conn
	q commandQueries
}

var (
	_ cqrs.CommandStore      = (*commandStore)(nil)
	_ sourceflow.Transactor  = (*commandStore)(nil)
	_ cqrs.TransactionJoiner = (*commandStore)(nil)
)

// NextSequence reserves the entity's next sequence in one upsert of its
// counter row; it never reads the entity's commands.
func (c *commandStore) NextSequence(ctx context.Context, entityID string) (int64, error) {
	if err := checkKey("entity id", entityID); err != nil {
		return 0, fmt.Errorf("sqlstore: commands: next sequence of %q: %w", entityID, err)
	}
	for attempt := 1; ; attempt++ {
		seq, err := c.nextOnce(ctx, entityID)
		if err != nil && isDeadlock(err) && attempt < deadlockAttempts && !c.JoinsTransaction(ctx) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("sqlstore: commands: next sequence of %q: %w", entityID, refused(err))
		}
		return seq, nil
	}
}

func (c *commandStore) nextOnce(ctx context.Context, entityID string) (int64, error) {
	ex, err := c.exec(ctx)
	if err != nil {
		return 0, err
	}
	if c.q.nextReturns {
		var seq int64
		err := ex.QueryRowContext(ctx, c.q.next, entityID).Scan(&seq)
		return seq, err
	}
	res, err := ex.ExecContext(ctx, c.q.next, entityID)
	if err != nil {
		return 0, err
	}
	seq, err := res.LastInsertId()
	if err == nil && seq < 1 {
		err = errors.New("the database returned no LAST_INSERT_ID")
	}
	return seq, err
}

// Append inserts the command. A duplicate (entity, sequence) or (entity,
// message id) is cqrs.ErrDuplicateCommand; values the database refuses (a
// type that is not valid text for it, say) are sourceflow.Permanent.
func (c *commandStore) Append(ctx context.Context, cmd cqrs.StoredCommand) error {
	env := cmd.Envelope
	fail := func(err error) error {
		return fmt.Errorf("sqlstore: commands: append %q sequence %d message %q: %w", env.EntityID, env.Sequence, env.MessageID, err)
	}
	if err := checkKeys("entity id", env.EntityID, "message id", env.MessageID); err != nil {
		return fail(err)
	}
	envelope, err := encodeEnvelope(env)
	if err != nil {
		return fail(err)
	}
	row := sqldb.EscapedLen(env.EntityID) + sqldb.EscapedLen(env.MessageID) + sqldb.EscapedLen(env.Type) +
		sqldb.EscapedLen(cmd.Destination) + sqldb.EscapedLen(envelope) + sqldb.EscapedLen(cmd.Payload)
	if err := c.checkRow(ctx, row); err != nil {
		return fail(err)
	}
	ex, err := c.exec(ctx)
	if err != nil {
		return fail(err)
	}
	res, err := ex.ExecContext(ctx, c.q.append,
		env.EntityID, env.Sequence, env.MessageID, env.Type, cmd.Destination, envelope, cmd.Payload)
	if classify(err) == uniqueViolation {
		return fail(fmt.Errorf("%w (the entity holds the sequence or the message id): %w", cqrs.ErrDuplicateCommand, err))
	}
	n, err := sqldb.RowsAffected(res, err)
	if err != nil {
		return fail(refused(err))
	}
	if n == 0 { // ON CONFLICT DO NOTHING
		return fail(fmt.Errorf("%w: the entity holds the sequence or the message id", cqrs.ErrDuplicateCommand))
	}
	return nil
}

// Find returns the entity's command with the message id, or cqrs.ErrNotFound.
func (c *commandStore) Find(ctx context.Context, entityID, messageID string) (cqrs.StoredCommand, error) {
	fail := func(err error) error {
		return fmt.Errorf("sqlstore: commands: find %q message %q: %w", entityID, messageID, err)
	}
	if err := checkKeys("entity id", entityID, "message id", messageID); err != nil {
		return cqrs.StoredCommand{}, fail(err)
	}
	ex, err := c.exec(ctx)
	if err != nil {
		return cqrs.StoredCommand{}, fail(err)
	}
	row := ex.QueryRowContext(ctx, c.q.find, entityID, messageID)
	cmd, err := scanCommand(row, entityID)
	if errors.Is(err, sql.ErrNoRows) {
		return cqrs.StoredCommand{}, fail(cqrs.ErrNotFound)
	}
	if err != nil {
		return cqrs.StoredCommand{}, fail(err)
	}
	return cmd, nil
}

// Load returns the entity's commands in sequence order.
func (c *commandStore) Load(ctx context.Context, entityID string) ([]cqrs.StoredCommand, error) {
	fail := func(err error) error { return fmt.Errorf("sqlstore: commands: load %q: %w", entityID, err) }
	if err := checkKey("entity id", entityID); err != nil {
		return nil, fail(err)
	}
	ex, err := c.exec(ctx)
	if err != nil {
		return nil, fail(err)
	}
	rows, err := ex.QueryContext(ctx, c.q.load, entityID)
	if err != nil {
		return nil, fail(err)
	}
	defer rows.Close()
	var out []cqrs.StoredCommand
	for rows.Next() {
		cmd, err := scanCommand(rows, entityID)
		if err != nil {
			return nil, fail(err)
		}
		out = append(out, cmd)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(err)
	}
	return out, nil
}

// scanCommand reads one row of commandColumns. The key columns are
// authoritative over the copies in the envelope JSON.
func scanCommand(row interface{ Scan(...any) error }, entityID string) (cqrs.StoredCommand, error) {
	var cmd cqrs.StoredCommand
	var seq int64
	var messageID, typ string
	var envelope []byte
	if err := row.Scan(&seq, &messageID, &typ, &cmd.Destination, &envelope, &cmd.Payload); err != nil {
		return cmd, err
	}
	env, err := decodeEnvelope(envelope)
	if err != nil {
		return cmd, fmt.Errorf("sequence %d: %w", seq, err)
	}
	env.EntityID, env.Sequence, env.MessageID, env.Type = entityID, seq, messageID, typ
	cmd.Envelope = env
	return cmd, nil
}
