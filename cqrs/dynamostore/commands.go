package dynamostore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// commandStore is a cqrs.CommandStore on one table partitioned by entity
// id: the entity's sequence counter, its commands and its message-id
// markers share the partition (see the sort keys in items.go).
type commandStore struct {
	api   *dynamodb.Client
	table string
	retry *dynamo.Retry
	locks entityLocks
}

// NextSequence implements cqrs.CommandStore. In the command store's
// transaction (WithinTx, what the CommandBus uses) the number is reserved
// and taken at commit with the command (see reserve). Called alone, it
// commits the reservation by itself, with a marker item naming the number's
// taker: a request the SDK resent after a lost answer then finds its marker
// and returns its number, so no number is spent twice or skipped. (An
// UpdateItem ADD would be one request, but its outcome is unknown when its
// answer is lost, and resending it spends a second number.)
func (s *commandStore) NextSequence(ctx context.Context, entityID string) (int64, error) {
	if err := checkKey("entity id", entityID); err != nil {
		return 0, err
	}
	if tx := s.tx(ctx); tx != nil {
		return s.reserve(ctx, tx, entityID)
	}
	var seq int64
	err := s.WithinTx(ctx, func(ctx context.Context) error {
		tx := s.tx(ctx)
		n, err := s.reserve(ctx, tx, entityID)
		if err != nil {
			return err
		}
		seq = n
		return s.markTaken(ctx, tx, entityID, n)
	})
	if err != nil {
		return 0, fmt.Errorf("dynamostore: next sequence of %q: %w", entityID, err)
	}
	return seq, nil
}

// markTaken adds to tx the marker of number n of the entity, with a token
// of its own, and a check that reads it back after an uncertain commit.
func (s *commandStore) markTaken(ctx context.Context, tx *dynamo.Tx, entityID string, n int64) error {
	key := s.key(entityID, takenPrefix+digits(n))
	token := rand.Text()
	marker := s.key(entityID, takenPrefix+digits(n))
	marker[attrToken] = &types.AttributeValueMemberS{Value: token}
	expr, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name(attrPK))).Build()
	if err != nil {
		return err
	}
	tx.OnUncertain(s.table, key, func(ctx context.Context) bool {
		item, err := s.get(ctx, key)
		return err == nil && str(item[attrToken]) == token
	})
	return tx.Add(s.table, key, types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(s.table), Item: marker, ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(),
	}}, fmt.Errorf("%w (number %d of %q is taken)", errSequenceMoved, n, entityID))
}

func (s *commandStore) key(entityID, sortKey string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: entityID},
		attrSK: &types.AttributeValueMemberS{Value: sortKey},
	}
}

// Append implements cqrs.CommandStore: the command and its message-id marker
// are written by one TransactWriteItems, each conditional on its key being
// new, so a command whose sequence or message id is stored already is
// refused with ErrDuplicateCommand and nothing is written. In a transaction
// (WithinTx) both writes are collected and committed with the sequence.
func (s *commandStore) Append(ctx context.Context, cmd cqrs.StoredCommand) error {
	e := cmd.Envelope
	if err := errors.Join(checkKey("entity id", e.EntityID), checkKey("message id", e.MessageID)); err != nil {
		return err
	}
	item, err := attributevalue.MarshalMap(toItem(cmd))
	if err != nil {
		return fmt.Errorf("dynamostore: encode command %s: %w", e.MessageID, err)
	}
	what := fmt.Sprintf("dynamostore: command %s of entity %q", e.MessageID, e.EntityID)
	if err := dynamo.CheckSize(item, what); err != nil {
		return sourceflow.Permanent(err)
	}
	marker := s.key(e.EntityID, messagePrefix+e.MessageID)
	marker["sequence"] = numberValue(e.Sequence)
	token := rand.Text()
	marker[attrToken] = &types.AttributeValueMemberS{Value: token}
	expr, err := expression.NewBuilder().
		WithCondition(expression.AttributeNotExists(expression.Name(attrPK))).Build()
	if err != nil {
		return err
	}
	put := func(item map[string]types.AttributeValue) types.TransactWriteItem {
		return types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(s.table), Item: item, ConditionExpression: expr.Condition(),
			ExpressionAttributeNames: expr.Names(),
		}}
	}
	dup := fmt.Errorf("%w: sequence %d or message id %s of entity %q", cqrs.ErrDuplicateCommand, e.Sequence, e.MessageID, e.EntityID)
	if tx := s.tx(ctx); tx != nil {
		tx.OnUncertain(s.table, s.key(e.EntityID, messagePrefix+e.MessageID), func(ctx context.Context) bool { return s.appended(ctx, e, token) })
		return tx.AddAll(
			dynamo.Write{Table: s.table, Key: s.key(e.EntityID, toItem(cmd).SK), Item: put(item), Failed: dup},
			dynamo.Write{Table: s.table, Key: s.key(e.EntityID, messagePrefix+e.MessageID), Item: put(marker), Failed: dup})
	}
	in := &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{put(item), put(marker)}}
	err = s.retry.Do(ctx, s.table, func(ctx context.Context) error {
		_, err := s.api.TransactWriteItems(ctx, in, dynamo.BoundAttempts)
		return err
	})
	var tc *types.TransactionCanceledException
	switch {
	case errors.As(err, &tc) && conditionFailed(tc) && s.appended(ctx, e, token):
		return nil // an earlier attempt of this request was applied
	case errors.As(err, &tc) && conditionFailed(tc):
		return dup
	case errors.Is(err, dynamo.ErrUnanswered) && s.appended(ctx, e, token):
		return nil // the request cut unanswered was applied
	case err != nil:
		return fmt.Errorf("%s: %w", what, dynamo.Invalid(err))
	}
	return nil
}

// appended reports whether this Append's write of the command of envelope
// e is stored: its marker holds the token that write gave it. A retried
// write found the effect of its first attempt; another writer that stored
// the same command (an instance handling the same message) left a token of
// its own, and this write failed.
func (s *commandStore) appended(ctx context.Context, e cqrs.Envelope, token string) bool {
	item, err := s.get(ctx, s.key(e.EntityID, messagePrefix+e.MessageID))
	return err == nil && str(item[attrToken]) == token
}

// conditionFailed reports whether tc was cancelled because the condition
// of one of its writes failed.
func conditionFailed(tc *types.TransactionCanceledException) bool {
	for _, r := range tc.CancellationReasons {
		if aws.ToString(r.Code) == "ConditionalCheckFailed" {
			return true
		}
	}
	return false
}

// Find implements cqrs.CommandStore: the message-id marker names the
// command's sequence.
func (s *commandStore) Find(ctx context.Context, entityID, messageID string) (cqrs.StoredCommand, error) {
	if err := errors.Join(checkKey("entity id", entityID), checkKey("message id", messageID)); err != nil {
		return cqrs.StoredCommand{}, err
	}
	marker, err := s.get(ctx, s.key(entityID, messagePrefix+messageID))
	if err != nil || marker == nil {
		return cqrs.StoredCommand{}, s.notFound(err, entityID, messageID)
	}
	seq, err := number(marker["sequence"])
	if err != nil {
		return cqrs.StoredCommand{}, fmt.Errorf("dynamostore: message %s of entity %q: corrupt marker: %w", messageID, entityID, err)
	}
	item, err := s.get(ctx, s.key(entityID, sequenceKey(seq)))
	if err != nil || item == nil {
		return cqrs.StoredCommand{}, s.notFound(err, entityID, messageID)
	}
	return decodeCommand(item)
}

func (s *commandStore) notFound(err error, entityID, messageID string) error {
	if err != nil {
		return fmt.Errorf("dynamostore: find %s of entity %q: %w", messageID, entityID, err)
	}
	return fmt.Errorf("%w: command %s of entity %q", cqrs.ErrNotFound, messageID, entityID)
}

func (s *commandStore) get(ctx context.Context, key map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	return consistentGet(ctx, s.api, s.retry, s.table, key)
}

// Load implements cqrs.CommandStore with a strongly consistent query of the
// entity's command items, in sort-key (sequence) order, page by page.
func (s *commandStore) Load(ctx context.Context, entityID string) ([]cqrs.StoredCommand, error) {
	if err := checkKey("entity id", entityID); err != nil {
		return nil, err
	}
	cond := expression.Key(attrPK).Equal(expression.Value(entityID)).
		And(expression.Key(attrSK).BeginsWith(sequencePrefix))
	expr, err := expression.NewBuilder().WithKeyCondition(cond).Build()
	if err != nil {
		return nil, err
	}
	in := &dynamodb.QueryInput{
		TableName: aws.String(s.table), KeyConditionExpression: expr.KeyCondition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(), ConsistentRead: aws.Bool(true),
	}
	var cmds []cqrs.StoredCommand
	for out, err := range dynamo.QueryPages(ctx, s.api, s.retry, in) {
		if err != nil {
			return nil, fmt.Errorf("dynamostore: load commands of %q: %w", entityID, err)
		}
		for _, item := range out.Items {
			c, err := decodeCommand(item)
			if err != nil {
				return nil, err
			}
			cmds = append(cmds, c)
		}
	}
	return cmds, nil
}

func decodeCommand(item map[string]types.AttributeValue) (cqrs.StoredCommand, error) {
	var it commandItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return cqrs.StoredCommand{}, fmt.Errorf("dynamostore: decode command: %w", err)
	}
	c, err := it.command()
	if err != nil {
		return cqrs.StoredCommand{}, fmt.Errorf("dynamostore: decode command %s of entity %q: %w", it.MessageID, it.PK, err)
	}
	return c, nil
}
