package awsbus

import (
	"strconv"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// deleteLoop deletes acked messages, up to 10 per DeleteMessageBatch call,
// waiting DeleteBatchDelay for a batch to fill. Until the subscription
// stops, a batch's call ends before the next batch is taken, so deletes
// SQS is slow to answer hold up the handlers; once it stops, each batch's
// call runs at once, so a call SQS does not answer delays no other batch
// and the deletes keep to the shutdown bound (see Shutdown in doc.go). It
// returns after the deletes channel is closed and drained and every call
// has ended.
func (sub *subscription) deleteLoop() {
	var calls sync.WaitGroup
	defer calls.Wait()
	var batch []string
	var linger <-chan time.Time
	flush := func() {
		b := batch
		batch, linger = nil, nil
		if sub.stop.Err() == nil {
			sub.deleteBatch(b)
			return
		}
		calls.Go(func() { sub.deleteBatch(b) })
	}
	for {
		select {
		case h, ok := <-sub.deletes:
			if !ok {
				flush()
				return
			}
			batch = append(batch, h)
			if len(batch) == maxBatchEntries {
				flush()
			} else if linger == nil {
				linger = time.After(sub.cfg.DeleteBatchDelay)
			}
		case <-linger:
			flush()
		}
	}
}

func (sub *subscription) deleteBatch(handles []string) {
	switch len(handles) {
	case 0:
		return
	case 1:
		ctx, cancel := sub.call()
		defer cancel()
		_, err := sub.cfg.SQS.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(sub.ep.QueueURL), ReceiptHandle: aws.String(handles[0])})
		if err != nil {
			sub.log.Error("DeleteMessage failed; the message will be redelivered", err, nil)
		}
		return
	}
	// An entry SQS failed on its own side is deleted again once, as the
	// SDK retries a failed call; a failure of the message itself is not.
	if again := sub.deleteEntries(handles, true); len(again) > 0 {
		sub.deleteEntries(again, false)
	}
}

// deleteEntries deletes handles in one DeleteMessageBatch call. When retry
// is set it returns the handles of the entries SQS failed on its own side
// (not a sender fault), to be tried again; every other failure is logged:
// the message will be redelivered.
func (sub *subscription) deleteEntries(handles []string, retry bool) []string {
	entries := make([]sqstypes.DeleteMessageBatchRequestEntry, len(handles))
	for i, h := range handles {
		entries[i] = sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(h)}
	}
	ctx, cancel := sub.call()
	defer cancel()
	out, err := sub.cfg.SQS.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(sub.ep.QueueURL), Entries: entries})
	if err != nil {
		sub.log.Error("DeleteMessageBatch failed; the messages will be redelivered", err, watermill.LogFields{"count": len(handles)})
		return nil
	}
	var again []string
	for _, f := range out.Failed {
		i, err := strconv.Atoi(aws.ToString(f.Id))
		if retry && !f.SenderFault && err == nil && i >= 0 && i < len(handles) {
			again = append(again, handles[i])
			continue
		}
		sub.log.Error("Delete failed; the message will be redelivered", nil,
			watermill.LogFields{"code": aws.ToString(f.Code), "reason": aws.ToString(f.Message)})
	}
	return again
}
