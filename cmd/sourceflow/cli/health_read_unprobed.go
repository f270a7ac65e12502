package cli

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// unprobedCut is the call that cut health's topology read (read's
// unanswered) when its service is one no probe calls (KMS, DynamoDB,
// STS): no check fails with it (skipUnanswered), so without it health
// would say up of a topology whose drift after the cut (the KMS key's,
// read last) it never read. nil when the read was not cut, or was cut by
// SQS or SNS, whose checks then fail.
func unprobedCut(read healthRead) *readUnanswered {
	u := read.unanswered
	if u == nil || u.service == sqs.ServiceID || u.service == sns.ServiceID {
		return nil
	}
	return u
}

// unprobedStatus is the status of a report whose read an unprobed
// service cut (unprobedCut): skipped, its health unknown, when it would
// otherwise be up.
func unprobedStatus(status topology.HealthStatus, u *readUnanswered) topology.HealthStatus {
	if u != nil && status == topology.HealthUp {
		return topology.HealthSkipped
	}
	return status
}

// unprobedError is the error (exit 3) of a health run whose read an
// unprobed service cut (u): the service that did not answer (u says it,
// once), what to check (its client's endpoint, as clientTarget names it,
// or more --check-timeout), and the drift found before the cut, if any
// (advice). The read's own watch cut the call, by --check-timeout, before
// the probes ran, so that is the bound to raise even if --timeout has
// ended since.
func (s *session) unprobedError(u *readUnanswered, advice string) error {
	region, endpoint := s.clientTarget(u.service)
	err := &ExitError{Code: ExitAWS, Err: fmt.Errorf("health: the drift after it is unknown: %w\n"+
		"check that the endpoint of region %s (%s) answers, or allow more time with --check-timeout", u, region, endpoint)}
	return withDriftAdvice(err, advice)
}
