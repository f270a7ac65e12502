package dynamostore

import (
	"context"
	"fmt"
	"slices"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// relayCommitted publishes what a committed transaction wrote into the
// outbox, in order, and deletes what went out. At the first failure it
// stops: the rest stays for the sweep, in order. Close waits for it (for
// at most relayCloseTimeout, then cancels its publish: relayContext); once
// Close began, it leaves the messages to the sweep (of another instance),
// the inner transport being closed.
func (o *Outbox) relayCommitted(ctx context.Context, pend *pending) {
	pend.mu.Lock()
	items := slices.Clone(pend.items)
	pend.mu.Unlock()
	if !o.relayStarts() {
		o.cfg.Logger.Info("outbox: closed before the relay after commit; the sweep relays the messages",
			watermill.LogFields{"messages": len(items)})
		return
	}
	defer o.relayEnds()
	sent := make([]outboxItem, 0, len(items))
	for _, p := range items {
		m := p.item.message()
		msgCtx, release := o.relayContext(dynamo.Detach(p.msg.Context()))
		m.SetContext(msgCtx)
		err := o.send(p.item.Destination, m)
		release()
		if err != nil {
			o.cfg.Logger.Error("outbox: relay after commit failed; the sweep relays it", err,
				p.item.logFields())
			break
		}
		sent = append(sent, p.item)
	}
	settle, cancel := settleContext(ctx)
	defer cancel()
	o.delete(settle, sent)
}

// relayContext returns the context of a message the relay after commit
// publishes: ctx, ended also when Close cancels the relays it stopped
// waiting for. release frees it once the publish returned.
func (o *Outbox) relayContext(ctx context.Context) (_ context.Context, release func()) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(o.relaysCancelled, cancel)
	return ctx, func() {
		stop()
		cancel()
	}
}

// relayStarts reports whether a relay after commit may start (Close has not
// begun), counting it in the relays Close waits for when it may.
func (o *Outbox) relayStarts() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return false
	}
	o.relays.Add(1)
	o.running.Add(1)
	return true
}

// relayEnds ends a relay after commit that relayStarts counted.
func (o *Outbox) relayEnds() {
	o.running.Add(-1)
	o.relays.Done()
}

// settleContext returns the context in which to record what became of a
// publish made with ctx (delete, release, dead-lettering): it keeps ctx's
// values but not its end (a sweep stopped by Close, a handling whose
// context ended after the commit), so that a message that went out is
// deleted rather than sent again by another instance after RelayAfter;
// dynamo.SettleTimeout bounds it instead.
func settleContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return dynamo.SettleContext(ctx)
}

// send publishes m to destination on the inner transport (publish),
// reporting the attempt to the relay observers, a panic too before it
// goes on (RunRelay).
func (o *Outbox) send(destination string, m *message.Message) error {
	if len(o.cfg.RelayObservers) == 0 {
		return o.publish(destination, m)
	}
	ctx, done := sourceflow.ObserveRelay(m.Context(), o.cfg.RelayObservers,
		sourceflow.Relayed{Outbox: o.cfg.Name, Destination: destination, Metadata: m.Metadata})
	m.SetContext(ctx)
	return sourceflow.RunRelay(func() error { return o.publish(destination, m) }, done)
}

// publish publishes m to destination on the inner transport. A destination
// without a publisher fails with errNoPublisher, permanent only if the inner
// transport says so: the sweep retries it for destgrace.Grace
// (publishFailure).
func (o *Outbox) publish(destination string, m *message.Message) error {
	pub, err := o.publisher(destination)
	if err != nil {
		return fmt.Errorf("%w %q: %w", errNoPublisher, destination, err)
	}
	o.grace.Found(destination)
	if err := pub.Publish(destination, m); err != nil {
		return fmt.Errorf("%s%w", publishStart(destination), err)
	}
	return nil
}

// maxBatchWrite is how many requests one BatchWriteItem takes.
const maxBatchWrite = 25

// delete removes relayed messages from the outbox, 25 per request. A
// message left behind by a failed delete is relayed again by the sweep,
// with its id.
func (o *Outbox) delete(ctx context.Context, items []outboxItem) {
	for batch := range slices.Chunk(items, maxBatchWrite) {
		reqs := make([]types.WriteRequest, len(batch))
		for i, it := range batch {
			reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: it.key()}}
		}
		if err := o.batchWrite(ctx, reqs); err != nil {
			o.cfg.Logger.Error("outbox: delete relayed messages failed; the sweep relays them again", err,
				watermill.LogFields{"messages": len(batch)})
		}
	}
}

// batchWrite writes reqs, sending what DynamoDB left unprocessed again.
// Writes left unprocessed are DynamoDB's throttling of batch writes: each
// pass that leaves some is retried by the store's Retry, with its backoff
// and jitter, counted as throttled (RetryStats), and bounded by its
// Attempts, as a throttled request is.
func (o *Outbox) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	return o.retry.Do(ctx, o.table, func(ctx context.Context) error {
		out, err := o.api.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]types.WriteRequest{o.table: reqs},
		}, dynamo.BoundAttempts)
		if err != nil {
			return err
		}
		if left := out.UnprocessedItems[o.table]; len(left) > 0 {
			reqs = left
			return unprocessedError{writes: len(left)}
		}
		return nil
	})
}

// unprocessedError is a BatchWriteItem that left writes unprocessed. It is
// a smithy.APIError with ThrottlingException's code, so that dynamo.Retry
// backs off from it and counts it as the throttling it is.
type unprocessedError struct{ writes int }

// Error implements error.
func (e unprocessedError) Error() string {
	return fmt.Sprintf("dynamodb: BatchWriteItem left %d writes unprocessed", e.writes)
}

// ErrorCode implements smithy.APIError: throttled.
func (unprocessedError) ErrorCode() string { return "ThrottlingException" }

// ErrorMessage implements smithy.APIError.
func (e unprocessedError) ErrorMessage() string { return e.Error() }

// ErrorFault implements smithy.APIError: DynamoDB's capacity, not the
// request, is at fault.
func (unprocessedError) ErrorFault() smithy.ErrorFault { return smithy.FaultServer }

// publishStart is the start of the error of a publish to destination that
// failed.
func publishStart(destination string) string { return fmt.Sprintf("publish to %q: ", destination) }
