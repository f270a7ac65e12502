package dynamostore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// Attribute names of a record.
const (
	attrID        = "id"
	attrStatus    = "status"
	attrToken     = "token"
	attrHash      = "payload_hash"
	attrExpiresMS = "expires_ms"
	attrTTL       = "expires_at"
)

// Record states.
const (
	inProgress = "in_progress"
	completed  = "completed"
)

// claimAttempts bounds the tries of one Claim when the record it was refused
// by is gone or expired by the time it is read.
const claimAttempts = 4

// Store is an idempotency.Store on a DynamoDB table. It is also an
// idempotency.Transactor: in its transaction the completion is written by
// the same TransactWriteItems as the view saves of cqrs/dynamostore on the same
// client (cqrs/dynamostore).
type Store struct {
	api    *dynamodb.Client
	cfg    Config
	retry  *dynamo.Retry
	closed atomic.Bool
}

var (
	_ idempotency.Store      = (*Store)(nil)
	_ idempotency.Transactor = (*Store)(nil)
)

// New provisions the table as cfg.Provisioning says and returns a Store.
// In create mode it refuses, with a *topology.DriftError, an existing
// table whose time to live is on another attribute (topology.CheckTTL):
// no record in it would ever expire.
func New(ctx context.Context, cfg Config) (*Store, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("idempotency/dynamostore: invalid config: %w", err)
	}
	s := &Store{api: cfg.Client, cfg: cfg, retry: &dynamo.Retry{}}
	err := topology.ApplyTables(ctx, cfg.Client, cfg.Provisioning, cfg.Tags, s.Table())
	if err == nil && cfg.Provisioning == topology.ProvisionCreate {
		err = topology.CheckTTL(ctx, cfg.Client, s.Table())
	}
	if err != nil {
		return nil, fmt.Errorf("idempotency/dynamostore: %w", err)
	}
	return s, nil
}

// Table returns the table the store uses: partition key "id", time to live
// on "expires_at", so DynamoDB deletes expired records.
func (s *Store) Table() topology.Table { return TableOf(s.cfg) }

// TableOf returns the table a Store with cfg uses, without a request: for a
// service's topology file (topology.Options.Tables).
func TableOf(cfg Config) topology.Table {
	cfg.setDefaults()
	return topology.Table{Name: cfg.Table, PartitionKey: attrID, TTLAttribute: attrTTL}
}

// RetryStats returns how many requests DynamoDB throttled or refused for a
// conflicting transaction, retried or not.
func (s *Store) RetryStats() RetryStats { return s.retry.Stats() }

// RetryStats counts throttled and conflicting requests; it is the type
// cqrs/dynamostore reports too.
type RetryStats = dynamo.RetryStats

// WithinTx implements idempotency.Transactor (see dynamo.WithinTx in the
// package doc): the claim is written at once and released when the
// transaction does not commit; the completion is collected and committed
// with the state stores' saves.
func (s *Store) WithinTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if err := s.closedTxErr(); err != nil {
		return err
	}
	return dynamo.WithinTx(ctx, s.api, dynamo.Handling, s.retry, fn)
}

// id is the record's partition key: the consumer's length first, so that no
// two keys make the same id.
func id(key idempotency.Key) string {
	return strconv.Itoa(len(key.Consumer)) + ":" + key.Consumer + "/" + key.MessageID
}

func (s *Store) key(key idempotency.Key) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrID: &types.AttributeValueMemberS{Value: id(key)}}
}

func checkKey(key idempotency.Key, d time.Duration) error {
	if err := idempotency.CheckArgs(key, d); err != nil {
		return err
	}
	return checkKeyLength(key)
}

// checkKeyLength refuses, as idempotency.ErrInvalidKey, a key part over
// MaxKeyLength.
func checkKeyLength(key idempotency.Key) error {
	if len(key.Consumer) > MaxKeyLength || len(key.MessageID) > MaxKeyLength {
		return fmt.Errorf("%w: consumer or message id over %d bytes", idempotency.ErrInvalidKey, MaxKeyLength)
	}
	return nil
}

// expiry returns when a record expiring d from now expires, in Unix
// milliseconds (what conditions compare), and when DynamoDB's time to live
// may delete it, in Unix seconds: margin later, so that a lease holder may
// still complete or extend after its lease ran out while no one re-claimed
// the key, as the Store contract allows.
func (s *Store) expiry(d, margin time.Duration) (ms, ttl int64) {
	ms = s.cfg.Clock.Now().Add(d).UnixMilli()
	return ms, (ms + margin.Milliseconds() + 999) / 1000
}

func number(n int64) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// Claim implements idempotency.Store with one conditional put: the key is
// new or its record expired. A refused claim reads the record that refused
// it from the failed condition itself. A put DynamoDB refuses as invalid
// (ValidationException) would be refused again however often it is sent,
// so its error is permanent (sourceflow.Permanent) and carries DynamoDB's
// reason: the middleware's handling fails for good and the message is
// dead-lettered. The key is never the cause (checkKey keeps it under
// DynamoDB's limit, refusing a longer one with idempotency.ErrInvalidKey
// before any request); a payload hash over 400 KB (HashPayload) is,
// and so is a table whose key schema is not the store's (New refuses such
// a table in every provisioning mode, so only one replaced after New):
// that refuses every claim, so every message is dead-lettered until the
// table is put right.
func (s *Store) Claim(ctx context.Context, key idempotency.Key, payloadHash string, lease time.Duration) (idempotency.ClaimResult, error) {
	if err := checkKey(key, lease); err != nil {
		return idempotency.ClaimResult{}, opErr("claim", key, err)
	}
	if err := s.closedErr("claim", key); err != nil {
		return idempotency.ClaimResult{}, err
	}
	for range claimAttempts {
		tok := rand.Text()
		old, err := s.claimOnce(ctx, key, payloadHash, lease, tok)
		if err != nil {
			return idempotency.ClaimResult{}, opErr("claim", key, dynamo.Invalid(err))
		}
		if old == nil || str(old[attrToken]) == tok { // nil: put; our token: an earlier attempt was applied
			if tx := dynamo.TxFor(ctx, s.api, dynamo.Handling); tx != nil &&
				!tx.OnRollback(ctx, func(ctx context.Context) error { return s.releaseAtRollback(ctx, key, tok) }) {
				// Released at once: the handling transaction has ended.
				return idempotency.ClaimResult{}, opErr("claim", key, dynamo.ErrTxEnded)
			}
			return idempotency.ClaimResult{Status: idempotency.Acquired, Token: tok}, nil
		}
		res, live, err := s.liveResult(old, payloadHash)
		if err != nil {
			return res, opErr("claim", key, err)
		}
		if live {
			return res, nil
		}
	}
	return idempotency.ClaimResult{}, opErr("claim", key, errors.New("the record kept changing"))
}

// claimOnce puts a new lease; it returns the record in the way when the
// condition fails (nil when the put succeeded).
func (s *Store) claimOnce(ctx context.Context, key idempotency.Key, hash string, lease time.Duration, tok string) (map[string]types.AttributeValue, error) {
	ms, ttl := s.expiry(lease, idempotency.LapsedLeaseRetention)
	item := s.key(key)
	item[attrStatus] = &types.AttributeValueMemberS{Value: inProgress}
	item[attrToken] = &types.AttributeValueMemberS{Value: tok}
	item[attrExpiresMS], item[attrTTL] = number(ms), number(ttl)
	if hash != "" {
		item[attrHash] = &types.AttributeValueMemberS{Value: hash}
	}
	cond := expression.AttributeNotExists(expression.Name(attrID)).
		Or(expression.Name(attrExpiresMS).LessThanEqual(expression.Value(s.cfg.Clock.Now().UnixMilli())))
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return nil, err
	}
	err = s.retry.Do(ctx, s.cfg.Table, func(ctx context.Context) error {
		_, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(s.cfg.Table), Item: item, ConditionExpression: expr.Condition(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}, dynamo.BoundAttempts)
		return err
	})
	var cf *types.ConditionalCheckFailedException
	if !errors.As(err, &cf) {
		return nil, err
	}
	if cf.Item != nil {
		return cf.Item, nil
	}
	return s.read(ctx, key)
}

// read returns the stored record, or an empty one when there is none (the
// caller then claims again).
func (s *Store) read(ctx context.Context, key idempotency.Key) (map[string]types.AttributeValue, error) {
	var out *dynamodb.GetItemOutput
	err := s.retry.Do(ctx, s.cfg.Table, func(ctx context.Context) (err error) {
		out, err = s.api.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(s.cfg.Table), Key: s.key(key), ConsistentRead: aws.Bool(true),
		}, dynamo.BoundAttempts)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out.Item == nil {
		return map[string]types.AttributeValue{}, nil
	}
	return out.Item, nil
}

// liveResult reports what a live record means for a claim; live is false
// when the record is gone or expired, so the claim is tried again.
func (s *Store) liveResult(rec map[string]types.AttributeValue, hash string) (idempotency.ClaimResult, bool, error) {
	exp, ok := rec[attrExpiresMS].(*types.AttributeValueMemberN)
	if !ok {
		return idempotency.ClaimResult{}, false, nil
	}
	ms, err := strconv.ParseInt(exp.Value, 10, 64)
	if err != nil || ms <= s.cfg.Clock.Now().UnixMilli() {
		return idempotency.ClaimResult{}, false, nil
	}
	if stored := str(rec[attrHash]); hash != "" && stored != "" && stored != hash {
		return idempotency.ClaimResult{}, true, idempotency.ErrPayloadMismatch
	}
	if str(rec[attrStatus]) == completed {
		return idempotency.ClaimResult{Status: idempotency.Completed}, true, nil
	}
	return idempotency.ClaimResult{Status: idempotency.InProgress}, true, nil
}

func numeral(v types.AttributeValue) string {
	if n, ok := v.(*types.AttributeValueMemberN); ok {
		return n.Value
	}
	return ""
}

func str(v types.AttributeValue) string {
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

// holds is the condition that token holds the in-progress claim.
func holds(token string) expression.ConditionBuilder {
	return expression.Name(attrToken).Equal(expression.Value(token)).
		And(expression.Name(attrStatus).Equal(expression.Value(inProgress)))
}

// Complete implements idempotency.Store: an update conditional on the
// token holding the in-progress claim. In a transaction (WithinTx) the
// update is collected and committed with the state stores' saves.
func (s *Store) Complete(ctx context.Context, key idempotency.Key, token string, ttl time.Duration) error {
	if err := checkKey(key, ttl); err != nil {
		return opErr("complete", key, err)
	}
	if err := s.closedErr("complete", key); err != nil {
		return err
	}
	ms, at := s.expiry(ttl, 0)
	upd := expression.Set(expression.Name(attrStatus), expression.Value(completed)).
		Set(expression.Name(attrExpiresMS), expression.Value(ms)).
		Set(expression.Name(attrTTL), expression.Value(at))
	return s.update(ctx, key, token, upd, "complete", true, func(rec map[string]types.AttributeValue) bool {
		return str(rec[attrStatus]) == completed && str(rec[attrToken]) == token
	})
}

// Extend implements idempotency.Store.
func (s *Store) Extend(ctx context.Context, key idempotency.Key, token string, lease time.Duration) error {
	if err := checkKey(key, lease); err != nil {
		return opErr("extend", key, err)
	}
	if err := s.closedErr("extend", key); err != nil {
		return err
	}
	ms, at := s.expiry(lease, idempotency.LapsedLeaseRetention)
	upd := expression.Set(expression.Name(attrExpiresMS), expression.Value(ms)).
		Set(expression.Name(attrTTL), expression.Value(at))
	return s.update(ctx, key, token, upd, "extend", false, func(rec map[string]types.AttributeValue) bool {
		exp, err := strconv.ParseInt(numeral(rec[attrExpiresMS]), 10, 64)
		return str(rec[attrStatus]) == inProgress && str(rec[attrToken]) == token && err == nil && exp >= ms
	})
}

// update applies upd on the condition that token holds the in-progress
// claim. applied recognises the record this update leaves, so that a
// retried request whose first attempt was applied is not taken for a lost
// lease.
func (s *Store) update(ctx context.Context, key idempotency.Key, token string, upd expression.UpdateBuilder, op string, joins bool,
	applied func(map[string]types.AttributeValue) bool) error {
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(holds(token)).Build()
	if err != nil {
		return opErr(op, key, err)
	}
	lost := opErr(op, key, idempotency.ErrLeaseLost)
	u := &types.Update{
		TableName: aws.String(s.cfg.Table), Key: s.key(key), UpdateExpression: expr.Update(),
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}
	if tx := dynamo.TxFor(ctx, s.api, dynamo.Handling); joins && tx != nil {
		tx.OnUncertain(s.cfg.Table, u.Key, func(ctx context.Context) bool {
			rec, err := s.read(ctx, key)
			return err == nil && applied(rec)
		})
		if err := tx.Add(s.cfg.Table, u.Key, types.TransactWriteItem{Update: u}, lost); err != nil {
			return opErr(op, key, err)
		}
		return nil
	}
	var old map[string]types.AttributeValue
	err = s.retry.Do(ctx, s.cfg.Table, func(ctx context.Context) error {
		_, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: u.TableName, Key: u.Key, UpdateExpression: u.UpdateExpression, ConditionExpression: u.ConditionExpression,
			ExpressionAttributeNames: u.ExpressionAttributeNames, ExpressionAttributeValues: u.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}, dynamo.BoundAttempts)
		old = oldItem(err)
		return err
	})
	if dynamo.IsConditionFailed(err) && old != nil && applied(old) {
		return nil
	}
	return outcome(err, lost, op, key)
}

// Release implements idempotency.Store with a delete conditional on the
// token holding the in-progress claim. It takes effect at once, also in a
// transaction.
func (s *Store) Release(ctx context.Context, key idempotency.Key, token string) error {
	if err := key.Validate(); err != nil {
		return opErr("release", key, err)
	}
	if err := s.closedErr("release", key); err != nil {
		return err
	}
	return s.release(ctx, key, token)
}

// release is Release without the check for Close: the release of a claim
// taken before Close, when its handling transaction does not commit, is
// still sent.
func (s *Store) release(ctx context.Context, key idempotency.Key, token string) error {
	expr, err := expression.NewBuilder().WithCondition(holds(token)).Build()
	if err != nil {
		return opErr("release", key, err)
	}
	err = s.retry.Do(ctx, s.cfg.Table, func(ctx context.Context) error {
		_, err := s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName: aws.String(s.cfg.Table), Key: s.key(key), ConditionExpression: expr.Condition(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		}, dynamo.BoundAttempts)
		return err
	})
	return outcome(err, opErr("release", key, idempotency.ErrLeaseLost), "release", key)
}

// releaseAtRollback releases the claim of a handling transaction that did
// not commit. A claim it cannot release is idempotency.ErrClaimHeld, for
// the middleware to release again before it runs the handling anew.
func (s *Store) releaseAtRollback(ctx context.Context, key idempotency.Key, token string) error {
	err := s.release(ctx, key, token)
	if err == nil || errors.Is(err, idempotency.ErrLeaseLost) {
		return nil
	}
	return &claimHeldError{err: err}
}

func oldItem(err error) map[string]types.AttributeValue {
	var cf *types.ConditionalCheckFailedException
	if errors.As(err, &cf) {
		return cf.Item
	}
	return nil
}

func outcome(err, lost error, op string, key idempotency.Key) error {
	switch {
	case dynamo.IsConditionFailed(err):
		return lost
	case err != nil:
		return opErr(op, key, err)
	}
	return nil
}
