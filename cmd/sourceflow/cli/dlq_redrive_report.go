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
		limit: r.limit(), sent: sentIDs{}, blocked: map[string]bool{}, left: map[string]bool{}}
	res, err := c.run(ctx)
	if err != nil {
		bar.stop()
		r.reportPacked(res)
		return r.interrupted(res, err)
	}
	bar.finish()
	fmt.Fprintf(r.out, "Moved %d messages from %s to %s (method: copy).\n", res.moved, r.from.name, r.to.name)
	r.reportPacked(res)
	if res.moved == r.flags.max && r.flags.max > 0 {
		fmt.Fprintf(r.out, "Stopped at --max %d; run the command again to move more.\n", r.flags.max)
	}
	if back := r.returned(ctx, res); back > 0 {
		fmt.Fprintf(r.out, "%d messages came back to %s during the redrive (dead-lettered again, or new failures) and "+
			"were not moved again; peek them before the next redrive.\n", back, r.from.name)
	}
	if res.undated > 0 {
		fmt.Fprintf(r.out, "%d messages stay in %s that carry the message id (or the body and attributes) of a message "+
			"the run moved, and that SQS's timestamps do not date: second copies the queue held before the run, or "+
			"messages that came back; peek them, and run the command again to move them.\n", res.undated, r.from.name)
	}
	r.reportHeld(res)
	if res.kept > 0 {
		fmt.Fprintf(r.out, "%d messages stay in %s behind a failed message of their FIFO group, to keep the "+
			"group's order.\n", res.kept, r.from.name)
	}
	if res.unsent+res.undeleted == 0 {
		return nil
	}
	return &ExitError{Code: ExitAWS, Err: fmt.Errorf("%d messages could not be sent and stay in %s; %d were sent but not "+
		"deleted and are in both queues: %w; they are visible again: run the command again to retry them",
		res.unsent, r.from.name, res.undeleted, errors.Join(res.errs...))}
}

// reportHeld says how many messages the copy found in the dead-letter
// queue and could not receive, and why.
func (r *redrive) reportHeld(res redriveResult) {
	switch {
	case res.held > 0 && res.behind:
		fmt.Fprintf(r.out, "About %d messages remain in %s, behind a failed message of their FIFO group (SQS returns "+
			"no message of a group while one of its messages is hidden) or in flight with another reader; run the "+
			"command again to move them.\n", res.held, r.from.name)
	case res.held > 0:
		fmt.Fprintf(r.out, "About %d messages remain in %s, in flight with another reader (a consumer, a peek or "+
			"another redrive); run the command again once they are visible.\n", res.held, r.from.name)
	}
}

// reportPacked says how many moved messages kept attributes packed in
// sf_env, where only a SourceFlow consumer reads them.
func (r *redrive) reportPacked(res redriveResult) {
	if res.packed > 0 {
		fmt.Fprintf(r.out, "%d messages went back with attributes still packed in sf_env: unpacked, they would exceed "+
			"the %d message attributes SQS allows (or not be valid attributes); a SourceFlow consumer reads them, "+
			"other consumers find them only inside sf_env.\n", res.packed, sourceflow.AttributeBudget)
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
		return r.nativeFailure(err, moved, handle)
	}
	bar.finish()
	fmt.Fprintf(r.out, "Moved %d messages from %s to %s (method: native, SQS message move task).\n", moved, r.from.name, r.to.name)
	return nil
}

// nativeFailure is the error of a native run that failed. A task that
// could not be started is returned as is when auto may fall back to copy;
// a start that found another task running, or that may have started one
// (no handle), is never copied beside.
func (r *redrive) nativeFailure(err error, moved int64, handle string) error {
	what := fmt.Sprintf("dlq redrive %s: native method", r.from.name)
	if _, ok := errors.AsType[*nativeStartError](err); ok && r.plan.fallback {
		return err
	}
	if _, ok := errors.AsType[*moveTaskBusyError](err); ok {
		return &ExitError{Code: ExitAWS, Err: fmt.Errorf("%s: %w", what, err)}
	}
	if handle == "" {
		return r.s.awsFailure(what, err)
	}
	return &ExitError{Code: ExitAWS, Err: fmt.Errorf("dlq redrive %s: %w after moving about %d messages; the move task "+
		"%s goes on in SQS unless it failed: run the command again to follow it, or cancel it with "+
		"`aws sqs cancel-message-move-task --task-handle %s`", r.from.name, err, moved, handle, handle)}
}

// interrupted is the error of a copy that stopped early.
func (r *redrive) interrupted(res redriveResult, err error) error {
	both := ""
	if res.undeleted > 0 {
		both = fmt.Sprintf(" (%d of them also still in %s)", res.undeleted, r.from.name)
	}
	return &ExitError{Code: ExitAWS, Err: fmt.Errorf("dlq redrive %s interrupted after moving %d messages%s: %w%s\n"+
		"nothing is lost: every message is in %s or %s (a message in both is absorbed by the consumer's "+
		"idempotency); run the command again to move the rest", r.from.name, res.moved, both, err, leftBehind(res),
		r.from.name, r.to.name)}
}

// leftBehind says what a copy that stopped early had already left in the
// dead-letter queue: the messages that failed to send, those kept behind
// them on FIFO, and the causes of the failed entries; "" when nothing.
func leftBehind(res redriveResult) string {
	var parts []string
	if res.unsent > 0 {
		parts = append(parts, fmt.Sprintf("%d messages could not be sent", res.unsent))
	}
	if res.kept > 0 {
		parts = append(parts, fmt.Sprintf("%d messages stay behind a failed message of their FIFO group", res.kept))
	}
	if res.undated > 0 {
		parts = append(parts, fmt.Sprintf("%d messages stay that carry the message id of one moved, undated", res.undated))
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
