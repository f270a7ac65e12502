package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"
)

const dlqLong = `dlq inspects, redrives and purges the dead-letter queues of a topology file: the
dead-letter queue of every queue the service consumes (its command queues
and its event queues), named "<queue>-dlq" (".fifo" kept). The dead-letter
queue of a queue the service only sends to is that of the service that
consumes it: every dlq command refuses it (exit 2), and the consuming
service's own topology file reaches it.

Every dead letter that SourceFlow's AWS transport writes says why it is
there: the reason is in its sf_failure attribute (or inside the packed
sf_env attribute when the message had no attribute to spare). A message
that SQS moved through the queue's redrive policy, after too many failed
receives, has no reason.

  list     depth of the dead-letter queues of the queues the service consumes,
           beside the backlog of those queues
  peek     show messages without consuming them, or with --summary count
           them by type and by reason
  redrive  move messages back to the queue they came from
  purge    delete every message of a dead-letter queue, or with --type only
           those of one message type (with --yes)

IAM permissions: list needs sqs:GetQueueUrl and sqs:GetQueueAttributes (on
the dead-letter queues and on the queues they belong to); peek
also sqs:ReceiveMessage and sqs:ChangeMessageVisibility; redrive also
sqs:SendMessage and sqs:DeleteMessage, and for the native method
sqs:StartMessageMoveTask and sqs:ListMessageMoveTasks; purge
sqs:GetQueueUrl, sqs:GetQueueAttributes and sqs:PurgeQueue (with --type
sqs:ReceiveMessage, sqs:ChangeMessageVisibility and sqs:DeleteMessage instead). When the file names a
KMS key, the queues are encrypted at rest under it: peek also needs
kms:Decrypt (with or without --decrypt), and redrive kms:Decrypt and
kms:GenerateDataKey. peek --decrypt needs kms:Decrypt on the messages' keys,
and for --key-id kms:DescribeKey on each key it names (one named by key ARN
it may not describe is used unchecked).`

func newDLQCommand(g *globals) *cobra.Command {
	cmd := parentCommand(&cobra.Command{
		Use:   "dlq",
		Short: "List, inspect, redrive and purge the dead-letter queues of a topology file",
		Long:  dlqLong,
		Example: "  sourceflow dlq list -f orders.topology.yaml\n" +
			"  sourceflow dlq peek -f orders.topology.yaml --queue orders-dlq.fifo --payload\n" +
			"  sourceflow dlq redrive -f orders.topology.yaml --queue orders-dlq.fifo --rate 50/s\n" +
			"  sourceflow dlq purge -f orders.topology.yaml --queue orders-dlq.fifo --yes",
	})
	cmd.AddCommand(newDLQListCommand(g), newDLQPeekCommand(g), newDLQRedriveCommand(g), newDLQPurgeCommand(g))
	return cmd
}

// openDLQ refuses a --check-timeout (bound) that is not positive, opens
// the topology file and returns the session with its SQS client for the
// dlq commands, each call of the client bounded by bound.
func (g *globals) openDLQ(ctx context.Context, cmd *cobra.Command, path string, bound time.Duration) (*session, dlqSQS, error) {
	if err := checkTimeoutErr(bound); err != nil {
		return nil, nil, err
	}
	s, err := g.open(ctx, cmd, path)
	if err != nil {
		return nil, nil, err
	}
	api, err := s.dlqClient()
	if err != nil {
		return nil, nil, err
	}
	return s, withBound(api, callBound{bound: bound}), nil
}

// openPair is openDLQ, then finds the dead-letter pair that queue names.
func (g *globals) openPair(ctx context.Context, cmd *cobra.Command, path, queue string, bound time.Duration) (*session, dlqSQS, dlqPair, error) {
	s, api, err := g.openDLQ(ctx, cmd, path, bound)
	if err != nil {
		return nil, nil, dlqPair{}, err
	}
	p, err := s.findPair(queue)
	return s, api, p, err
}
