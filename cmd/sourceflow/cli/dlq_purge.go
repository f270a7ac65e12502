package cli

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/spf13/cobra"
)

type purgeFlags struct {
	path, queue string
	yes         bool
}

const purgeLong = `purge deletes every message of a dead-letter queue, for dead letters that
were inspected (dlq peek) and are not to be redriven. --queue must name the
dead-letter queue itself: purge never empties the queue it belongs to.

Without --yes it only says how many messages the dead-letter queue holds
and exits 2. With --yes it calls SQS PurgeQueue: SQS deletes the messages
within 60 seconds, in flight or not, including any that arrive during
those 60 seconds, and refuses another purge of the same queue within them
(exit 3). Nothing else is changed.`

func newDLQPurgeCommand(g *globals) *cobra.Command {
	var f purgeFlags
	cmd := &cobra.Command{
		Use:   "purge -f FILE --queue DLQ --yes",
		Short: "Delete every message of a dead-letter queue",
		Long:  purgeLong,
		Example: "  sourceflow dlq purge -f orders.topology.yaml --queue orders-dlq.fifo\n" +
			"  sourceflow dlq purge -f orders.topology.yaml --queue orders-dlq.fifo --yes",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return g.runDLQPurge(cmd, f) },
	}
	addFileFlag(cmd, &f.path)
	cmd.Flags().StringVar(&f.queue, "queue", "", "the dead-letter queue to empty (see dlq list)")
	_ = cmd.MarkFlagRequired("queue")
	cmd.Flags().BoolVar(&f.yes, "yes", false, "delete the messages; without it purge only counts them")
	return cmd
}

func (g *globals) runDLQPurge(cmd *cobra.Command, f purgeFlags) error {
	ctx, cancel := g.withTimeout(cmd)
	defer cancel()
	s, api, p, err := g.openPair(ctx, cmd, f.path, f.queue)
	if err != nil {
		return err
	}
	if f.queue != p.dlq {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("--queue %s is not a dead-letter queue; purge empties dead-letter queues only "+
			"(did you mean --queue %s?)", f.queue, p.dlq)}
	}
	q, err := resolveQueue(ctx, api, p.dlq)
	if err != nil {
		return s.queueFailure(err)
	}
	out := cmd.OutOrStdout()
	if !f.yes {
		fmt.Fprintf(out, "Dead-letter queue %s of %s holds about %d messages (%d in flight). Nothing deleted.\n",
			q.name, p.source, q.visible+q.inFlight, q.inFlight)
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("purge deletes them all, and any that arrive in the next 60 seconds: "+
			"run it again with --yes (`sourceflow dlq peek -f %s --queue %s` shows them first)", s.path, q.name)}
	}
	if _, err := api.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(q.url)}); err != nil {
		var inProgress *sqstypes.PurgeQueueInProgress
		if errors.As(err, &inProgress) {
			return &ExitError{Code: ExitAWS, Err: fmt.Errorf("dlq purge %s: a purge of it is still running (SQS allows one every 60 seconds): %w", q.name, err)}
		}
		return s.awsFailure("dlq purge "+q.name, err)
	}
	fmt.Fprintf(out, "Purged dead-letter queue %s of %s: about %d messages deleted (SQS completes a purge within 60 seconds).\n",
		q.name, p.source, q.visible+q.inFlight)
	return nil
}
