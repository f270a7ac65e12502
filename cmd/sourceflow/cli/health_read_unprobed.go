package cli

import (
	"context"

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
// unprobed service cut (u): the service that did not answer, where its
// endpoint is, and the drift found before the cut, if any (advice).
func (s *session) unprobedError(ctx context.Context, f healthFlags, u *readUnanswered, advice string) error {
	return withDriftAdvice(s.boundedFailure(ctx, "health: the drift after it is unknown", u, f.checkTimeout), advice)
}
