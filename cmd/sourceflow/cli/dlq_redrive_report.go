package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/sourceflow-go/sourceflow"
)

// runCopy runs the copy method and reports it.
func (r *redrive) runCopy(ctx context.Context) error {
	bar := newProgress(r.bar, r.from.name+" -> "+r.to.name, r.total())
	c := &copier{api: r.api, from: r.from, to: r.to, pace: newPacer(r.deps.clock, r.rate), bar: bar,
		limit: r.limit(), sent: sentIDs{}, blocked: map[string]bool{}, left: map[string]bool{},
		sel: r.flags.sel, resetHops: r.flags.resetHops, skipped: map[string]bool{}}
	res, err := c.run(ctx)
	if err != nil {
		bar.stop()
		r.reportPacked(res)
		return r.interrupted(ctx, res, err)
	}
	bar.finish()
	fmt.Fprintf(r.out, "Moved %s%s from %s to %s (method: copy).\n", counted(res.moved, "message", "messages"), r.ofType(),
		r.from.name, r.to.name)
	r.reportPacked(res)
	r.reportSkipped(res)
	if res.moved+res.skipped == r.flags.max && r.flags.max > 0 { // --max counts the messages of other types read too
		fmt.Fprintf(r.out, "Stopped at --max %d; run the command again to move more.\n", r.flags.max)
	}
	r.reportStayed(ctx, res)
	if res.unsent+res.undeleted == 0 {
		return nil
	}
	return &ExitError{Code: ExitAWS, Err: fmt.Errorf("%s not be sent and %s in %s; %s sent but not "+
		"deleted and %s in both queues: %w; they are visible again: run the command again to retry them",
		counted(res.unsent, "message could", "messages could"), agree(res.unsent, "stays", "stay"), r.from.name,
		counted(res.undeleted, "was", "were"), agree(res.undeleted, "is", "are"), errors.Join(res.errs...))}
}

// reportStayed says what a copy left in the dead-letter queue, and why:
// messages that came back, second copies it could not date, messages it
// could not receive, and those kept behind a failed message of their FIFO
// group.
func (r *redrive) reportStayed(ctx context.Context, res redriveResult) {
	if back := r.returned(ctx, res); back > 0 {
		fmt.Fprintf(r.out, "%s back to %s during the redrive (dead-lettered again, or new failures) and "+
			"%s not moved again; peek %s before the next redrive.\n", counted(back, "message came", "messages came"),
			r.from.name, agree(back, "was", "were"), agree(back, "it", "them"))
	}
	if res.undated > 0 {
		fmt.Fprintf(r.out, "%s in %s that %s the message id (or the body and attributes) of a message "+
			"the run moved, and that SQS's timestamps do not date: second copies the queue held before the run, or "+
			"messages that came back; peek %s, and run the command again to move %[4]s.\n",
			counted(res.undated, "message stays", "messages stay"), r.from.name, agree(res.undated, "carries", "carry"),
			agree(res.undated, "it", "them"))
	}
	r.reportHeld(res)
	if res.kept > 0 {
		fmt.Fprintf(r.out, "%s in %s behind a failed message of %s FIFO group, to keep the "+
			"group's order.\n", counted(res.kept, "message stays", "messages stay"), r.from.name, agree(res.kept, "its", "their"))
	}
}

// reportHeld says how many messages the copy found in the dead-letter
// queue and could not receive, and why.
func (r *redrive) reportHeld(res redriveResult) {
	switch {
	case res.held > 0 && res.behind:
		fmt.Fprintf(r.out, "About %s in %s, behind a failed message of %s FIFO group (SQS returns "+
			"no message of a group while one of its messages is hidden) or in flight with another reader; run the "+
			"command again to move %s.\n", counted(res.held, "message remains", "messages remain"), r.from.name,
			agree(res.held, "its", "their"), agree(res.held, "it", "them"))
	case res.held > 0:
		fmt.Fprintf(r.out, "About %s in %s, in flight with another reader (a consumer, a peek or "+
			"another redrive); run the command again once %s visible.\n", counted(res.held, "message remains", "messages remain"),
			r.from.name, agree(res.held, "it is", "they are"))
	}
}

// reportPacked says how many moved messages kept attributes packed in
// sf_env, where only a SourceFlow consumer reads them.
func (r *redrive) reportPacked(res redriveResult) {
	if res.packed > 0 {
		fmt.Fprintf(r.out, "%s back with attributes still packed in sf_env: unpacked, they would exceed "+
			"the %d message attributes SQS allows (or not be valid attributes); a SourceFlow consumer reads them, "+
			"other consumers find them only inside sf_env.\n", counted(res.packed, "message went", "messages went"),
			sourceflow.AttributeBudget)
	}
}

// limit is how many messages a copy handles: --max, else the dead-letter
// queue's depth at the start, so that messages dead-lettered again while
// it runs are not moved again.
func (r *redrive) limit() int {
	if r.flags.max > 0 {
		return r.flags.max
	}
	return int(r.from.visible + r.from.inFlight)
}

// returned is about how many messages arrived in the dead-letter queue
// while the copy ran: its depth now less what was left of the depth at the
// start, and at least the count the copy saw.
func (r *redrive) returned(ctx context.Context, res redriveResult) int {
	ctx, cancel := settle(ctx)
	defer cancel()
	q, err := resolveQueue(ctx, r.api, r.from.name)
	if err != nil {
		return res.returned
	}
	left := r.from.visible + r.from.inFlight - int64(res.moved-res.undeleted)
	return max(res.returned, int(q.visible+q.inFlight-left))
}

// runNative runs the native method and reports it.
func (r *redrive) runNative(ctx context.Context) error {
	bar := newProgress(r.bar, r.from.name+" -> "+r.to.name, r.total())
	n := &nativeMove{api: r.api, from: r.from, to: r.to, rate: r.rate, clock: r.deps.clock, bar: bar}
	moved, handle, err := n.run(ctx)
	if err != nil {
		bar.stop()
		return r.nativeFailure(ctx, err, moved, handle)
	}
	bar.finish()
	fmt.Fprintf(r.out, "Moved %s from %s to %s (method: native, SQS message move task).\n",
		counted(moved, "message", "messages"), r.from.name, r.to.name)
	return nil
}

// nativeFailure is the error of a native run that failed. A task that
// could not be started is returned as is when auto may fall back to copy;
// a start that found another task running, or that may have started one
// (no handle), is never copied beside. A call --check-timeout cut short
// (ctx, the command's, still running) is said so, naming the endpoint.
func (r *redrive) nativeFailure(ctx context.Context, err error, moved int64, handle string) error {
	what := fmt.Sprintf("dlq redrive %s: native method", r.from.name)
	if _, ok := errors.AsType[*nativeStartError](err); ok && r.plan.fallback && !cutByBound(ctx, err) {
		return err
	}
	if _, ok := errors.AsType[*moveTaskBusyError](err); ok {
		return &ExitError{Code: ExitAWS, Err: fmt.Errorf("%s: %w", what, err)}
	}
	if handle == "" {
		return r.startFailure(ctx, what, err)
	}
	return &ExitError{Code: ExitAWS, Err: fmt.Errorf("dlq redrive %s: %w after moving about %s; the move task "+
		"%s goes on in SQS unless it failed: run the command again to follow it, or cancel it with "+
		"`aws sqs cancel-message-move-task --task-handle %s`%s", r.from.name, err, counted(moved, "message", "messages"),
		handle, handle, r.boundNote(ctx, err))}
}

// startFailure is the error of a native run that has no task handle: with
// a move task start that --check-timeout cut short, which SQS may still
// have carried out, it says that a run again follows the task and that a
// copy would move the messages beside it.
func (r *redrive) startFailure(ctx context.Context, what string, err error) error {
	if _, ok := errors.AsType[*nativeStartError](err); ok && cutByBound(ctx, err) {
		what += " (SQS may have started the move task: run the command again, which follows it; " +
			"--method copy would move the messages beside it)"
	}
	return r.s.boundedFailure(ctx, what, err, r.flags.checkTimeout)
}

// boundNote is, for err, a call's error, that --check-timeout cut short,
// a line saying so that names the endpoint that did not answer (boundText);
// for one that the bound of a copy's batch (settleTimeout) cut short while
// the command still ran, a line saying that; "" for any other error.
func (r *redrive) boundNote(ctx context.Context, err error) string {
	_, region, endpoint := r.s.callTarget(err)
	switch {
	case cutByBound(ctx, err):
		return "\n" + boundText(err, r.flags.checkTimeout, region, endpoint)
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		return fmt.Sprintf("\n%s did not answer within %s, the bound on the calls that move one batch of the copy "+
			"(each call has --check-timeout, %s, within it): check that the endpoint of region %s (%s) answers",
			callService(err), settleTimeout, r.flags.checkTimeout, region, endpoint)
	}
	return ""
}

// interrupted is the error of a copy that stopped early: with a call
// --check-timeout cut short, naming the endpoint that did not answer.
func (r *redrive) interrupted(ctx context.Context, res redriveResult, err error) error {
	both := ""
	if res.undeleted > 0 {
		both = fmt.Sprintf(" (%d of %s also still in %s)", res.undeleted, agree(res.moved, "it", "them"), r.from.name)
	}
	return &ExitError{Code: ExitAWS, Err: fmt.Errorf("dlq redrive %s interrupted after moving %s%s: %w%s\n"+
		"nothing is lost: every message is in %s or %s (a message in both is absorbed by the consumer's "+
		"idempotency); run the command again to move the rest%s", r.from.name, counted(res.moved, "message", "messages"),
		both, err, leftBehind(res), r.from.name, r.to.name, r.boundNote(ctx, err))}
}

// leftBehind says what a copy that stopped early had already left in the
// dead-letter queue: the messages that failed to send, those kept behind
// them on FIFO, and the causes of the failed entries; "" when nothing.
func leftBehind(res redriveResult) string {
	var parts []string
	if res.unsent > 0 {
		parts = append(parts, counted(res.unsent, "message", "messages")+" could not be sent")
	}
	if res.kept > 0 {
		parts = append(parts, counted(res.kept, "message stays", "messages stay")+" behind a failed message of "+
			agree(res.kept, "its", "their")+" FIFO group")
	}
	if res.undated > 0 {
		parts = append(parts, counted(res.undated, "message stays", "messages stay")+" that "+
			agree(res.undated, "carries", "carry")+" the message id of one moved, undated")
	}
	if len(res.errs) > 0 {
		causes := make([]string, len(res.errs))
		for i, e := range res.errs {
			causes[i] = e.Error()
		}
		parts = append(parts, "failed entries: "+strings.Join(causes, "; "))
	}
	if len(parts) == 0 {
		return ""
	}
	return "\nbefore that: " + strings.Join(parts, ", ")
}

// ofType is what redrive's messages say of --type, --reason, --before
// and --after.
func (r *redrive) ofType() string { return r.flags.sel.describe() }

// reportSkipped says how many messages not selected (of other types than
// --type, or not matching --reason, --before or --after) a copy read and
// left in the dead-letter queue.
func (r *redrive) reportSkipped(res redriveResult) {
	switch {
	case r.flags.sel.only && r.flags.sel.describe() == " of type "+printable(r.flags.sel.typ):
		fmt.Fprintf(r.out, "%s of other types %s in %s, visible again.\n", counted(res.skipped, "message", "messages"),
			agree(res.skipped, "stays", "stay"), r.from.name)
	case r.flags.sel.any():
		fmt.Fprintf(r.out, "%s not selected %s in %s, visible again.\n", counted(res.skipped, "message", "messages"),
			agree(res.skipped, "stays", "stay"), r.from.name)
	}
}
