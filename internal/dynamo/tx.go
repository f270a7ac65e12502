package dynamo

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sourceflow-go/sourceflow"
)

// MaxTxItems is how many writes one TransactWriteItems takes, and
// MaxTxSize how many bytes their items may hold together.
const (
	MaxTxItems = 100
	MaxTxSize  = 4 << 20
)

// ErrTxTooLarge is returned (permanent: the same handling collects the same
// writes again) when a transaction collects more writes than one
// TransactWriteItems takes.
var ErrTxTooLarge = sourceflow.Permanent(errors.New("more than 100 writes in one DynamoDB transaction"))

// Tx is a handling transaction on DynamoDB: the writes stores make while it
// runs are collected, each with its condition, and committed together by
// one TransactWriteItems when the work succeeds (one conditional write when
// there is only one). Reads are not part of it: a store reads the committed
// state and makes its write conditional on what it read.
//
// Collecting writes and registering hooks is safe for concurrent use by the
// goroutines of one handler until the work returns: the transaction is then
// sealed, and its BeforeCommit functions write through Prepared. From then
// on a write is refused (ErrTxEnded); an OnEnd or OnRollback function
// registered then runs at once (what it releases or undoes is no part of
// the commit), and the other hooks are ignored. A store's bookkeeping with Value and SetValue
// is its own to synchronise.
type Tx struct {
	mu      sync.Mutex
	api     API
	writes  []write
	undo    []func(context.Context) error
	prepare []func(Prepared) error
	ends    []func()
	commits []func(context.Context)
	checks  map[string]func(context.Context) bool // by write target
	values  map[any]any
	ended   bool // committing, committed or rolled back: no more writes
}

// ErrTxEnded is returned by a write into a transaction that is committing
// or has ended: a goroutine a handler started still uses the handler's
// context after the handler returned. The write would be part of nothing;
// give such work a context of its own. The error goes to that goroutine,
// not to the handling, which may have committed already. It is permanent:
// the same context carries the same ended transaction again.
var ErrTxEnded = sourceflow.Permanent(errors.New("dynamodb: the transaction this context carries has ended"))

// Handling is the scope of the handling transaction: the one the
// idempotency store begins around a handler, which the stores whose writes
// publish nothing (views) join.
var Handling any = handlingScope{}

type handlingScope struct{}

// txKey carries the transaction of one scope in a context.
type txKey struct{ scope any }

// TxFor returns the transaction of scope carried by ctx when it was begun
// on api, else nil.
func TxFor(ctx context.Context, api API, scope any) *Tx {
	tx, _ := ctx.Value(txKey{scope}).(*Tx)
	if tx == nil || tx.api != api {
		return nil
	}
	return tx
}

// currentKey carries the transaction begun last, whatever its scope.
type currentKey struct{}

// Current returns the transaction begun last among those ctx carries, nil
// when there is none, and whether it was begun on api: the outbox writes a
// message into the transaction its sender runs in, which is the command
// store's own for a command and the handling transaction for an event.
func Current(ctx context.Context, api API) (tx *Tx, onAPI bool) {
	tx, _ = ctx.Value(currentKey{}).(*Tx)
	return tx, tx != nil && tx.api == api
}

// Detach returns ctx without the transactions it carries, keeping its
// other values, deadline and cancellation: a message relayed after its
// transaction committed travels without it.
func Detach(ctx context.Context) context.Context { return detached{ctx} }

type detached struct{ context.Context }

func (d detached) Value(key any) any {
	switch key.(type) {
	case txKey, currentKey:
		return nil
	}
	return d.Context.Value(key)
}

// ErrForeignTx is returned by a store asked to join a handling transaction
// that runs on another DynamoDB client: its writes would not be part of it.
var ErrForeignTx = errors.New("dynamodb: the handling transaction runs on another client; " +
	"give the state stores and the idempotency store one *dynamodb.Client")

// Foreign reports whether ctx carries a transaction of scope begun on a
// client other than api.
func Foreign(ctx context.Context, api API, scope any) bool {
	tx, _ := ctx.Value(txKey{scope}).(*Tx)
	return tx != nil && tx.api != api
}

// Value returns what a store keeps under key for the transaction, or nil.
func (tx *Tx) Value(key any) any {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	return tx.values[key]
}

// SetValue keeps v under key for the transaction.
func (tx *Tx) SetValue(key, v any) {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	if tx.values == nil {
		tx.values = map[any]any{}
	}
	tx.values[key] = v
}

// BeforeCommit registers fn to run once the work succeeded, before the
// commit: a store adds there the writes that sum up the transaction (a
// counter's final value). An error fails the transaction.
func (tx *Tx) BeforeCommit(fn func(Prepared) error) {
	tx.register(func() { tx.prepare = append(tx.prepare, fn) })
}

// register runs add, which registers a hook, with tx.mu held, unless the
// transaction is sealed; it reports whether it ran. A hook registered for a
// write the sealed transaction refuses is no part of the commit.
func (tx *Tx) register(add func()) bool {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	if tx.ended {
		return false
	}
	add()
	return true
}

// OnUncertain registers check for the write to key of table, run when the
// commit fails: a request the SDK retried may have been applied the first
// time, and the retry then fails on the conditions the first attempt
// changed. When every registered check finds the transaction's writes in
// place, the transaction counts as committed. A store registers a check
// that reads back what it wrote; a check registered again for the same
// write (a handler run again in the transaction replaced it) replaces the
// earlier one.
func (tx *Tx) OnUncertain(table string, key map[string]types.AttributeValue, check func(ctx context.Context) bool) {
	tx.register(func() {
		if tx.checks == nil {
			tx.checks = map[string]func(context.Context) bool{}
		}
		tx.checks[target(table, key)] = check
	})
}

// OnEnd registers fn to run when the transaction ends, committed or not:
// a store releases there what it held for the transaction.
func (tx *Tx) OnEnd(fn func()) {
	if !tx.register(func() { tx.ends = append(tx.ends, fn) }) {
		fn() // what was taken for a write the transaction refused is released at once
	}
}

// OnCommit registers fn to run once the transaction has committed, after
// the OnEnd functions: the outbox relays there what the transaction wrote
// into it.
func (tx *Tx) OnCommit(fn func(context.Context)) {
	tx.register(func() { tx.commits = append(tx.commits, fn) })
}

// OnRollback registers fn to run when the transaction does not commit: a
// store that wrote at once (an idempotency claim) undoes it there. An error
// fn returns is joined to the error WithinTx returns.
//
// It returns false when the transaction was sealed already: fn then runs
// at once (what was done at once is no part of the commit), and the
// caller reports ErrTxEnded.
func (tx *Tx) OnRollback(ctx context.Context, fn func(context.Context) error) bool {
	if tx.register(func() { tx.undo = append(tx.undo, fn) }) {
		return true
	}
	ctx, cancel := SettleContext(ctx)
	defer cancel()
	_ = fn(ctx) // the caller's error, ErrTxEnded, says what matters
	return false
}

// WithinTx runs fn with a context carrying a transaction of scope on api
// and commits what fn collected when fn returns nil; when fn fails, panics
// or the commit fails, nothing collected is written and the rollback
// functions run. When ctx already carries a transaction of scope on api, fn
// joins it and the outer caller commits. Transactions of different scopes
// are independent: a store that keeps a scope of its own commits its writes
// apart from the handling transaction.
func WithinTx(ctx context.Context, api API, scope any, r *Retry, fn func(ctx context.Context) error) (err error) {
	if TxFor(ctx, api, scope) != nil {
		return fn(ctx)
	}
	tx := &Tx{api: api}
	committed := false
	defer func() {
		_ = tx.seal()
		if !committed {
			if rerr := tx.rollback(ctx); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
		for i := len(tx.ends) - 1; i >= 0; i-- {
			tx.ends[i]()
		}
		if committed {
			for _, fn := range tx.commits {
				fn(ctx)
			}
		}
	}()
	if err := fn(context.WithValue(context.WithValue(ctx, txKey{scope}, tx), currentKey{}, tx)); err != nil {
		return err
	}
	// Sealed first: what another goroutine writes from here on would be in
	// no request, or would join the counters the prepare functions sum up
	// too late. The prepare functions write through Prepared.
	for _, prepare := range tx.seal() {
		if err := prepare(Prepared{tx}); err != nil {
			return err
		}
	}
	if err := tx.commit(ctx, r); err != nil && !tx.inPlace(ctx) {
		return err
	}
	committed = true
	return nil
}

// seal ends the collection of writes: Add and AddFirst refuse from here on
// (ErrTxEnded), and the commit reads the writes without the lock. It
// returns the prepare functions to run (none the second time).
func (tx *Tx) seal() []func(Prepared) error {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	tx.ended = true
	prepare := tx.prepare
	tx.prepare = nil
	return prepare
}

// Prepared is what a BeforeCommit function writes through: the sealed
// transaction, which refuses every other write.
type Prepared struct{ tx *Tx }

// AddFirst collects a write ahead of the others, as Tx.AddFirst does.
func (p Prepared) AddFirst(table string, key map[string]types.AttributeValue, item types.TransactWriteItem, failed error) error {
	p.tx.mu.Lock()
	defer p.tx.mu.Unlock()
	return p.tx.collect(write{item: item, target: target(table, key), failed: failed}, true)
}

// inPlace reports whether the checks registered with OnUncertain (at least
// one) all find the transaction's writes in place. They run after ctx's
// end too, within SettleTimeout.
func (tx *Tx) inPlace(ctx context.Context) bool {
	ctx, cancel := SettleContext(ctx)
	defer cancel()
	checked := 0
	for _, w := range tx.writes {
		check, ok := tx.checks[w.target]
		if !ok {
			continue // a check registered for a write the seal refused has no say
		}
		if !check(ctx) {
			return false
		}
		checked++
	}
	return checked > 0
}

// rollback runs the rollback functions, after ctx's end too, within
// SettleTimeout.
func (tx *Tx) rollback(ctx context.Context) error {
	ctx, cancel := SettleContext(ctx)
	defer cancel()
	var errs []error
	for i := len(tx.undo) - 1; i >= 0; i-- {
		errs = append(errs, tx.undo[i](ctx))
	}
	return errors.Join(errs...)
}

func (tx *Tx) commit(ctx context.Context, r *Retry) error {
	if n := tx.size(); n > MaxTxSize {
		return sourceflow.Permanent(fmt.Errorf("dynamodb: %d writes of %d bytes: %w", len(tx.writes), n, ErrTxOverSize))
	}
	switch len(tx.writes) {
	case 0:
		return nil
	case 1:
		w := tx.writes[0]
		err := r.Do(ctx, tx.tables(), func(ctx context.Context) error { return single(ctx, tx.api, w.item) })
		if IsConditionFailed(err) {
			return w.failed
		}
		return Invalid(err)
	}
	in := &dynamodb.TransactWriteItemsInput{
		TransactItems:      make([]types.TransactWriteItem, len(tx.writes)),
		ClientRequestToken: aws.String(rand.Text()),
	}
	for i, w := range tx.writes {
		in.TransactItems[i] = w.item
	}
	err := r.Do(ctx, tx.tables(), func(ctx context.Context) error {
		_, err := tx.api.TransactWriteItems(ctx, in, BoundAttempts)
		return err
	})
	return tx.cancelled(err)
}

// tables names the tables the collected writes go to, each once, in the
// order of their first write, comma separated.
func (tx *Tx) tables() string {
	var names []string
	for _, w := range tx.writes {
		if name := tableOf(w.item); !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return strings.Join(names, ", ")
}

// tableOf returns the table a collected write goes to.
func tableOf(it types.TransactWriteItem) string {
	switch {
	case it.Put != nil:
		return aws.ToString(it.Put.TableName)
	case it.Update != nil:
		return aws.ToString(it.Update.TableName)
	case it.Delete != nil:
		return aws.ToString(it.Delete.TableName)
	case it.ConditionCheck != nil:
		return aws.ToString(it.ConditionCheck.TableName)
	}
	return ""
}

// ErrTxOverSize is returned (permanent: the same handling collects the same
// writes again) when the writes of a transaction hold more than MaxTxSize
// bytes, before any request.
var ErrTxOverSize = errors.New("over DynamoDB's 4 MB limit of one transaction")

// size is what the collected writes hold, as DynamoDB counts it: items put,
// and the keys and values of updates and deletes.
func (tx *Tx) size() int {
	n := 0
	for _, w := range tx.writes {
		switch it := w.item; {
		case it.Put != nil:
			n += ItemSize(it.Put.Item)
		case it.Update != nil:
			n += ItemSize(it.Update.Key) + ItemSize(it.Update.ExpressionAttributeValues)
		case it.Delete != nil:
			n += ItemSize(it.Delete.Key)
		}
	}
	return n
}

// cancelled maps a cancelled transaction to the error of the first write
// whose condition failed.
func (tx *Tx) cancelled(err error) error {
	var tc *types.TransactionCanceledException
	if !errors.As(err, &tc) {
		if err != nil {
			return Invalid(fmt.Errorf("dynamodb: transact write: %w", err))
		}
		return nil
	}
	for i, r := range tc.CancellationReasons {
		if code(r.Code) == "ConditionalCheckFailed" && i < len(tx.writes) {
			return tx.writes[i].failed
		}
	}
	if refused := Invalid(err); sourceflow.IsPermanent(refused) {
		return refused
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
			ExpressionAttributeValues: p.ExpressionAttributeValues}, BoundAttempts)
	case it.Update != nil:
		u := it.Update
		_, err = api.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: u.TableName, Key: u.Key,
			UpdateExpression: u.UpdateExpression, ConditionExpression: u.ConditionExpression,
			ExpressionAttributeNames: u.ExpressionAttributeNames, ExpressionAttributeValues: u.ExpressionAttributeValues}, BoundAttempts)
	case it.Delete != nil:
		d := it.Delete
		_, err = api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: d.TableName, Key: d.Key,
			ConditionExpression: d.ConditionExpression, ExpressionAttributeNames: d.ExpressionAttributeNames,
			ExpressionAttributeValues: d.ExpressionAttributeValues}, BoundAttempts)
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
