package cli

import (
	"context"
	"errors"
	"fmt"
)

// runCopy runs the copy method and reports it.
func (r *redrive) runCopy(ctx context.Context) error {
	bar := newProgress(r.bar, r.from.name+" -> "+r.to.name, r.total())
	c := &copier{api: r.api, from: r.from, to: r.to, pace: newPacer(r.deps.clock, r.rate), bar: bar, max: r.flags.max}
	res, err := c.run(ctx)
	if err != nil {
		bar.stop()
		return r.interrupted(res.moved, err)
	}
	bar.finish()
	fmt.Fprintf(r.out, "Moved %d messages from %s to %s (method: copy).\n", res.moved, r.from.name, r.to.name)
	if res.moved == r.flags.max && r.flags.max > 0 {
		fmt.Fprintf(r.out, "Stopped at --max %d; run the command again to move more.\n", r.flags.max)
	}
	if res.held > 0 && res.unsent+res.undeleted == 0 {
		fmt.Fprintf(r.out, "About %d messages remain in %s, in flight with another reader; run the command again "+
			"once they are visible.\n", res.held, r.from.name)
	}
	if res.unsent+res.undeleted == 0 {
		return nil
	}
	return &ExitError{Code: ExitAWS, Err: fmt.Errorf("%d messages could not be sent and stay in %s; %d were sent but not "+
		"deleted and are in both queues: %w; run the command again to retry them",
		res.unsent, r.from.name, res.undeleted, errors.Join(res.errs...))}
}

// runNative runs the native method and reports it.
func (r *redrive) runNative(ctx context.Context) error {
	bar := newProgress(r.bar, r.from.name+" -> "+r.to.name, r.total())
	n := &nativeMove{api: r.api, from: r.from, to: r.to, rate: r.rate, clock: r.deps.clock, bar: bar}
	moved, handle, err := n.run(ctx)
	if _, ok := errors.AsType[*nativeStartError](err); ok {
		bar.stop()
		if r.plan.fallback {
			return err
		}
		return r.s.awsFailure(fmt.Sprintf("dlq redrive %s: native method", r.from.name), err)
	}
	if err != nil {
		bar.stop()
		return &ExitError{Code: ExitAWS, Err: fmt.Errorf("dlq redrive %s: %w after moving about %d messages; the move task "+
			"%s goes on in SQS unless it failed: run the command again to follow it, or cancel it with "+
			"`aws sqs cancel-message-move-task --task-handle %s`", r.from.name, err, moved, handle, handle)}
	}
	bar.finish()
	fmt.Fprintf(r.out, "Moved %d messages from %s to %s (method: native, SQS message move task).\n", moved, r.from.name, r.to.name)
	return nil
}

// interrupted is the error of a copy that stopped early.
func (r *redrive) interrupted(moved int, err error) error {
	return &ExitError{Code: ExitAWS, Err: fmt.Errorf("dlq redrive %s interrupted after moving %d messages: %w\n"+
		"nothing is lost: every message is in %s or %s (a message in both is absorbed by the consumer's "+
		"idempotency); run the command again to move the rest", r.from.name, moved, err, r.from.name, r.to.name)}
}
