package cli

import (
	"fmt"
	"io"

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
		fmt.Fprintf(w, "None of the queues and topics of service %s exists in %s: if they were created, check the region "+
			"(AWS_REGION, AWS_PROFILE) and the account the credentials belong to.\n", s.plan.Service, s.where())
	}
}
