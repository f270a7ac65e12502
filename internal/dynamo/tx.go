package dynamo

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// MaxTxItems is how many writes one TransactWriteItems takes.
const MaxTxItems = 100

// ErrTxTooLarge is returned when a handling transaction collects more writes
// than one TransactWriteItems takes.
var ErrTxTooLarge = errors.New("more than 100 writes in one DynamoDB transaction")

// Tx is a handling transaction on DynamoDB: the writes stores make while it
// runs are collected, each with its condition, and committed together by
// one TransactWriteItems when the work succeeds (one conditional write when
// there is only one). Reads are not part of it: a store reads the committed
// state and makes its write conditional on what it read.
type Tx struct {
	api     API
	writes  []write
	undo    []func(context.Context)
	prepare []func() error
	ends    []func()
	values  map[any]any
}

// write is one collected write and the error a failure of its condition
// means.
type write struct {
	item   types.TransactWriteItem
	failed error
}

type txKey struct{}

// TxFor returns the transaction carried by ctx when it was begun on api,
// else nil.
func TxFor(ctx context.Context, api API) *Tx {
	tx, _ := ctx.Value(txKey{}).(*Tx)
	if tx == nil || tx.api != api {
		return nil
	}
	return tx
}

// Add collects a write. failed is the error the caller sees when the write's
// condition fails at commit.
func (tx *Tx) Add(item types.TransactWriteItem, failed error) error {
	if len(tx.writes) >= MaxTxItems {
		return ErrTxTooLarge
	}
	tx.writes = append(tx.writes, write{item: item, failed: failed})
	return nil
}

// AddFirst collects a write ahead of the others: when several conditions
// fail at commit, its failure is the one reported. A store uses it for the
// write whose failure explains the others' (a counter another writer moved
// on, which makes the numbers taken from it collide).
func (tx *Tx) AddFirst(item types.TransactWriteItem, failed error) error {
	if err := tx.Add(item, failed); err != nil {
		return err
	}
	last := tx.writes[len(tx.writes)-1]
	copy(tx.writes[1:], tx.writes[:len(tx.writes)-1])
	tx.writes[0] = last
	return nil
}

// Value returns what a store keeps under key for the transaction, or nil.
func (tx *Tx) Value(key any) any { return tx.values[key] }

// SetValue keeps v under key for the transaction.
func (tx *Tx) SetValue(key, v any) {
	if tx.values == nil {
		tx.values = map[any]any{}
	}
	tx.values[key] = v
}

// BeforeCommit registers fn to run once the work succeeded, before the
// commit: a store adds there the writes that sum up the transaction (a
// counter's final value). An error fails the transaction.
func (tx *Tx) BeforeCommit(fn func() error) { tx.prepare = append(tx.prepare, fn) }

// OnEnd registers fn to run when the transaction ends, committed or not:
// a store releases there what it held for the transaction.
func (tx *Tx) OnEnd(fn func()) { tx.ends = append(tx.ends, fn) }

// OnRollback registers fn to run when the transaction does not commit: a
// store that wrote at once (an idempotency claim) undoes it there.
func (tx *Tx) OnRollback(fn func(context.Context)) { tx.undo = append(tx.undo, fn) }

// WithinTx runs fn with a context carrying a transaction on api and commits
// what fn collected when fn returns nil; when fn fails, panics or the commit
// fails, nothing collected is written and the rollback functions run. When
// ctx already carries a transaction on api, fn joins it and the outer caller
// commits.
func WithinTx(ctx context.Context, api API, r *Retry, fn func(ctx context.Context) error) (err error) {
	if TxFor(ctx, api) != nil {
		return fn(ctx)
	}
	tx := &Tx{api: api}
	committed := false
	defer func() {
		if !committed {
			tx.rollback(ctx)
		}
		for i := len(tx.ends) - 1; i >= 0; i-- {
			tx.ends[i]()
		}
	}()
	if err := fn(context.WithValue(ctx, txKey{}, tx)); err != nil {
		return err
	}
	for _, prepare := range tx.prepare {
		if err := prepare(); err != nil {
			return err
		}
	}
	if err := tx.commit(ctx, r); err != nil {
		return err
	}
	committed = true
	return nil
}

func (tx *Tx) rollback(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	for i := len(tx.undo) - 1; i >= 0; i-- {
		tx.undo[i](ctx)
	}
}

func (tx *Tx) commit(ctx context.Context, r *Retry) error {
	switch len(tx.writes) {
	case 0:
		return nil
	case 1:
		w := tx.writes[0]
		err := r.Do(ctx, func(ctx context.Context) error { return single(ctx, tx.api, w.item) })
		if IsConditionFailed(err) {
			return w.failed
		}
		return err
	}
	in := &dynamodb.TransactWriteItemsInput{
		TransactItems:      make([]types.TransactWriteItem, len(tx.writes)),
		ClientRequestToken: aws.String(rand.Text()),
	}
	for i, w := range tx.writes {
		in.TransactItems[i] = w.item
	}
	err := r.Do(ctx, func(ctx context.Context) error {
		_, err := tx.api.TransactWriteItems(ctx, in)
		return err
	})
	return tx.cancelled(err)
}

// cancelled maps a cancelled transaction to the error of the first write
// whose condition failed.
func (tx *Tx) cancelled(err error) error {
	var tc *types.TransactionCanceledException
	if !errors.As(err, &tc) {
		if err != nil {
			return fmt.Errorf("dynamodb: transact write: %w", err)
		}
		return nil
	}
	for i, r := range tc.CancellationReasons {
		if code(r.Code) == "ConditionalCheckFailed" && i < len(tx.writes) {
			return tx.writes[i].failed
		}
	}
	return fmt.Errorf("dynamodb: transaction cancelled: %w", err)
}

// single runs one collected write as a plain conditional write: the same
// effect as a transaction of one item at half the write capacity.
func single(ctx context.Context, api API, it types.TransactWriteItem) error {
	var err error
	switch {
	case it.Put != nil:
		p := it.Put
		_, err = api.PutItem(ctx, &dynamodb.PutItemInput{TableName: p.TableName, Item: p.Item,
			ConditionExpression: p.ConditionExpression, ExpressionAttributeNames: p.ExpressionAttributeNames,
			ExpressionAttributeValues: p.ExpressionAttributeValues})
	case it.Update != nil:
		u := it.Update
		_, err = api.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: u.TableName, Key: u.Key,
			UpdateExpression: u.UpdateExpression, ConditionExpression: u.ConditionExpression,
			ExpressionAttributeNames: u.ExpressionAttributeNames, ExpressionAttributeValues: u.ExpressionAttributeValues})
	case it.Delete != nil:
		d := it.Delete
		_, err = api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: d.TableName, Key: d.Key,
			ConditionExpression: d.ConditionExpression, ExpressionAttributeNames: d.ExpressionAttributeNames,
			ExpressionAttributeValues: d.ExpressionAttributeValues})
	default:
		return errors.New("dynamodb: a collected write is neither put, update nor delete")
	}
	return err
}

// IsConditionFailed reports whether err is a failed condition of a single
// write.
func IsConditionFailed(err error) bool {
	var cf *types.ConditionalCheckFailedException
	return errors.As(err, &cf)
}
