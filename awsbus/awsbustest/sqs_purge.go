package awsbustest

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// purgeInterval is how long SQS refuses another purge of a queue.
const purgeInterval = 60 * time.Second

// PurgeQueue deletes every message of the queue, in flight or not, at once
// (SQS takes up to 60 seconds). Like SQS it refuses a second purge of the
// queue within 60 seconds with PurgeQueueInProgress.
func (s *SQS) PurgeQueue(_ context.Context, in *sqs.PurgeQueueInput, _ ...func(*sqs.Options)) (*sqs.PurgeQueueOutput, error) {
	return withQueue(s, "PurgeQueue", in.QueueUrl, nil, func(q *queue) (*sqs.PurgeQueueOutput, error) {
		now := time.Now()
		if !q.purgedAt.IsZero() && now.Sub(q.purgedAt) < purgeInterval {
			return nil, &types.PurgeQueueInProgress{Message: aws.String("Only one PurgeQueue operation on " + q.name + " is allowed every 60 seconds.")}
		}
		q.purgedAt = now
		for _, m := range q.msgs {
			m.deleted = true // a receipt handle of it deletes nothing, as after DeleteMessage
		}
		q.compact()
		s.notifyLocked()
		return &sqs.PurgeQueueOutput{}, nil
	})
}
