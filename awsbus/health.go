package awsbus

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// HealthReport is the structured result of Transport.Health.
type HealthReport struct {
	// Status is down when any check is down, else degraded when a check is
	// degraded (the KMS check of a key without NewEncryption) or a publish
	// circuit is open, up otherwise.
	Status topology.HealthStatus `json:"status"`
	// CheckedAt is when the checks started.
	CheckedAt time.Time `json:"checked_at"`
	// Checks are in a fixed order: services, then queues, then topics.
	Checks []topology.HealthCheck `json:"checks"`
	// Circuits are the states of the publish circuit breakers of
	// Config.Circuits, by destination; an open one makes the report
	// degraded.
	Circuits []sourceflow.Circuit `json:"circuits,omitempty"`
}

// Health checks, concurrently and each within Config.HealthTimeout: that
// SQS and SNS answer, that the KMS key is usable (when Config.KMSKeyID is
// set and NewEncryption was called), and that every queue (dead-letter queues included) and
// topic of the bound topology exists; and it reads the publish circuits of
// Config.Circuits. Before Bind the report is down. With Config.KMSKeyID set
// and NewEncryption not called, the KMS check is degraded, saying that
// message bodies are neither encrypted nor authenticated, and so is the
// report unless a check is down: the transport works (and encryption at
// rest alone may be meant), so it is not down and HealthHandler answers 200,
// but the report's status shows the gap.
func (t *Transport) Health(ctx context.Context) HealthReport {
	rep := HealthReport{Status: topology.HealthUp, CheckedAt: time.Now().UTC()}
	if t.cfg.Circuits != nil {
		rep.Circuits = t.cfg.Circuits.Circuits()
	}
	probes, err := t.healthProbes()
	if err != nil {
		rep.Status = topology.HealthDown
		rep.Checks = []topology.HealthCheck{{Name: "transport", Kind: "service", Status: topology.HealthDown, Error: err.Error()}}
		return rep
	}
	rep.Checks = topology.RunProbes(ctx, t.cfg.HealthTimeout, probes)
	for _, c := range rep.Checks {
		switch {
		case c.Status == topology.HealthDown:
			rep.Status = topology.HealthDown
		case c.Status == topology.HealthDegraded && rep.Status == topology.HealthUp:
			rep.Status = topology.HealthDegraded
		}
	}
	for _, c := range rep.Circuits {
		if c.State == sourceflow.CircuitOpen && rep.Status == topology.HealthUp {
			rep.Status = topology.HealthDegraded
		}
	}
	return rep
}

func (t *Transport) healthProbes() ([]topology.Probe, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.usable(); err != nil {
		return nil, err
	}
	probes := []topology.Probe{t.sqsProbe(), t.snsProbe()}
	if t.cfg.KMSKeyID != "" {
		probes = append(probes, topology.Probe{Name: "kms", Kind: "service", Run: kmsProbe(t.kmsCheck)})
	}
	return append(probes, t.resources().ResourceProbes(t.plan, t.endpoints)...), nil
}

func skipped(why string) func(context.Context) error {
	return func(context.Context) error { return errors.Join(topology.ErrSkipped, errors.New(why)) }
}

// sqsProbe asks SQS for the URL of a planned queue: any answer, "no such
// queue" included, proves SQS reachable with no extra IAM permission.
func (t *Transport) sqsProbe() topology.Probe {
	if len(t.plan.Queues) == 0 {
		return topology.Probe{Name: "sqs", Kind: "service", Run: skipped("no queue configured")}
	}
	name := t.plan.Queues[0].Name
	return serviceProbe("sqs", func(ctx context.Context) error {
		_, err := t.clients.SQS.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
		return err
	}, topology.IsQueueMissing)
}

// snsProbe reads a planned topic's attributes: any answer, "not found"
// included, proves SNS reachable.
func (t *Transport) snsProbe() topology.Probe {
	if len(t.plan.Topics) == 0 {
		return topology.Probe{Name: "sns", Kind: "service", Run: skipped("no topic configured")}
	}
	arn := t.endpoints[t.plan.Topics[0].Name].TopicARN
	return serviceProbe("sns", func(ctx context.Context) error {
		_, err := t.clients.SNS.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
		return err
	}, topology.IsTopicMissing)
}

// serviceProbe is the probe of service name that runs call: an error that
// missing reports as a missing resource is an answer too, and passes.
func serviceProbe(name string, call func(context.Context) error, missing func(error) bool) topology.Probe {
	return topology.Probe{Name: name, Kind: "service", Run: func(ctx context.Context) error {
		if err := call(ctx); !missing(err) {
			return err
		}
		return nil
	}}
}

// kmsProbe runs check, the Encrypter's Check that NewEncryption set (read
// under the transport's lock, since NewEncryption may run after Bind).
// Without it the check is degraded: the key encrypts the queues and topics
// at rest, but nothing the transport knows of encrypts or authenticates
// message bodies.
func kmsProbe(check func(ctx context.Context) error) func(ctx context.Context) error {
	if check == nil {
		return func(context.Context) error { return errors.Join(topology.ErrDegraded, errUnprotectedBodies) }
	}
	return check
}

// HealthHandler serves t.Health as JSON: 200 when up or degraded, 503 when
// down. One round of checks runs at a time, shared by the requests that
// arrive meanwhile, and its report answers those of the next HealthReuse
// (2s), so that however often it is called the transport runs one round
// of AWS calls at a time and none within 2s of the last one's end; each
// handler shares its own rounds. Transport.Health itself always runs the checks. The report names the queues, topics and key, and the errors of
// the checks (ARNs and account id included): serve it on a private
// address, not beside the service's public endpoints.
func HealthHandler(t *Transport) http.Handler {
	shared := &sharedHealth{t: t}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rep := shared.get(r.Context())
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		code := http.StatusOK
		if rep.Status == topology.HealthDown {
			code = http.StatusServiceUnavailable
		}
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(rep)
	})
}
