package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/smithy-go"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// downError is the error of a health run with n.down checks down, some
// reaching AWS: those whose call failed (failed, by index: refused, timed
// out, access denied) could not be made, and are named with why and what
// to check (unmadeText); validate and apply are advised only for the rest,
// whose resources AWS said do not exist. When AWS said none of them exists,
// the region or the account is likely wrong, and apply would create the
// topology there: the error says to check them (nothingFoundText).
func (s *session) downError(ctx context.Context, f healthFlags, checks []topology.HealthCheck, failed []error, n checkCounts) error {
	advice := fmt.Sprintf("run `sourceflow validate -f %s` to see what is missing and `sourceflow apply -f %s` to create it",
		fileArg(f.path), fileArg(f.path))
	unmade := countErrors(failed)
	if unmade == 0 && n.down == len(checks) {
		advice = fmt.Sprintf("run `sourceflow validate -f %s` to see what is missing: %s", fileArg(f.path), s.nothingFoundAdvice("queues and topics"))
	}
	if missing := n.down - unmade; unmade > 0 {
		advice = fmt.Sprintf("%d could not be made, as their calls failed, so the health of their resources is unknown:%s",
			unmade, s.unmadeText(ctx, f.checkTimeout, checks, failed))
		if missing > 0 {
			advice += fmt.Sprintf("\n%d found missing: run `sourceflow validate -f %s` to see what is missing and "+
				"`sourceflow apply -f %s` to create it", missing, fileArg(f.path), fileArg(f.path))
		}
	}
	return &ExitError{Code: ExitDrift, Err: fmt.Errorf("%d of %s down: %s",
		n.down, counted(len(checks), "check", "checks"), advice)}
}

// maxNamedChecks is how many of the checks whose calls failed alike
// unmadeText names; it counts the others, which the table names.
const maxNamedChecks = 10

// unmadeText names the checks whose call failed (failed, by index), one
// line for each way a call failed (failedCallText), in the order of the
// checks: "\norder-events (topic), payment-events (topic): …"; past
// maxNamedChecks, "… (queue) and 30 more: …".
func (s *session) unmadeText(ctx context.Context, checkTimeout time.Duration, checks []topology.HealthCheck, failed []error) string {
	var whys []string
	names := map[string][]string{}
	for i, err := range failed {
		if err == nil {
			continue
		}
		why := s.failedCallText(ctx, checkTimeout, err)
		if _, seen := names[why]; !seen {
			whys = append(whys, why)
		}
		names[why] = append(names[why], fmt.Sprintf("%s (%s)", checks[i].Name, checks[i].Kind))
	}
	var b strings.Builder
	for _, why := range whys {
		named := names[why]
		more := ""
		if len(named) > maxNamedChecks {
			named, more = named[:maxNamedChecks], fmt.Sprintf(" and %d more", len(named)-maxNamedChecks)
		}
		fmt.Fprintf(&b, "\n%s%s: %s", strings.Join(named, ", "), more, why)
	}
	return b.String()
}

// failedCallText says why err, the error of a check's call, came without
// an answer on its resource, and what to check, naming the service that
// failed and its client's region and endpoint (callTarget): an endpoint
// that cannot be reached, a call cut short by --check-timeout or by
// --timeout (whichever ended it, see cutByRun), an interrupted call, what
// AWS answered (its error code: AccessDenied), or another failure by its
// cause (shortCause), so that calls failed alike share a text. A probe
// that panicked is said with the panic's value, as a bug, not a missing
// resource.
func (s *session) failedCallText(ctx context.Context, checkTimeout time.Duration, err error) string {
	if p, ok := errors.AsType[*probePanic](err); ok {
		return oneLine(p.Error()) + ": a bug in a client, or an answer it could not read, not a missing resource"
	}
	service, region, endpoint := s.callTarget(err)
	if cause, ok := sendCause(err); ok {
		return fmt.Sprintf("the %s endpoint cannot be reached (%s; region %s): %v: %s",
			service, endpoint, region, cause, unreachedHint(cause))
	}
	if errors.Is(err, context.DeadlineExceeded) {
		if cutByRun(ctx, err) {
			return unansweredText(service, "within --timeout", region, endpoint, "--timeout")
		}
		return unansweredText(service, fmt.Sprintf("within --check-timeout (%s)", checkTimeout), region, endpoint, "--check-timeout")
	}
	if errors.Is(err, context.Canceled) {
		return service + " call interrupted"
	}
	var what string
	if apiErr, ok := errors.AsType[smithy.APIError](err); ok {
		what = service + " answered " + printable(boundedCause(apiErr.ErrorCode()))
	} else {
		what = service + " call failed (" + oneLine(shortCause(err)) + ")"
	}
	return what + ": " + credentialsText(region, endpoint, "sourceflow --help")
}
