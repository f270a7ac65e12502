package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// sequenceAttempts bounds how often WithinTx runs its work again when
// another writer moved an entity's sequence on first; between attempts it
// waits a random time below a bound that doubles from sequenceBackoff up to
// maxSequenceBackoff, so that writers racing for one entity spread out.
const (
	sequenceAttempts   = 16
	sequenceBackoff    = 2 * time.Millisecond
	maxSequenceBackoff = 100 * time.Millisecond
)

// errSequenceMoved is the failure of a transaction whose reserved sequence
// numbers another writer took first. It is a cqrs.ErrConflict.
var errSequenceMoved = fmt.Errorf("%w: the entity's sequence moved on", cqrs.ErrConflict)

// reservation is what a transaction reserved of one entity's sequence: the
// counter it read and the last number it handed out.
type reservation struct {
	base, next int64
}

type reservationKey struct{ table, entity string }

// reserve hands out the entity's next sequence number in a transaction.
// The counter is read once; at commit one update moves it to the last
// number handed out, on the condition that it still holds what was read.
// So a transaction that does not commit spends no number, and a command
// sent again by a re-run handler gets a number that leaves no gap.
func (s *commandStore) reserve(ctx context.Context, tx *dynamo.Tx, entityID string) (int64, error) {
	key := reservationKey{s.table, entityID}
	r, _ := tx.Value(key).(*reservation)
	if r == nil {
		s.lockFirst(ctx, tx, entityID)
		item, err := s.get(ctx, s.key(entityID, counterKey))
		if err != nil {
			return 0, fmt.Errorf("dynamostore: read the sequence of %q: %w", entityID, err)
		}
		r = &reservation{}
		if item != nil {
			if r.base, err = number(item["last"]); err != nil {
				return 0, fmt.Errorf("dynamostore: sequence of %q: %w", entityID, err)
			}
		}
		r.next = r.base
		tx.SetValue(key, r)
		tx.BeforeCommit(func(p dynamo.Prepared) error { return s.moveCounter(p, entityID, r) })
	}
	r.next++
	return r.next, nil
}

// lockFirst takes the in-process lock of the first entity the transaction
// reserves numbers of, held until the transaction ends; the numbers of
// further entities are reserved without one, so that two transactions never
// wait for each other's locks.
func (s *commandStore) lockFirst(ctx context.Context, tx *dynamo.Tx, entityID string) {
	type locked struct{ table string }
	if tx.Value(locked{s.table}) != nil {
		return
	}
	tx.SetValue(locked{s.table}, true)
	if release, ok := s.locks.lock(ctx, entityID); ok {
		tx.OnEnd(release)
	}
}

func (s *commandStore) moveCounter(p dynamo.Prepared, entityID string, r *reservation) error {
	cond := expression.AttributeNotExists(expression.Name(attrPK))
	if r.base > 0 {
		cond = expression.Name("last").Equal(expression.Value(r.base))
	}
	expr, err := expression.NewBuilder().WithCondition(cond).
		WithUpdate(expression.Set(expression.Name("last"), expression.Value(r.next))).Build()
	if err != nil {
		return err
	}
	return p.AddFirst(s.table, s.key(entityID, counterKey), types.TransactWriteItem{Update: &types.Update{
		TableName: aws.String(s.table), Key: s.key(entityID, counterKey),
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}}, fmt.Errorf("%w (entity %q, read at %d)", errSequenceMoved, entityID, r.base))
}

// WithinTx implements sourceflow.Transactor for the CommandBus: the
// sequence reserved and the command appended in fn commit together (see
// reserve), in a transaction of the command store's own. When another
// writer moved the sequence on first, fn runs again, at most
// sequenceAttempts times, with jittered backoff.
func (s *commandStore) WithinTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.tx(ctx) != nil {
		return fn(ctx)
	}
	var err error
	backoff := sequenceBackoff
	for attempt := 1; ; attempt++ {
		if err = dynamo.WithinTx(ctx, s.api, s, s.retry, fn); !errors.Is(err, errSequenceMoved) {
			return err
		}
		if attempt == sequenceAttempts {
			// Not a conflict any more: a caller that retries conflicts (the
			// CommandBus with an outbox) would multiply the attempts.
			return fmt.Errorf("%w after %d attempts (last: %v)", ErrSequenceContended, sequenceAttempts, err)
		}
		// #nosec G404 -- jitter that spreads retries out; no secret depends on it.
		if ended := dynamo.Sleep(ctx, rand.N(backoff)); ended != nil {
			// No conflict either: the context ended, nothing is to retry.
			return fmt.Errorf("dynamostore: waiting to retry a lost sequence race: %w (last: %v)", ended, err)
		}
		backoff = min(2*backoff, maxSequenceBackoff)
	}
}

// JoinsTransaction implements cqrs.TransactionJoiner: calls join the command
// store's own transaction (WithinTx), never a handling transaction.
func (s *commandStore) JoinsTransaction(ctx context.Context) bool { return s.tx(ctx) != nil }

// tx returns the command store's own transaction carried by ctx, or nil.
// Commands are committed in a transaction of their own, before they are
// published, whatever handling transaction the context carries: a command
// that was published is stored, and its number is never handed out again.
func (s *commandStore) tx(ctx context.Context) *dynamo.Tx { return dynamo.TxFor(ctx, s.api, s) }
