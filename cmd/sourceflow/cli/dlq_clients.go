package cli

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sourceflow-go/sourceflow/awsbus"
)

// dlqSQS is the part of the SQS client that the dlq commands use: awsbus's
// calls (receive, batch send and delete, visibility) plus the message move
// task calls of the dead-letter queue redrive API, and PurgeQueue. *sqs.Client satisfies
// it; unit tests use awsbustest.MoveTaskSQS.
type dlqSQS interface {
	awsbus.SQSAPI
	StartMessageMoveTask(ctx context.Context, in *sqs.StartMessageMoveTaskInput, opts ...func(*sqs.Options)) (*sqs.StartMessageMoveTaskOutput, error)
	ListMessageMoveTasks(ctx context.Context, in *sqs.ListMessageMoveTasksInput, opts ...func(*sqs.Options)) (*sqs.ListMessageMoveTasksOutput, error)
	PurgeQueue(ctx context.Context, in *sqs.PurgeQueueInput, opts ...func(*sqs.Options)) (*sqs.PurgeQueueOutput, error)
}

var _ dlqSQS = (*sqs.Client)(nil)

// dlqClient returns the session's SQS client as a dlqSQS, or a usage error
// naming what it lacks.
func (s *session) dlqClient() (dlqSQS, error) {
	c, ok := s.clients.SQS.(dlqSQS)
	if !ok {
		return nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("Clients.SQS (%T) lacks the calls the dlq commands need "+
			"(ReceiveMessage, SendMessageBatch, DeleteMessageBatch, ChangeMessageVisibility, StartMessageMoveTask, "+
			"ListMessageMoveTasks, PurgeQueue): pass an *sqs.Client", s.clients.SQS)}
	}
	return c, nil
}
