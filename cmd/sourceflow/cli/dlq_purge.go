package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/spf13/cobra"
)

type purgeFlags struct {
	path, queue  string
	yes          bool
	checkTimeout time.Duration
	typ          string
	only         bool // --type was given
	max          int
}

const purgeLong = `purge deletes every message of a dead-letter queue, for dead letters that
were inspected (dlq peek) and are not to be redriven. --queue must name the
dead-letter queue itself, of a queue the service consumes (see dlq list):
purge never empties a source queue, nor the dead-letter queue of a queue
the service only sends to, which its owner looks after.

Without --yes it only says how many messages the dead-letter queue holds
and deletes nothing (exit 0). With --yes it calls SQS PurgeQueue: SQS
deletes the messages within 60 seconds, in flight or not (messages that
arrive during those seconds may be deleted too), and refuses another purge
of the same queue within them (exit 3). Nothing else is changed. When SQS
counts no message in the dead-letter queue, purge says so (exit 0); its
counts are approximate, so with --yes it purges all the same. Each SQS call
is bounded by --check-timeout: an endpoint that does not answer fails the
command then, naming the endpoint (exit 3), not at the end of --timeout.

With --type it deletes only the messages of that message type (sf_type),
poison messages among others that failed for a passing reason (to redrive),
and never calls PurgeQueue. Without --yes it reads the messages (as peek
does), counts them by type and deletes nothing (exit 0). With --yes it
receives them (hidden 30s), deletes those of the type and makes the others
visible again at once. It reads each message the queue held when it began
once, at most the depth SQS counted then (--max sets another bound; a run
with --max reads even when SQS counts none), and stops earlier when a
receive brings no message it has not read, or at --timeout. An interrupt
or --timeout first finishes the receive and the deletes under way and makes
the messages it keeps visible again, so that none stays hidden. It says how
many it deleted and how many it read; a failed call prints that and exits
3: run it again for the rest. On a FIFO queue the order of each message
group is kept: SQS hands out no later message of a group while one of its
messages is hidden, so a message released ahead of one of the type is
received again with it. A group whose first 10 messages are all of other
types keeps the later ones out of reach of one receive: the output's count
of messages read then falls short of the depth. --type needs
sqs:ReceiveMessage, sqs:ChangeMessageVisibility and sqs:DeleteMessage
instead of sqs:PurgeQueue.`

func newDLQPurgeCommand(g *globals) *cobra.Command {
	var f purgeFlags
	cmd := flagCommand(&cobra.Command{
		Use:   "purge -f FILE --queue DLQ [--type TYPE [--max N]] [--yes]",
		Short: "Delete every message of a dead-letter queue, or only those of one type",
		Long:  purgeLong,
		Example: "  sourceflow dlq purge -f orders.topology.yaml --queue orders-dlq.fifo\n" +
			"  sourceflow dlq purge -f orders.topology.yaml --queue orders-dlq.fifo --yes\n" +
			"  sourceflow dlq purge -f orders.topology.yaml --queue orders-dlq.fifo --type orders.RefundOrder --yes",
	}, &f, g.runDLQPurge)
	addFileFlag(cmd, &f.path)
	cmd.Flags().StringVar(&f.queue, "queue", "", "the dead-letter queue to empty (see dlq list)")
	_ = cmd.MarkFlagRequired("queue")
	cmd.Flags().BoolVar(&f.yes, "yes", false, "delete the messages; without it purge only counts them")
	cmd.Flags().StringVar(&f.typ, "type", "", "delete only the messages of this message type (sf_type: orders.RefundOrder)")
	cmd.Flags().IntVar(&f.max, "max", 0, "with --type, read at most this many messages; 0 reads what the queue held at the start")
	addCheckTimeoutFlag(cmd, &f.checkTimeout, "bound on each SQS call")
	return cmd
}

func (g *globals) runDLQPurge(cmd *cobra.Command, f purgeFlags) error {
	f.only = cmd.Flags().Changed("type")
	if err := purgeFlagsErr(f); err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	ctx, cancel := g.withTimeout(cmd)
	defer cancel()
	s, api, p, err := g.openPair(ctx, cmd, f.path, f.queue, f.checkTimeout)
	if err != nil {
		return err
	}
	if err := purgeable(f.queue, p); err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	q, err := resolveQueue(ctx, api, p.dlq)
	if err != nil {
		return s.boundedQueueFailure(ctx, "dlq purge", err, f.checkTimeout)
	}
	if f.only {
		return s.purgeType(ctx, cmd.OutOrStdout(), api, p, q, f)
	}
	out := cmd.OutOrStdout()
	held := fmt.Sprintf("about %s, %d in flight", counted(q.visible+q.inFlight, "message", "messages"), q.inFlight)
	if q.visible+q.inFlight == 0 {
		if !f.yes {
			fmt.Fprintf(out, "Dead-letter queue %s of %s: %s. Nothing deleted: --yes purges it all the same.\n",
				q.name, p.source, noneCounted)
			return nil
		}
		held = "no message counted: SQS's counts are approximate"
	}
	if !f.yes {
		fmt.Fprintf(out, "Dead-letter queue %s of %s holds %s. Nothing deleted: add --yes to delete %s "+
			"(`sourceflow dlq peek -f %s --queue %s` shows %[4]s first).\n", q.name, p.source, held,
			agree(q.visible+q.inFlight, "it", "them"), fileArg(s.path), q.name)
		return nil
	}
	if _, err := api.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(q.url)}); err != nil {
		var inProgress *sqstypes.PurgeQueueInProgress
		if errors.As(err, &inProgress) {
			return &ExitError{Code: ExitAWS, Err: fmt.Errorf("dlq purge %s: SQS refused it because a purge of the queue started "+
				"within the last 60 seconds (another one, or this one if its first answer was lost); the queue empties within "+
				"60 seconds of that purge: check with `sourceflow dlq list -f %s`: %w", q.name, fileArg(s.path), err)}
		}
		return s.boundedFailure(ctx, "dlq purge "+q.name+" (the purge may have started: check with `sourceflow dlq list`)", err, f.checkTimeout)
	}
	fmt.Fprintf(out, "Purged dead-letter queue %s of %s (%s); SQS completes a purge within 60 seconds.\n", q.name, p.source, held)
	return nil
}

// purgeable reports why the queue named on the command line, whose pair is
// p, may not be purged: it is the source queue, not the dead-letter queue.
func purgeable(queue string, p dlqPair) error {
	if queue != p.dlq {
		return fmt.Errorf("--queue %s is not a dead-letter queue; purge empties dead-letter queues only "+
			"(the dead-letter queue of %s is %s)", queue, p.source, p.dlq)
	}
	return nil
}

// purgeFlagsErr reports what is wrong with purge's --type and --max.
func purgeFlagsErr(f purgeFlags) error {
	switch {
	case f.only && f.typ == "":
		return errors.New("--type is empty: name the message type (sf_type) to delete, or leave --type out to delete every message")
	case f.max < 0:
		return fmt.Errorf("--max %d: want 0 (all) or more", f.max)
	case f.max > 0 && !f.only:
		return fmt.Errorf("--max %d needs --type: a purge of every message deletes them all at once", f.max)
	}
	return nil
}
