package awsbustest

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// DeleteMessage deletes the message of a receipt handle. As on AWS, a stale
// handle (the message was received again since) succeeds without deleting.
func (s *SQS) DeleteMessage(_ context.Context, in *sqs.DeleteMessageInput, _ ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error) {
	return withQueue(s, "DeleteMessage", in.QueueUrl, nil, func(q *queue) (*sqs.DeleteMessageOutput, error) {
		if err := s.deleteLocked(q, aws.ToString(in.ReceiptHandle)); err != nil {
			return nil, err
		}
		return &sqs.DeleteMessageOutput{}, nil
	})
}

// DeleteMessageBatch deletes up to 10 messages; bad handles fail alone.
func (s *SQS) DeleteMessageBatch(_ context.Context, in *sqs.DeleteMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	ids := entryIDs(in.Entries, func(e types.DeleteMessageBatchRequestEntry) *string { return e.Id })
	const op = "DeleteMessageBatch"
	return withQueue(s, op, in.QueueUrl, checkBatch(ids), func(q *queue) (*sqs.DeleteMessageBatchOutput, error) {
		ok, failed := runBatch(&s.Faults, op, ids, func(i int) (types.DeleteMessageBatchResultEntry, error) {
			return types.DeleteMessageBatchResultEntry{Id: ids[i]}, s.deleteLocked(q, aws.ToString(in.Entries[i].ReceiptHandle))
		}, failedEntry)
		return &sqs.DeleteMessageBatchOutput{Successful: ok, Failed: failed}, nil
	})
}

func (s *SQS) deleteLocked(q *queue, handle string) error {
	ref, ok := s.receipts[handle]
	if !ok || ref.q != q {
		return &types.ReceiptHandleIsInvalid{Message: aws.String("The input receipt handle is invalid.")}
	}
	if ref.m.receipt != handle || ref.m.deleted {
		return nil
	}
	ref.m.deleted = true
	q.compact()
	s.notifyLocked()
	return nil
}

// ChangeMessageVisibility sets the visibility timeout of an in-flight
// message. A stale handle or a message that is not in flight fails with
// MessageNotInflight. As on AWS, a timeout that would end more than 12 hours
// after the message was received fails with InvalidParameterValue.
func (s *SQS) ChangeMessageVisibility(_ context.Context, in *sqs.ChangeMessageVisibilityInput, _ ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	return withQueue(s, "ChangeMessageVisibility", in.QueueUrl, checkVisibility(in.VisibilityTimeout), func(q *queue) (*sqs.ChangeMessageVisibilityOutput, error) {
		if err := s.changeVisibilityLocked(q, aws.ToString(in.ReceiptHandle), in.VisibilityTimeout); err != nil {
			return nil, err
		}
		return &sqs.ChangeMessageVisibilityOutput{}, nil
	})
}

// ChangeMessageVisibilityBatch sets the visibility timeout of up to 10
// in-flight messages; a bad handle or timeout fails its entry alone.
func (s *SQS) ChangeMessageVisibilityBatch(_ context.Context, in *sqs.ChangeMessageVisibilityBatchInput, _ ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error) {
	ids := entryIDs(in.Entries, func(e types.ChangeMessageVisibilityBatchRequestEntry) *string { return e.Id })
	const op = "ChangeMessageVisibilityBatch"
	return withQueue(s, op, in.QueueUrl, checkBatch(ids), func(q *queue) (*sqs.ChangeMessageVisibilityBatchOutput, error) {
		ok, failed := runBatch(&s.Faults, op, ids, func(i int) (types.ChangeMessageVisibilityBatchResultEntry, error) {
			e := in.Entries[i]
			err := checkVisibility(e.VisibilityTimeout)
			if err == nil {
				err = s.changeVisibilityLocked(q, aws.ToString(e.ReceiptHandle), e.VisibilityTimeout)
			}
			return types.ChangeMessageVisibilityBatchResultEntry{Id: e.Id}, err
		}, failedEntry)
		return &sqs.ChangeMessageVisibilityBatchOutput{Successful: ok, Failed: failed}, nil
	})
}

// maxVisibility is the longest visibility timeout, and the latest a
// message received may become visible again, counted from the receive.
const maxVisibility = 12 * time.Hour

func checkVisibility(seconds int32) error {
	if seconds < 0 || time.Duration(seconds)*time.Second > maxVisibility {
		return apiError("InvalidParameterValue", "Value for parameter VisibilityTimeout is invalid.")
	}
	return nil
}

func (s *SQS) changeVisibilityLocked(q *queue, handle string, seconds int32) error {
	ref, ok := s.receipts[handle]
	if !ok || ref.q != q {
		return &types.ReceiptHandleIsInvalid{Message: aws.String("The input receipt handle is invalid.")}
	}
	now := time.Now()
	m := ref.m
	if m.deleted || m.receipt != handle || !m.inFlight(now) {
		return &types.MessageNotInflight{Message: aws.String("The message referred to isn't in flight.")}
	}
	visibleAt := now.Add(time.Duration(seconds) * time.Second)
	if visibleAt.After(m.lastRecv.Add(maxVisibility)) {
		return apiError("InvalidParameterValue", fmt.Sprintf("Value %d for parameter VisibilityTimeout is invalid. "+
			"Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds].", seconds))
	}
	m.visibleAt = visibleAt
	s.notifyLocked()
	return nil
}
