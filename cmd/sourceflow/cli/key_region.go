package cli

import (
	"fmt"
	"strings"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// refuseKeyOfAnotherRegion refuses, before any call, a file whose KMS key
// is an ARN of another region than the session's (topology.CheckKeyRegion):
// plan would propose, and apply make, queues and topics that SQS and SNS
// cannot encrypt under it. health reports it as a drift of the key.
func (s *session) refuseKeyOfAnotherRegion() error {
	if err := topology.CheckKeyRegion(s.plan.KMSKeyID, s.clients.Region); err != nil {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: encryption.kms_key_id %s: %w\nfix encryption.kms_key_id in %s",
			s.source(), s.plan.KMSKeyID, err, s.source())}
	}
	return nil
}

// keyRegionProblem matches the drift of a key of another region than the
// service's (topology.CheckKeyRegion): only another key fixes it.
func keyRegionProblem(problem string) bool {
	return strings.HasPrefix(problem, "the key is in ")
}
