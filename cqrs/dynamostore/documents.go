package dynamostore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// documentStore is a cqrs.DocumentStore on one table: one item per
// document, partition key the document id, sort key the kind (so documents
// of one kind spread over partitions), with data and version.
//
// joins is true for views: their saves join the handling transaction and
// commit with the idempotency completion. Saga entities join it only
// within WithinTx, which cqrs uses when the service's transport is an
// outbox that holds the saga's events back until the commit. Otherwise a
// saga publishes the events it raises from inside its handler, so whether
// its save wins must be known before that: an entity save is written at
// once (a conditional update; the saga retries a conflict in place, on a
// reload), and the events are kept with the state in that one item, so
// that a redelivery after a crash raises them again with their ids.
type documentStore struct {
	api   *dynamodb.Client
	table string
	retry *dynamo.Retry
	joins bool
}

var (
	_ cqrs.TransactionJoiner = (*documentStore)(nil)
	_ sourceflow.Transactor  = (*documentStore)(nil)
)

func (s *documentStore) key(kind, id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: id},
		attrSK: &types.AttributeValueMemberS{Value: kind},
	}
}

// Load implements cqrs.DocumentStore with a strongly consistent read.
func (s *documentStore) Load(ctx context.Context, kind, id string) (cqrs.Document, error) {
	if err := checkDocKey(kind, id); err != nil {
		return cqrs.Document{}, err
	}
	item, err := consistentGet(ctx, s.api, s.retry, s.table, s.key(kind, id))
	if err != nil {
		return cqrs.Document{}, fmt.Errorf("dynamostore: load %s %q: %w", kind, id, err)
	}
	if item == nil {
		return cqrs.Document{}, cqrs.ErrNotFound
	}
	data, ok := binaryOrNull(item["data"])
	version, err := number(item["version"])
	if !ok || err != nil {
		return cqrs.Document{}, fmt.Errorf("dynamostore: %s %q: stored item has no data or version", kind, id)
	}
	return cqrs.Document{Data: data, Version: version}, nil
}

// binaryOrNull returns the bytes of a binary attribute, or nil for a NULL
// one: Save stores a nil document as NULL.
func binaryOrNull(v types.AttributeValue) ([]byte, bool) {
	switch v := v.(type) {
	case *types.AttributeValueMemberB:
		return v.Value, true
	case *types.AttributeValueMemberNULL:
		return nil, true
	}
	return nil, false
}

// Save implements cqrs.DocumentStore: an update conditional on the stored
// version. In a handling transaction (see Store.WithinTx) the update is
// collected and written at commit, where a failed condition is ErrConflict.
func (s *documentStore) Save(ctx context.Context, kind, id string, data []byte, version int64) error {
	if err := checkDocKey(kind, id); err != nil {
		return err
	}
	writeID := rand.Text()
	update := expression.Set(expression.Name("data"), expression.Value(data)).
		Set(expression.Name("version"), expression.Value(version+1)).
		Set(expression.Name(writerOf(version+1)), expression.Value(writeID))
	if version+1 > keptWriters {
		update = update.Remove(expression.Name(writerOf(version + 1 - keptWriters)))
	}
	if err := s.checkSize(kind, id, data); err != nil {
		return err
	}
	cond := expression.AttributeNotExists(expression.Name(attrPK))
	if version > 0 {
		cond = expression.Name("version").Equal(expression.Value(version))
	}
	expr, err := expression.NewBuilder().WithUpdate(update).WithCondition(cond).Build()
	if err != nil {
		return fmt.Errorf("dynamostore: save %s %q: %w", kind, id, err)
	}
	conflict := fmt.Errorf("%w: %s %q is no longer version %d", cqrs.ErrConflict, kind, id, version)
	upd := &types.Update{
		TableName: aws.String(s.table), Key: s.key(kind, id), UpdateExpression: expr.Update(),
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}
	if s.joinsIn(ctx) {
		if dynamo.Foreign(ctx, s.api, dynamo.Handling) {
			return sourceflow.Permanent(fmt.Errorf("dynamostore: save %s %q: %w", kind, id, dynamo.ErrForeignTx))
		}
		if tx := dynamo.TxFor(ctx, s.api, dynamo.Handling); tx != nil {
			tx.OnUncertain(s.table, s.key(kind, id), func(ctx context.Context) bool { return s.wrote(ctx, kind, id, version+1, writeID) })
			return tx.Add(s.table, s.key(kind, id), types.TransactWriteItem{Update: upd}, conflict)
		}
	}
	var old map[string]types.AttributeValue
	err = s.retry.Do(ctx, s.table, func(ctx context.Context) error {
		_, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: upd.TableName, Key: upd.Key, UpdateExpression: upd.UpdateExpression,
			ConditionExpression: upd.ConditionExpression, ExpressionAttributeNames: upd.ExpressionAttributeNames,
			ExpressionAttributeValues:           upd.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}, dynamo.BoundAttempts)
		old = oldItem(err)
		return err
	})
	switch {
	case dynamo.IsConditionFailed(err) && str(old[writerOf(version+1)]) == writeID:
		return nil // an earlier attempt of this request was applied, perhaps since overwritten
	case dynamo.IsConditionFailed(err):
		return conflict
	case err != nil:
		return fmt.Errorf("dynamostore: save %s %q: %w", kind, id, dynamo.Invalid(err))
	}
	return nil
}

// wrote reports whether the save of version v with writeID is stored, as
// that version or under later ones (which keep its writer id): a commit
// whose answer was lost and whose resend failed its condition was applied.
func (s *documentStore) wrote(ctx context.Context, kind, id string, v int64, writeID string) bool {
	item, err := consistentGet(ctx, s.api, s.retry, s.table, s.key(kind, id))
	return err == nil && item != nil && str(item[writerOf(v)]) == writeID
}

// checkSize fails, permanently, when the document's item would pass
// DynamoDB's item limit, counting the writer ids it keeps.
func (s *documentStore) checkSize(kind, id string, data []byte) error {
	item := s.key(kind, id)
	item["data"] = &types.AttributeValueMemberB{Value: data}
	item["version"] = numberValue(math.MaxInt64)
	for v := range int64(keptWriters) {
		item[writerOf(math.MaxInt64-v)] = &types.AttributeValueMemberS{Value: rand.Text()}
	}
	if err := dynamo.CheckSize(item, fmt.Sprintf("dynamostore: %s %q", kind, id)); err != nil {
		return sourceflow.Permanent(err)
	}
	return nil
}

// oldItem returns the item a failed condition reported (ALL_OLD), if any.
func oldItem(err error) map[string]types.AttributeValue {
	var cf *types.ConditionalCheckFailedException
	if errors.As(err, &cf) {
		return cf.Item
	}
	return nil
}

// A document keeps the random ids of the saves that wrote its last
// keptWriters versions, in attributes named by writerOf: when the SDK
// resent an update that had been applied (its answer was lost), the
// resend's condition fails, and finding its own id at the version it wrote
// makes that a success, not a conflict, even when other saves have
// overwritten the document since. Without them the caller would apply its
// change a second time.
const keptWriters = 16

// writerOf names the attribute holding the id of the save of version v.
func writerOf(v int64) string { return "w" + strconv.FormatInt(v, 10) }

func str(v types.AttributeValue) string {
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

// JoinsTransaction implements cqrs.TransactionJoiner.
func (s *documentStore) JoinsTransaction(ctx context.Context) bool {
	return s.joinsIn(ctx) && dynamo.TxFor(ctx, s.api, dynamo.Handling) != nil
}

// WithinTx implements sourceflow.Transactor: fn runs in the handling
// transaction (joining the one ctx carries, or beginning one), and the
// store's saves made with its context join it. cqrs runs a saga's handling
// there when the service's transport is an OutboxTransport (see Outbox):
// the events the saga raises are then collected into the same
// transaction, so its new state, those events and the idempotency
// completion are written by one TransactWriteItems, and a run that loses
// to another instance publishes nothing.
func (s *documentStore) WithinTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if dynamo.Foreign(ctx, s.api, dynamo.Handling) {
		return sourceflow.Permanent(fmt.Errorf("dynamostore: %s: %w", s.table, dynamo.ErrForeignTx))
	}
	return dynamo.WithinTx(ctx, s.api, dynamo.Handling, s.retry, func(ctx context.Context) error {
		return fn(context.WithValue(ctx, joinKey{s}, true))
	})
}

// joinKey marks a context in which the store's saves join the handling
// transaction (WithinTx).
type joinKey struct{ s *documentStore }

// joinsIn reports whether saves with ctx join a handling transaction:
// always for views, for entities within WithinTx.
func (s *documentStore) joinsIn(ctx context.Context) bool {
	return s.joins || ctx.Value(joinKey{s}) != nil
}

func checkDocKey(kind, id string) error {
	if err := checkKey("kind", kind); err != nil {
		return err
	}
	return checkKey("id", id)
}
