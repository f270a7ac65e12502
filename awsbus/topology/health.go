package topology

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"golang.org/x/sync/errgroup"

	"github.com/sourceflow-go/sourceflow"
)

// HealthStatus is the outcome of one check or of a whole report.
type HealthStatus string

const (
	// HealthUp means the check passed.
	HealthUp HealthStatus = "up"
	// HealthDown means the check failed; a report with it is down.
	HealthDown HealthStatus = "down"
	// HealthSkipped means the check did not run (nothing to check, no probe
	// configured, or no means to build a topic's ARN); it does not make a
	// report down. `sourceflow health` reports a whole report with a skipped
	// check and none down as skipped.
	HealthSkipped HealthStatus = "skipped"
	// HealthDegraded, of a whole report, means no check is down but a
	// destination the instance publishes to is failing (an open publish
	// circuit), or a check is degraded: the instance works, so it is not
	// down, and restarting it would not help. Of a check, it means the
	// check passed short of what the configuration asks for (awsbus: a KMS
	// key that encrypts the queues at rest while nothing encrypts or
	// authenticates the message bodies).
	HealthDegraded HealthStatus = "degraded"
)

// ErrSkipped, returned by a Probe's Run, marks the check skipped.
var ErrSkipped = errors.New("skipped")

// ErrDegraded, returned by a Probe's Run, marks the check degraded.
var ErrDegraded = errors.New("degraded")

// HealthCheck is the result of one Probe.
type HealthCheck struct {
	// Name is a service ("sqs", "sns", "kms"), or a queue or topic name.
	Name string `json:"name"`
	// Kind is "service", "queue", "dlq" or "topic".
	Kind string `json:"kind"`
	// Status is up, down, skipped or degraded.
	Status HealthStatus `json:"status"`
	// Latency is how long the check took.
	Latency time.Duration `json:"latency_ns"`
	// Error is the failure, empty when up.
	Error string `json:"error,omitempty"`
}

// Probe is one named health check.
type Probe struct {
	// Name and Kind are copied into the HealthCheck.
	Name, Kind string
	// Run performs the check; nil means up, ErrSkipped skipped,
	// ErrDegraded degraded, any other error down.
	Run func(ctx context.Context) error
}

// MaxParallelReads is how many health probes RunProbes, and queue depth
// reads awsbus runs, at once: a service with many queues reads them in
// waves rather than opening a connection per queue on every poll.
const MaxParallelReads = 8

// RunProbes runs probes concurrently, at most MaxParallelReads at once, each
// within timeout, and returns their checks in the order of probes. A probe
// that panics (a bug in a client) is a check that is down, its Error
// describing the value as sourceflow.PanicText does: each probe runs on a
// goroutine of its own, where a panic would end the process.
func RunProbes(ctx context.Context, timeout time.Duration, probes []Probe) []HealthCheck {
	checks := make([]HealthCheck, len(probes))
	var g errgroup.Group
	g.SetLimit(MaxParallelReads)
	for i, p := range probes {
		g.Go(func() error { checks[i] = runProbe(ctx, timeout, p); return nil })
	}
	_ = g.Wait() // the probes return no error: each outcome is in its check
	return checks
}

func runProbe(ctx context.Context, timeout time.Duration, p Probe) HealthCheck {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	err := runRecovered(ctx, p.Run)
	c := HealthCheck{Name: p.Name, Kind: p.Kind, Status: HealthUp, Latency: time.Since(start)}
	switch {
	case errors.Is(err, ErrSkipped):
		c.Status, c.Error = HealthSkipped, err.Error()
	case errors.Is(err, ErrDegraded):
		c.Status, c.Error = HealthDegraded, err.Error()
	case err != nil:
		c.Status, c.Error = HealthDown, err.Error()
	}
	return c
}

// runRecovered runs a probe, its panic being its error.
func runRecovered(ctx context.Context, run func(ctx context.Context) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("the probe panicked: %s", sourceflow.PanicText(v))
		}
	}()
	return run(ctx)
}

// ResourceProbes returns a probe per resource of p: every queue, the
// dead-letter queue of every consumed queue, every topic and every Foreign
// queue and topic (named by its ARN, checked in its region), each checked
// by a read call on the URL or ARN in eps. A queue missing from eps is
// looked up by name (GetQueueUrl); the ARN of a topic missing from eps is
// built from the account, and the topic's check is skipped, saying why,
// when nothing can give the account (no AccountID, no queue ARN, no STS
// client) or the region; a failed STS call makes the check down.
func (t *Provisioner) ResourceProbes(p Plan, eps Endpoints) []Probe {
	queueURLs, topicARNs := map[string]string{}, map[string]string{}
	for _, d := range p.Destinations {
		ep := eps[d.Name]
		if d.Queue != "" {
			queueURLs[d.Queue], queueURLs[DLQName(d.Queue)] = ep.QueueURL, ep.DLQURL
		}
		if d.Topic != "" {
			topicARNs[d.Topic] = ep.TopicARN
		}
	}
	var probes []Probe
	for _, q := range p.Queues {
		probes = append(probes, t.queueProbe(q.Name, "queue", queueURLs[q.Name]))
		if q.Owned {
			probes = append(probes, t.queueProbe(q.DLQ, "dlq", queueURLs[q.DLQ]))
		}
	}
	queues := each(p.Queues, func(q Queue) string { return q.Name }) // whose ARN can give the topics' account
	for _, tp := range p.Topics {
		probes = append(probes, t.topicProbe(tp.Name, topicARNs[tp.Name], queues, queueURLs))
	}
	for _, f := range p.Foreign {
		probes = append(probes, t.foreignProbe(f))
	}
	return probes
}

func (t *Provisioner) queueProbe(name, kind, url string) Probe {
	return Probe{Name: name, Kind: kind, Run: func(ctx context.Context) error {
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

// IsQueueMissing reports whether err is SQS saying the queue does not exist.
func IsQueueMissing(err error) bool { return isQueueMissing(err) }

// IsTopicMissing reports whether err is SNS saying the topic does not exist.
func IsTopicMissing(err error) bool { return isTopicMissing(err) }
