package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

// defaultCheckTimeout is --check-timeout's default: the bound on each AWS
// call of health's checks and of the dlq commands that read (list, peek).
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

// cutByCheckTimeout is the error of a call (what) that err says was cut
// short by its own bound, --check-timeout (bound), rather than by ctx, the
// command's (--timeout): it names the service that did not answer and its
// client's region and endpoint (callTarget). It is nil for any other err.
func (s *session) cutByCheckTimeout(ctx context.Context, what string, err error, bound time.Duration) error {
	if !errors.Is(err, context.DeadlineExceeded) || cutByRun(ctx, err) {
		return nil
	}
	service, region, endpoint := s.callTarget(err)
	return &ExitError{Code: ExitAWS, Err: fmt.Errorf("%s: %w\n%s", what, err, unansweredText(service,
		fmt.Sprintf("within --check-timeout (%s)", bound), region, endpoint, "--check-timeout"))}
}
