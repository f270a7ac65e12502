package awsbus

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// HealthStatus is the outcome of one check or of the whole report.
type HealthStatus string

const (
	// HealthUp means the check passed.
	HealthUp HealthStatus = "up"
	// HealthDown means the check failed; the report is down.
	HealthDown HealthStatus = "down"
	// HealthSkipped means the check did not run (nothing to check, or no
	// probe configured); it does not make the report down.
	HealthSkipped HealthStatus = "skipped"
)

// HealthCheck is one entry of a HealthReport.
type HealthCheck struct {
	// Name is "sqs", "sns", "kms", "transport", or a queue or topic name.
	Name string `json:"name"`
	// Kind is "service", "queue", "dlq" or "topic".
	Kind string `json:"kind"`
	// Status is up, down or skipped.
	Status HealthStatus `json:"status"`
	// Latency is how long the check took.
	Latency time.Duration `json:"latency_ns"`
	// Error is the failure, empty when up.
	Error string `json:"error,omitempty"`
}

// HealthReport is the structured result of Transport.Health.
type HealthReport struct {
	// Status is down when any check is down, up otherwise.
	Status HealthStatus `json:"status"`
	// CheckedAt is when the checks started.
	CheckedAt time.Time `json:"checked_at"`
	// Checks are in a fixed order: services, then queues, then topics.
	Checks []HealthCheck `json:"checks"`
}

type healthProbe struct {
	name, kind string
	run        func(ctx context.Context) error
}

// Health checks, concurrently and each within Config.HealthTimeout: that
// SQS and SNS answer, that KMS answers (when encryption is enabled and a
// KMSCheck is set), and that every queue (dead-letter queues included) and
// topic of the bound topology exists. Before Bind the report is down.
func (t *Transport) Health(ctx context.Context) HealthReport {
	rep := HealthReport{Status: HealthUp, CheckedAt: time.Now().UTC()}
	probes, err := t.healthProbes()
	if err != nil {
		rep.Status = HealthDown
		rep.Checks = []HealthCheck{{Name: "transport", Kind: "service", Status: HealthDown, Error: err.Error()}}
		return rep
	}
	rep.Checks = make([]HealthCheck, len(probes))
	var wg sync.WaitGroup
	for i, p := range probes {
		wg.Go(func() { rep.Checks[i] = t.runProbe(ctx, p) })
	}
	wg.Wait()
	for _, c := range rep.Checks {
		if c.Status == HealthDown {
			rep.Status = HealthDown
		}
	}
	return rep
}

var errSkipped = errors.New("skipped")

func (t *Transport) runProbe(ctx context.Context, p healthProbe) HealthCheck {
	ctx, cancel := context.WithTimeout(ctx, t.cfg.HealthTimeout)
	defer cancel()
	start := time.Now()
	err := p.run(ctx)
	c := HealthCheck{Name: p.name, Kind: p.kind, Status: HealthUp, Latency: time.Since(start)}
	switch {
	case errors.Is(err, errSkipped):
		c.Status, c.Error = HealthSkipped, err.Error()
	case err != nil:
		c.Status, c.Error = HealthDown, err.Error()
	}
	return c
}

func (t *Transport) healthProbes() ([]healthProbe, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, ErrClosed
	}
	if !t.bound {
		return nil, ErrNotBound
	}
	probes := []healthProbe{t.sqsProbe(), t.snsProbe()}
	if t.cfg.EnableEncryption {
		probes = append(probes, healthProbe{name: "kms", kind: "service", run: kmsProbe(t.cfg.KMSCheck)})
	}
	for _, q := range t.plan.Queues {
		probes = append(probes, t.queueProbe(q.Name, "queue"))
		if q.Owned {
			probes = append(probes, t.queueProbe(q.DLQ, "dlq"))
		}
	}
	for _, tp := range t.plan.Topics {
		arn := t.topicARNs[tp.Name]
		probes = append(probes, healthProbe{name: tp.Name, kind: "topic", run: func(ctx context.Context) error {
			_, err := t.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
			return err
		}})
	}
	return probes, nil
}

// sqsProbe asks SQS for the URL of a planned queue: any answer, "no such
// queue" included, proves SQS reachable with no extra IAM permission.
func (t *Transport) sqsProbe() healthProbe {
	p := healthProbe{name: "sqs", kind: "service"}
	if len(t.plan.Queues) == 0 {
		p.run = func(context.Context) error { return errors.Join(errSkipped, errors.New("no queue configured")) }
		return p
	}
	name := t.plan.Queues[0].Name
	p.run = func(ctx context.Context) error {
		_, err := t.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
		if isQueueMissing(err) {
			return nil
		}
		return err
	}
	return p
}

// snsProbe reads a planned topic's attributes: any answer, "not found"
// included, proves SNS reachable.
func (t *Transport) snsProbe() healthProbe {
	p := healthProbe{name: "sns", kind: "service"}
	if len(t.plan.Topics) == 0 {
		p.run = func(context.Context) error { return errors.Join(errSkipped, errors.New("no topic configured")) }
		return p
	}
	arn := t.topicARNs[t.plan.Topics[0].Name]
	p.run = func(ctx context.Context) error {
		_, err := t.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
		if isTopicMissing(err) {
			return nil
		}
		return err
	}
	return p
}

// kmsProbe runs check, read under the transport's lock because
// NewEncryption may set it after NewTransport.
func kmsProbe(check func(ctx context.Context) error) func(ctx context.Context) error {
	if check == nil {
		return func(context.Context) error { return errors.Join(errSkipped, errors.New("no KMSCheck configured")) }
	}
	return check
}

func (t *Transport) queueProbe(name, kind string) healthProbe {
	url := t.queueURLs[name]
	return healthProbe{name: name, kind: kind, run: func(ctx context.Context) error {
		if url == "" {
			_, err := t.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
			return err
		}
		_, err := t.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
			QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
		})
		return err
	}}
}

// HealthHandler serves t.Health as JSON: 200 when up, 503 when down.
func HealthHandler(t *Transport) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rep := t.Health(r.Context())
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		code := http.StatusOK
		if rep.Status != HealthUp {
			code = http.StatusServiceUnavailable
		}
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(rep)
	})
}
