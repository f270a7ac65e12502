package awsbus

import (
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// inBatches calls fn with ds ten at a time (the entries one
// ChangeMessageVisibilityBatch call takes), every batch at once, and
// returns when every call of fn has returned: a call SQS does not answer
// holds up its own batch for up to its timeout, never the others. The
// messages of ds each hold one of the subscription's MaxConcurrentCalls
// slots, so no more than MaxConcurrentCalls/10 calls (rounded up) run at
// once.
func inBatches(ds []*delivery, fn func(batch []*delivery)) {
	var wg sync.WaitGroup
	for batch := range slices.Chunk(ds, maxBatchEntries) {
		wg.Go(func() { fn(batch) })
	}
	wg.Wait()
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
