package awsbus

import (
	"strconv"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// deleteLoop deletes acked messages, up to 10 per DeleteMessageBatch call,
// waiting DeleteBatchDelay for a batch to fill. It returns after the deletes
// channel is closed and drained.
func (sub *subscription) deleteLoop() {
	var batch []string
	var linger <-chan time.Time
	for {
		select {
		case h, ok := <-sub.deletes:
			if !ok {
				sub.deleteBatch(batch)
				return
			}
			batch = append(batch, h)
			if len(batch) == maxBatchEntries {
				sub.deleteBatch(batch)
				batch, linger = nil, nil
			} else if linger == nil {
				linger = time.After(sub.cfg.DeleteBatchDelay)
			}
		case <-linger:
			sub.deleteBatch(batch)
			batch, linger = nil, nil
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
	entries := make([]sqstypes.DeleteMessageBatchRequestEntry, len(handles))
	for i, h := range handles {
		entries[i] = sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(h)}
	}
	ctx, cancel := sub.call()
	defer cancel()
	out, err := sub.cfg.SQS.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(sub.ep.QueueURL), Entries: entries})
	if err != nil {
		sub.log.Error("DeleteMessageBatch failed; the messages will be redelivered", err, watermill.LogFields{"count": len(handles)})
		return
	}
	for _, f := range out.Failed {
		sub.log.Error("Delete failed; the message will be redelivered", nil,
			watermill.LogFields{"code": aws.ToString(f.Code), "reason": aws.ToString(f.Message)})
	}
}
