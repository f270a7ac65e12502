package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// nothingFound reports whether report has every queue and topic of plan
// missing (and plan has some): the service was never created there, or
// the command looks in another region or account than the one it was
// created in.
func nothingFound(plan topology.Plan, report topology.DriftReport) bool {
	missing := map[string]bool{}
	for _, d := range report.Drifts {
		if d.Problem == "missing" {
			missing[d.Resource+" "+d.Name] = true
		}
	}
	for _, q := range plan.Queues {
		if !missing["queue "+q.Name] {
			return false
		}
	}
	for _, t := range plan.Topics {
		if !missing["topic "+t.Name] {
			return false
		}
	}
	return len(plan.Queues)+len(plan.Topics) > 0
}

// hintNothingFound tells, on w, that none of the service's queues and
// topics exist where the session looks, when that is so.
func (s *session) hintNothingFound(w io.Writer, report topology.DriftReport) {
	if nothingFound(s.plan, report) {
		fmt.Fprintf(w, "N%s.\n", strings.TrimPrefix(s.nothingFoundText("queues and topics"), "n"))
	}
}

// nothingFoundText says that none of the service's resources (what: "queues
// and topics", "queues") exists where the session looks, and what to
// check: apply would create them there, in what may be the wrong region
// or account. It starts in lower case, to follow a colon.
func (s *session) nothingFoundText(what string) string {
	return fmt.Sprintf("none of the %s of service %s exists in %s: if they were created, check the region "+
		"(AWS_REGION, AWS_PROFILE) and the account the credentials belong to", what, s.plan.Service, s.where())
}

// noQueueFound reports whether none of the plan's queues exists where the
// session looks, each lookup bounded by bound: false when one exists, or
// when a lookup fails otherwise (the answer is then unknown).
func (s *session) noQueueFound(ctx context.Context, bound time.Duration) bool {
	for _, q := range s.plan.Queues {
		lookup, cancel := context.WithTimeout(ctx, bound)
		_, err := s.clients.SQS.GetQueueUrl(lookup, &sqs.GetQueueUrlInput{QueueName: aws.String(q.Name)})
		cancel()
		if !topology.IsQueueMissing(err) {
			return false
		}
	}
	return len(s.plan.Queues) > 0
}

// nothingFoundAdvice is nothingFoundText for an error: check the region
// and account first, and only then, if the resources were never created,
// apply, which creates them where the session looks.
func (s *session) nothingFoundAdvice(what string) string {
	return fmt.Sprintf("%s; if they never were, `sourceflow apply -f %s` creates them in %s",
		s.nothingFoundText(what), fileArg(s.path), s.where())
}
