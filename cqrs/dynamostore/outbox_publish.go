package dynamostore

import (
	"context"
	"fmt"
	"hash/fnv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// outboxShards spreads one outbox over this many partitions, so that its
// writes are not bound by one partition's throughput. A transaction writes
// all its messages into one shard, so that the sweep relays them in order.
const outboxShards = 8

// maxSortKey is DynamoDB's limit on a sort key, in bytes.
const maxSortKey = 1024

// outboxItem is a message in the outbox table: partition "<name>#<shard>",
// sort key the time its transaction wrote its first message, the message's
// place in its transaction, its id and destination, so that a shard reads
// oldest first and a transaction's messages in order.
type outboxItem struct {
	PK          string            `dynamodbav:"pk"`
	SK          string            `dynamodbav:"sk"`
	UUID        string            `dynamodbav:"uuid"`
	Destination string            `dynamodbav:"destination"`
	Metadata    map[string]string `dynamodbav:"metadata"`
	Payload     []byte            `dynamodbav:"payload"`
	Lease       int64             `dynamodbav:"lease,omitempty"`
	Failure     string            `dynamodbav:"failure,omitempty"`
}

// key returns the item's key.
func (it outboxItem) key() map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: it.PK},
		attrSK: &types.AttributeValueMemberS{Value: it.SK},
	}
}

// message returns the message the item holds.
func (it outboxItem) message() *message.Message {
	m := message.NewMessage(it.UUID, it.Payload)
	for k, v := range it.Metadata {
		m.Metadata.Set(k, v)
	}
	return m
}

// shardOf returns the partition of the transaction whose first message has
// id uuid.
func (o *Outbox) shardOf(uuid string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(uuid))
	return shardKey(o.cfg.Name, h.Sum32()%outboxShards)
}

func shardKey(name string, shard uint32) string { return fmt.Sprintf("%s#%d", name, shard) }

// outboxPublisher writes messages sent in a transaction into it, and
// publishes the others with the inner transport's publisher.
type outboxPublisher struct {
	o      *Outbox
	direct message.Publisher
}

// Publish implements message.Publisher. A message in a transaction of
// another client is refused (permanent): published at once, it would go
// out even if that transaction rolled back. Its errors, and collect's, name
// a message by its UUID as sourceflow.IDText shows it: a handler may
// publish again a message it received, with the UUID its sender chose.
func (p *outboxPublisher) Publish(destination string, msgs ...*message.Message) error {
	var direct []*message.Message
	for _, m := range msgs {
		tx, ours := p.o.txOf(m.Context())
		switch {
		case tx == nil:
			direct = append(direct, m)
		case !ours:
			return sourceflow.Permanent(fmt.Errorf("dynamostore: outbox: message %s for %q: %w", sourceflow.IDText(m.UUID), destination, dynamo.ErrForeignTx))
		default:
			if err := outboxText(destination, m); err != nil {
				return err
			}
			if err := p.o.collect(tx, destination, m); err != nil {
				return err
			}
		}
	}
	if len(direct) == 0 {
		return nil
	}
	return p.direct.Publish(destination, direct...)
}

// Close does nothing: the inner transport owns its publishers.
func (*outboxPublisher) Close() error { return nil }

// outboxText refuses, as ErrInvalidKey (permanent), a message whose id,
// destination or metadata is not valid UTF-8: the SDK would write it with
// U+FFFD in place of each invalid byte, and the sweep relay it changed.
func outboxText(destination string, m *message.Message) error {
	bad := !utf8.ValidString(m.UUID) || !utf8.ValidString(destination)
	for k, v := range m.Metadata {
		bad = bad || !utf8.ValidString(k) || !utf8.ValidString(v)
	}
	if bad {
		return sourceflow.Permanent(fmt.Errorf("%w: outbox message %q for %q: its id, destination or metadata is not valid UTF-8",
			ErrInvalidKey, truncate(m.UUID), destination))
	}
	return nil
}

// txOf returns the transaction a message sent with ctx is written into,
// the one begun last, and whether it runs on the outbox's client; a message
// sent while a handling transaction of another client runs is refused, as
// one in a transaction of another client is.
func (o *Outbox) txOf(ctx context.Context) (*dynamo.Tx, bool) {
	if dynamo.Foreign(ctx, o.api, dynamo.Handling) {
		tx, _ := dynamo.Current(ctx, nil)
		return tx, false
	}
	return dynamo.Current(ctx, o.api)
}

// pending is what one transaction wrote into the outbox, in order, to be
// relayed once it committed.
type pending struct {
	mu      sync.Mutex
	shard   string
	written string // when the first message was written, the sort keys' start
	items   []pendingMessage
}

type pendingMessage struct {
	item outboxItem
	msg  *message.Message
}

type pendingKey struct{ o *Outbox }

// collect adds the write of m into tx. A message written again in the same
// transaction (a handler that ran again) replaces the earlier write. A
// message whose item, with the lease and the failure reason the sweep may
// add to it (sweepHeadroom), would exceed DynamoDB's 400 KB is refused
// (ErrTooLarge, permanent): DynamoDB would refuse the sweep's claim of it,
// or its dead-lettering, for good.
func (o *Outbox) collect(tx *dynamo.Tx, destination string, m *message.Message) error {
	o.mu.Lock()
	pend, _ := tx.Value(pendingKey{o}).(*pending)
	if pend == nil {
		pend = &pending{shard: o.shardOf(m.UUID), written: digits(time.Now().UnixNano())}
		tx.SetValue(pendingKey{o}, pend)
		tx.OnCommit(func(ctx context.Context) { o.relayCommitted(ctx, pend) })
	}
	o.mu.Unlock()
	pend.mu.Lock()
	defer pend.mu.Unlock()
	at := len(pend.items)
	for i, p := range pend.items {
		if p.item.UUID == m.UUID && p.item.Destination == destination {
			at = i
		}
	}
	it := outboxItem{
		PK: pend.shard, UUID: m.UUID, Destination: destination,
		Metadata: map[string]string(m.Metadata), Payload: m.Payload,
	}
	it.SK = fmt.Sprintf("%s#%03d#%s#%s", pend.written, at, m.UUID, destination)
	if at < len(pend.items) {
		it.SK = pend.items[at].item.SK
	}
	if len(it.SK) > maxSortKey {
		return sourceflow.Permanent(fmt.Errorf("%w: outbox: message id %q and destination %q are too long for a sort key (%d bytes, at most %d)",
			ErrInvalidKey, truncate(m.UUID), truncate(destination), len(it.SK), maxSortKey))
	}
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return fmt.Errorf("dynamostore: outbox: encode message %s: %w", sourceflow.IDText(m.UUID), err)
	}
	if n := dynamo.ItemSize(av) + sweepHeadroom; n > dynamo.MaxItemSize {
		return sourceflow.Permanent(fmt.Errorf("dynamostore: outbox: message %s for %q: %w (%d bytes with the %d the sweep may add to it)",
			sourceflow.IDText(m.UUID), destination, dynamo.ErrItemTooLarge, n, sweepHeadroom))
	}
	failed := fmt.Errorf("dynamostore: outbox: message %s for %q was not written", sourceflow.IDText(m.UUID), destination)
	if err := tx.Add(o.table, it.key(), types.TransactWriteItem{Put: &types.Put{TableName: aws.String(o.table), Item: av}}, failed); err != nil {
		return err
	}
	p := pendingMessage{item: it, msg: m}
	if at < len(pend.items) {
		pend.items[at] = p
	} else {
		pend.items = append(pend.items, p)
	}
	return nil
}
