package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// relayCommitted publishes what a committed transaction wrote into the
// outbox, in order, and deletes what went out. At the first failure it
// stops: the rest stays for the sweep, in order.
func (o *Outbox) relayCommitted(ctx context.Context, pend *pending) {
	pend.mu.Lock()
	items := slices.Clone(pend.items)
	pend.mu.Unlock()
	sent := make([]outboxItem, 0, len(items))
	for _, p := range items {
		m := p.item.message()
		m.SetContext(dynamo.Detach(p.msg.Context()))
		if err := o.send(p.item.Destination, m); err != nil {
			o.cfg.Logger.Error("outbox: relay after commit failed; the sweep relays it", err,
				watermill.LogFields{"message_uuid": p.item.UUID, "destination": p.item.Destination})
			break
		}
		sent = append(sent, p.item)
	}
	o.delete(context.WithoutCancel(ctx), sent)
}

// send publishes m to destination on the inner transport. A destination
// without a publisher is a permanent failure.
func (o *Outbox) send(destination string, m *message.Message) error {
	pub, err := o.publisher(destination)
	if err != nil {
		return sourceflow.Permanent(fmt.Errorf("no publisher for destination %q: %w", destination, err))
	}
	if err := pub.Publish(destination, m); err != nil {
		return fmt.Errorf("publish to %q: %w", destination, err)
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

// batchWrite writes reqs, sending what DynamoDB left unprocessed again
// (throttled writes), a bounded number of times.
func (o *Outbox) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	for range 8 {
		var out *dynamodb.BatchWriteItemOutput
		err := o.retry.Do(ctx, func(ctx context.Context) (err error) {
			out, err = o.api.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
				RequestItems: map[string][]types.WriteRequest{o.table: reqs},
			})
			return err
		})
		if err != nil {
			return err
		}
		if reqs = out.UnprocessedItems[o.table]; len(reqs) == 0 {
			return nil
		}
	}
	return errors.New("dynamodb: BatchWriteItem left writes unprocessed 8 times")
}
