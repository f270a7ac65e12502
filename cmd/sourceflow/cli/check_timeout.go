package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

// defaultCheckTimeout is --check-timeout's default: the bound on each AWS
// call of health's checks and of the dlq commands.
const defaultCheckTimeout = 5 * time.Second

// addCheckTimeoutFlag adds --check-timeout to cmd, described by usage.
func addCheckTimeoutFlag(cmd *cobra.Command, d *time.Duration, usage string) {
	cmd.Flags().DurationVar(d, "check-timeout", defaultCheckTimeout, usage)
}

// checkTimeoutErr refuses a --check-timeout that is not positive.
func checkTimeoutErr(d time.Duration) error {
	if d <= 0 {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("--check-timeout %s: want a positive duration, such as 5s", d)}
	}
	return nil
}

// boundedFailure is the error of a failed call (what) bounded by
// --check-timeout (bound). One that err says was cut short by that bound,
// rather than by ctx, the command's (--timeout), names the service that did
// not answer and its client's region and endpoint (callTarget); any other
// is as awsFailure says.
func (s *session) boundedFailure(ctx context.Context, what string, err error, bound time.Duration) error {
	_, region, endpoint := s.callTarget(err)
	return s.boundedFailureAt(ctx, what, err, bound, region, endpoint)
}

// boundedFailureAt is boundedFailure for a call of a client of its own,
// whose region and endpoint (as endpointNote words it) the advice names.
func (s *session) boundedFailureAt(ctx context.Context, what string, err error, bound time.Duration, region, endpoint string) error {
	if !cutByBound(ctx, err) {
		return s.awsFailureAt(what, err, region, endpoint)
	}
	return &ExitError{Code: ExitAWS, Err: fmt.Errorf("%s: %w\n%s", what, err, boundText(err, bound, region, endpoint))}
}

// cutByBound reports whether err, a call's error, is one cut short by its
// --check-timeout rather than by ctx, the command's (--timeout, or an
// interrupt).
func cutByBound(ctx context.Context, err error) bool {
	return errors.Is(err, context.DeadlineExceeded) && !cutByRun(ctx, err)
}

// boundText says that the service err names did not answer within
// --check-timeout (bound), and what to check (unansweredText).
func boundText(err error, bound time.Duration, region, endpoint string) string {
	return unansweredText(callService(err), fmt.Sprintf("within --check-timeout (%s)", bound), region, endpoint, "--check-timeout")
}
