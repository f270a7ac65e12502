package cli

import (
	"context"
	"errors"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// failedCalls makes each probe keep, at its index, the error of a failed
// call: a check that is down without AWS answering that its resource is
// missing (unreachable endpoint, credentials, sts:GetCallerIdentity). A call
// cut short is kept with the bound that cut it, known when it returned
// (cutShort): ctx, the run's (--timeout), or the check's own. A probe that
// panics is kept as a *probePanic, a check that could not be made; its
// check's error says so. Read them once RunProbes has returned.
func failedCalls(ctx context.Context, probes []topology.Probe) []error {
	failed := make([]error, len(probes))
	for i, p := range probes {
		probes[i].Run = func(check context.Context) (err error) {
			defer func() {
				if v := recover(); v != nil {
					err = &probePanic{text: sourceflow.PanicText(v)}
					failed[i] = err
				}
			}()
			err = p.Run(check)
			if err != nil && !errors.Is(err, topology.ErrSkipped) &&
				!topology.IsQueueMissing(err) && !topology.IsTopicMissing(err) {
				failed[i] = cutShort(ctx, check, err)
			}
			return err
		}
	}
	return failed
}

// probePanic is the error of a check whose probe panicked: a bug in a
// client or an answer it could not read, not a missing resource. text is
// the panic's value as sourceflow.PanicText bounds it.
type probePanic struct{ text string }

// Error implements error.
func (e *probePanic) Error() string { return "the probe panicked: " + e.text }

// anyPanicked reports whether a probe of failed (see failedCalls) panicked.
func anyPanicked(failed []error) bool {
	for _, err := range failed {
		if _, ok := errors.AsType[*probePanic](err); ok {
			return true
		}
	}
	return false
}

// cutCall is the error of a check's call cut short by a deadline, with
// the one that ended it: the run's (--timeout) when byRun, else the
// check's own (--check-timeout).
type cutCall struct {
	err   error
	byRun bool
}

// Error implements error.
func (e *cutCall) Error() string { return e.err.Error() }

// Unwrap returns the call's error.
func (e *cutCall) Unwrap() error { return e.err }

// cutShort is err, the error of a call made within check, a context of
// run, as a *cutCall when check's deadline ended it: cut by run's bound
// when check's deadline is run's (RunProbes bounds each check by the time
// run has left), by the check's own otherwise. Any other err is returned
// as it is.
func cutShort(run, check context.Context, err error) error {
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(check.Err(), context.DeadlineExceeded) {
		return err
	}
	checkEnd, _ := check.Deadline()
	runEnd, bounded := run.Deadline()
	return &cutCall{err: err, byRun: bounded && !checkEnd.Before(runEnd)}
}

// cutByRun reports whether err, a call's error that is
// context.DeadlineExceeded, came from the run's bound (--timeout) rather
// than the check's: as failedCalls kept it when the call returned, else
// (an error not kept so) whether ctx, the run's, has ended.
func cutByRun(ctx context.Context, err error) bool {
	if cut, ok := errors.AsType[*cutCall](err); ok {
		return cut.byRun
	}
	return ctx.Err() != nil
}
