package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

type redriveFlags struct {
	path, queue, rate, method string
	max                       int
	checkTimeout              time.Duration
	sel                       redriveSelect // --type, --reason, --before, --after
	resetHops                 bool
}

const redriveLong = `redrive moves the messages of a dead-letter queue back to the queue they
came from, at most --rate messages a second, with a progress bar on
standard error. --queue names the dead-letter queue or its queue, which
must be one the service consumes (see dlq list): the dead-letter queue of a
queue the service only sends to is its consumer's, and redrive refuses it
(exit 2). Interrupted (Ctrl-C, --timeout, a failed call) it loses nothing:
run it again to move what is left. It runs without a time bound unless
--timeout is given; each SQS call is bounded by --check-timeout (a
receive's beyond the second it waits for messages): an endpoint that does
not answer fails the command then, naming the endpoint (exit 3). A run without --max (a move task or a copy) of a
dead-letter queue in which SQS counts no message (none visible, none in
flight) only says so, with no progress bar and no move task (exit 0);
SQS's counts are approximate, so a copy with --max runs all the same.

A run moves at most the depth the dead-letter queue had when it started
(--max sets another bound), and stops at the first message it sent that
comes back: a message the consumer fails again returns with the SQS id its
send by the run got (SQS keeps a message's id when its redrive policy moves
it) or, dead-lettered by an awsbus consumer, with the same message id
(sf_id) or, another producer's message without one, with the same body and
attributes, and is not moved again. A second copy of a message the run
sent (at-least-once delivery may dead-letter a message twice) that the
dead-letter queue held before the run is moved all the same: its
SentTimestamp is earlier than the timestamps SQS gave the messages the
run received before its first send. One that SQS's timestamps do not date
(each message received before that send had been received before, by a
peek say) stays in the dead-letter queue while the run goes on, and the
output says how many. Only SQS's own timestamps are compared, so a machine
clock that differs from AWS's changes nothing. The output says how many
came back. Messages a
run leaves in the dead-letter queue (failed sends, and on FIFO the later
messages of a failed message's group, kept back to keep the group's order)
are not tried again by the run, even when a long run receives them again,
and are visible again when it ends. A message counts as sent only when SQS
answers that it was.

Methods (--method; the output says which one ran):
  copy    receive a batch (hidden 30s), send it to the source queue with
          SendMessageBatch, and only then delete it from the dead-letter
          queue. An interruption leaves each message in the dead-letter
          queue, the source queue, or both: the duplicate keeps its message
          id, so the consumer's idempotency absorbs it, and on FIFO queues
          SQS drops it when resent within 5 minutes (the deduplication id is
          "redrive-" + the message's SQS id; the message group is kept).
          Every message attribute is kept except the consume markers
          (sf_failure, sf_last_error, sf_in_progress, sf_duplicate,
          sf_filtered, also inside sf_env), which are removed: a redriven
          message does not look dead-lettered. The attributes of another
          producer's message that were packed into sf_env to make room for
          the reason get attributes of their own again (as String
          attributes: sf_env keeps no data type); where that would exceed
          the 10 attributes SQS allows, they stay packed and the output says
          how many messages went back so.
  native  SQS's own message move task (StartMessageMoveTask), followed until
          it ends; a re-run follows a task to that queue that is still
          running. A start that fails (its answer lost after SQS started
          the task, the retry refused because the task runs) is followed
          when the newest task of the dead-letter queue, moving to the same
          queue, started after the one listed just before it; while another
          task runs (to another queue, say) or is being cancelled, or when
          SQS refuses the start because a task runs that its list does not
          show yet, redrive stops (exit 3) and never copies beside it. SQS moves
          messages unchanged, sf_failure included (consumers ignore it), and
          attributes packed into sf_env stay packed.
          At most 500/s; cannot stop at --max.
  auto    native for a standard queue, falling back to copy where the
          endpoint has no move tasks; copy for FIFO queues (whose first
          deduplication ids the source queue may still remember), with --max,
          and above 500/s.

--type T redrives only the messages of message type T (sf_type), by copy
(--method native is refused, exit 2: a move task moves every message): the
messages of other types are made visible again at once and stay in the
dead-letter queue, each read once; a run reads at most the depth the queue
had when it started (or --max, which counts them too), and the output says
how many it left. On a
FIFO queue a message of another type released ahead of one of type T is
received again with it, so T's message is reached and the group's other
messages keep their order.

--reset-hops removes each message's hop count (sf_hops, also inside
sf_env), by copy (--method native is refused, exit 2: a move task moves
messages unchanged), so that a message dead-lettered at the hop limit
(cqrs.ErrHopLimit) once its causation loop is fixed counts as sent by no
handler, and its handler's sends are not refused again at the same hop;
should the loop still be there, it stops again at the limit. The hop
count is not covered by the encryption header, so an encrypted message
stays readable.

` + dlqRedriveSelectHelp

func newDLQRedriveCommand(g *globals) *cobra.Command {
	var f redriveFlags
	cmd := flagCommand(&cobra.Command{
		Use:   "redrive -f FILE --queue NAME",
		Short: "Move the messages of a dead-letter queue back to their queue",
		Long:  redriveLong,
		Example: "  sourceflow dlq redrive -f orders.topology.yaml --queue orders-dlq.fifo\n" +
			"  sourceflow dlq redrive -f orders.topology.yaml --queue orders-order-events-dlq --rate 20/s --max 100\n" +
			"  sourceflow dlq redrive -f orders.topology.yaml --queue orders-order-events --method native\n" +
			"  sourceflow dlq redrive -f orders.topology.yaml --queue orders-dlq.fifo --type orders.CreateOrder",
	}, &f, g.runDLQRedrive)
	addFileFlag(cmd, &f.path)
	addQueueFlag(cmd, &f.queue)
	cmd.Flags().StringVar(&f.rate, "rate", "100/s", "most messages moved a second, N/s; 0 for no limit")
	cmd.Flags().IntVar(&f.max, "max", 0, "stop after this many messages (copy only); 0 moves all")
	cmd.Flags().StringVar(&f.method, "method", methodAuto, "auto, native or copy")
	cmd.Flags().StringVar(&f.sel.typ, "type", "", "redrive only the messages of this message type (sf_type: orders.CreateOrder; copy only)")
	cmd.Flags().BoolVar(&f.resetHops, "reset-hops", false, "remove each message's hop count (sf_hops; copy only)")
	addRedriveSelectFlags(cmd, &f.sel, dlqDeadLetteredAt)
	addCheckTimeoutFlag(cmd, &f.checkTimeout, "bound on each SQS call (a receive's beyond the second it waits for messages)")
	return cmd
}

func (g *globals) runDLQRedrive(cmd *cobra.Command, f redriveFlags) error {
	if err := f.sel.parseAt(cmd, g.cfg.Now()); err != nil {
		return err
	}
	rate, err := parseRate(f.rate)
	switch {
	case err != nil:
	case f.max < 0:
		err = fmt.Errorf("--max %d: want 0 (all) or more", f.max)
	}
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	ctx, cancel := cmd.Context(), context.CancelFunc(func() {})
	if cmd.Flags().Changed("timeout") {
		ctx, cancel = g.withTimeout(cmd)
	}
	defer cancel()
	r, err := g.openRedrive(ctx, cmd, f, rate)
	if err != nil {
		return err
	}
	return r.run(ctx)
}
