package awsbus

import (
	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// releaseAll settles the held messages ds by making them visible again at
// once, ten per ChangeMessageVisibilityBatch call (a lone message with
// ChangeMessageVisibility), and frees their slots. The messages held
// behind a FIFO group's head are released together, so their release
// takes one bounded call per ten of them, not one per message, even when
// SQS does not answer. The calls run at once (see inBatches), and the
// slots of each batch are freed as its call ends: a call SQS does not
// answer delays neither the release of the other batches nor the receives
// their slots allow.
func (sub *subscription) releaseAll(ds []*delivery) {
	for _, d := range ds {
		d.markSettled()
	}
	inBatches(ds, func(batch []*delivery) {
		if len(batch) == 1 {
			sub.changeVisibility(batch[0], 0)
		} else {
			sub.releaseBatch(batch)
		}
		sub.free(len(batch))
	})
}

// releaseBatch makes the settled messages of ds visible again in one call.
// A message whose release failed returns after its visibility timeout.
func (sub *subscription) releaseBatch(ds []*delivery) {
	entries := make([]sqstypes.ChangeMessageVisibilityBatchRequestEntry, len(ds))
	for i, d := range ds {
		entries[i] = sqstypes.ChangeMessageVisibilityBatchRequestEntry{
			Id: entryID(i), ReceiptHandle: d.raw.ReceiptHandle, VisibilityTimeout: 0,
		}
	}
	out, err := sub.changeVisibilityBatch(entries)
	if err != nil {
		sub.log.Info("ChangeMessageVisibilityBatch failed; the messages return after their visibility timeout",
			watermill.LogFields{"count": len(ds), "err": err.Error()})
		return
	}
	for _, f := range out.Failed {
		fields := watermill.LogFields{"code": aws.ToString(f.Code), "reason": aws.ToString(f.Message)}
		if d := entryOf(ds, f.Id); d != nil {
			fields["message_id"] = aws.ToString(d.raw.MessageId)
		}
		sub.log.Info("Release failed; the message returns after its visibility timeout", fields)
	}
}
