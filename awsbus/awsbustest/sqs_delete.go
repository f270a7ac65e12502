package awsbustest

import (
	"context"
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
	ids := make([]*string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.Id
	}
	return withQueue(s, "DeleteMessageBatch", in.QueueUrl, checkBatch(ids), func(q *queue) (*sqs.DeleteMessageBatchOutput, error) {
		out := &sqs.DeleteMessageBatchOutput{}
		for _, e := range in.Entries {
			if s.entryFault("DeleteMessageBatch") {
				out.Failed = append(out.Failed, failedEntry(e.Id, "InternalError", "injected entry failure", false))
				continue
			}
			if err := s.deleteLocked(q, aws.ToString(e.ReceiptHandle)); err != nil {
				out.Failed = append(out.Failed, failedEntry(e.Id, errorCode(err), err.Error(), true))
				continue
			}
			out.Successful = append(out.Successful, types.DeleteMessageBatchResultEntry{Id: e.Id})
		}
		return out, nil
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
// MessageNotInflight.
func (s *SQS) ChangeMessageVisibility(_ context.Context, in *sqs.ChangeMessageVisibilityInput, _ ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	var invalid error
	if in.VisibilityTimeout < 0 || in.VisibilityTimeout > 43200 {
		invalid = apiError("InvalidParameterValue", "Value for parameter VisibilityTimeout is invalid.")
	}
	return withQueue(s, "ChangeMessageVisibility", in.QueueUrl, invalid, func(q *queue) (*sqs.ChangeMessageVisibilityOutput, error) {
		ref, ok := s.receipts[aws.ToString(in.ReceiptHandle)]
		if !ok || ref.q != q {
			return nil, &types.ReceiptHandleIsInvalid{Message: aws.String("The input receipt handle is invalid.")}
		}
		now := time.Now()
		m := ref.m
		if m.deleted || m.receipt != aws.ToString(in.ReceiptHandle) || !m.inFlight(now) {
			return nil, &types.MessageNotInflight{Message: aws.String("The message referred to isn't in flight.")}
		}
		m.visibleAt = now.Add(time.Duration(in.VisibilityTimeout) * time.Second)
		s.notifyLocked()
		return &sqs.ChangeMessageVisibilityOutput{}, nil
	})
}
