package awsbus

import (
	"slices"
	"strconv"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// releaseAll settles ds by making them visible again at once, ten per
// ChangeMessageVisibilityBatch call (a lone message with
// ChangeMessageVisibility). The messages held behind a FIFO group's head
// are released together, so their release takes one bounded call per ten
// of them, not one per message, even when SQS does not answer.
func (sub *subscription) releaseAll(ds []*delivery) {
	for _, d := range ds {
		d.markSettled()
	}
	for batch := range slices.Chunk(ds, maxBatchEntries) {
		if len(batch) == 1 {
			sub.changeVisibility(batch[0], 0)
			continue
		}
		sub.releaseBatch(batch)
	}
}

// releaseBatch makes the settled messages of ds visible again in one call.
// A message whose release failed returns after its visibility timeout.
func (sub *subscription) releaseBatch(ds []*delivery) {
	entries := make([]sqstypes.ChangeMessageVisibilityBatchRequestEntry, len(ds))
	for i, d := range ds {
		entries[i] = sqstypes.ChangeMessageVisibilityBatchRequestEntry{
			Id: aws.String(strconv.Itoa(i)), ReceiptHandle: d.raw.ReceiptHandle, VisibilityTimeout: 0,
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

// changeVisibilityBatch makes one ChangeMessageVisibilityBatch call of
// entries, bounded as every settling call is.
func (sub *subscription) changeVisibilityBatch(entries []sqstypes.ChangeMessageVisibilityBatchRequestEntry) (*sqs.ChangeMessageVisibilityBatchOutput, error) {
	ctx, cancel := sub.call()
	defer cancel()
	return sub.cfg.SQS.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{
		QueueUrl: aws.String(sub.ep.QueueURL), Entries: entries,
	})
}
