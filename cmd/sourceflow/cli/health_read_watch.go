package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// readUnanswered is the cause of health's topology read cut short by
// watchedClients: the call to service that went unanswered for
// --check-timeout, and its error.
type readUnanswered struct {
	service string
	bound   time.Duration
	err     error
}

// Error implements error.
func (e *readUnanswered) Error() string {
	return fmt.Sprintf("%s did not answer the topology read within --check-timeout (%s): %v", e.service, e.bound, e.err)
}

// Unwrap returns the call's error.
func (e *readUnanswered) Unwrap() error { return e.err }

// probeService is the service whose client a probe of kind calls: SNS
// for a topic, SQS for a queue or a dead-letter queue.
func probeService(kind string) string {
	if kind == "topic" {
		return sns.ServiceID
	}
	return sqs.ServiceID
}

// skipUnanswered makes each probe of the service that left the read
// unanswered (u, nil when none did) fail at once with u, whose text (the
// service, the bound and the call's error) its row says, instead of
// waiting --check-timeout on the same endpoint again, in waves of
// topology.MaxParallelReads.
func skipUnanswered(probes []topology.Probe, u *readUnanswered) {
	if u == nil {
		return
	}
	for i, p := range probes {
		if probeService(p.Kind) == u.service {
			probes[i].Run = func(context.Context) error { return u }
		}
	}
}

// watchedClients returns c with its clients of the SDK bounding each
// call by bound (callBound) and, once one went unanswered that long,
// cutting the whole read with cut, its cause a *readUnanswered naming the
// call's service, so that an endpoint that never answers costs the read
// one --check-timeout, not one per resource. An absent optional client
// stays absent.
func watchedClients(c Clients, bound time.Duration, cut context.CancelCauseFunc) Clients {
	b := callBound{bound: bound, unanswered: func(err *smithy.OperationError) {
		cut(&readUnanswered{service: err.ServiceID, bound: bound, err: err})
	}}
	c.SQS, c.SNS = withBound(c.SQS, b), withBound(c.SNS, b)
	c.STS, c.KMS, c.DynamoDB = withBound(c.STS, b), withBound(c.KMS, b), withBound(c.DynamoDB, b)
	return c
}
