package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// redrive is one dlq redrive command, resolved.
type redrive struct {
	s        *session
	api      dlqSQS
	deps     dlqDeps
	from, to sqsQueue
	plan     redrivePlan
	flags    redriveFlags
	rate     int
	out, bar io.Writer
}

// openRedrive reads the file, finds the pair of --queue and resolves both
// queues, with each SQS call bounded by --check-timeout.
func (g *globals) openRedrive(ctx context.Context, cmd *cobra.Command, f redriveFlags, rate int) (*redrive, error) {
	s, api, p, err := g.openPair(ctx, cmd, f.path, f.queue, f.checkTimeout)
	if err != nil {
		return nil, err
	}
	plan, err := chooseMethod(f, p, rate)
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: err}
	}
	r := &redrive{s: s, api: api, deps: dlqDepsFrom(ctx), plan: plan, flags: f, rate: rate,
		out: cmd.OutOrStdout(), bar: cmd.ErrOrStderr()}
	if r.from, err = resolveQueue(ctx, api, p.dlq); err != nil {
		return nil, s.boundedQueueFailure(ctx, "dlq redrive", err, f.checkTimeout)
	}
	if r.to, err = resolveQueue(ctx, api, p.source); err != nil {
		return nil, s.boundedQueueFailure(ctx, "dlq redrive", err, f.checkTimeout)
	}
	return r, nil
}

// run runs the chosen method, falling back from native to copy when auto
// chose native and the endpoint cannot start a move task (not when SQS did
// not answer within --check-timeout: copy would wait on it as well). A run without
// --max (a move task, or a copy, which moves at most the dead-letter
// queue's depth) of a queue in which SQS counts no message (its counts are
// approximate) is only reported: no task is started, nothing received. A
// copy bounded by --max moves what the queue holds, counted or not.
func (r *redrive) run(ctx context.Context) error {
	if r.from.visible+r.from.inFlight == 0 && r.flags.max == 0 {
		fmt.Fprintf(r.out, "Dead-letter queue %s of %s: %s. Nothing to redrive: run the command again in a minute "+
			"if a message was dead-lettered just now; with --method copy --max N it receives up to N messages "+
			"whatever SQS counts.\n", r.from.name, r.to.name, noneCounted)
		return nil
	}
	fmt.Fprintf(r.out, "Redrive %s -> %s by %s (%s), %s.\n", r.from.name, r.to.name, r.plan.method, r.plan.why, r.rateText())
	if r.plan.method == methodNative {
		err := r.runNative(ctx)
		if _, ok := errors.AsType[*nativeStartError](err); !ok || !r.plan.fallback || cutByBound(ctx, err) {
			return err
		}
		fmt.Fprintf(r.out, "The native method is not available here (%v); copying instead.\n", err)
		r.plan.method = methodCopy
	}
	return r.runCopy(ctx)
}

func (r *redrive) rateText() string {
	if r.rate == 0 {
		return "no rate limit"
	}
	return fmt.Sprintf("at most %s/s", counted(r.rate, "message", "messages"))
}

// noneCounted says that SQS counts no message in a queue, and what that
// count is worth.
const noneCounted = "SQS counts no message in it (none visible, none in flight; its counts are approximate and " +
	"may leave out a message that arrived in the last minute)"

// total is the progress bar's total: the dead-letter queue's depth, or
// --max.
func (r *redrive) total() int64 {
	n := r.from.visible + r.from.inFlight
	if r.flags.max > 0 {
		n = min(n, int64(r.flags.max))
	}
	return n
}
