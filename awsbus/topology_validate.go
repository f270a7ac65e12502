package awsbus

import (
	"context"
	"fmt"
	"maps"
	"strings"
)

// Drift is one difference between AWS and the topology.
type Drift struct {
	// Resource is "queue", "topic", "subscription" or "policy".
	Resource string `json:"resource"`
	// Name names the queue, topic or "topic -> queue" subscription.
	Name string `json:"name"`
	// Problem says what differs, e.g. "missing" or
	// "RedrivePolicy maxReceiveCount is 9, want 5".
	Problem string `json:"problem"`
}

// String formats the drift as "queue orders: missing".
func (d Drift) String() string { return d.Resource + " " + d.Name + ": " + d.Problem }

// DriftReport lists every drift found by Validate.
type DriftReport struct {
	// Drifts are in plan order: queues, topics, policies, subscriptions.
	Drifts []Drift `json:"drifts"`
}

// OK reports whether nothing drifted.
func (r DriftReport) OK() bool { return len(r.Drifts) == 0 }

// String lists the drifts, one per line.
func (r DriftReport) String() string {
	lines := make([]string, len(r.Drifts))
	for i, d := range r.Drifts {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

func (r *DriftReport) add(resource, name, format string, args ...any) {
	r.Drifts = append(r.Drifts, Drift{Resource: resource, Name: name, Problem: fmt.Sprintf(format, args...)})
}

// DriftError is returned by Bind in Validate mode when AWS differs from the
// topology. It matches ErrDrift.
type DriftError struct {
	// Report lists every drift.
	Report DriftReport
}

// Error lists the drifts.
func (e *DriftError) Error() string {
	return fmt.Sprintf("awsbus: %d drift(s) from the topology:\n%s", len(e.Report.Drifts), e.Report)
}

// Unwrap returns ErrDrift.
func (e *DriftError) Unwrap() error { return ErrDrift }

// Validate compares AWS with p and makes no write call. It returns every
// drift, and the endpoints of what exists. err is only for failed API calls.
func (t *Topology) Validate(ctx context.Context, p Plan) (DriftReport, Endpoints, error) {
	var rep DriftReport
	res := newResolved()
	for _, q := range p.Queues {
		if err := t.validateQueue(ctx, res, &rep, q); err != nil {
			return rep, nil, err
		}
	}
	if err := t.resolveTopics(ctx, res, &rep, p); err != nil {
		return rep, nil, err
	}
	for _, q := range p.Queues {
		if err := t.validatePolicy(ctx, res, &rep, q); err != nil {
			return rep, nil, err
		}
	}
	for _, s := range p.Subscriptions {
		if err := t.validateSubscription(ctx, res, &rep, s); err != nil {
			return rep, nil, err
		}
	}
	return rep, res.endpoints(p), nil
}

func (t *Topology) validateQueue(ctx context.Context, res *resolved, rep *DriftReport, q QueueSpec) error {
	url, found, err := t.queueURL(ctx, q.Name)
	if err != nil {
		return err
	}
	if !found {
		// Create would make the dead-letter queue too, so it is checked
		// and a missing one is its own drift.
		rep.add("queue", q.Name, "missing")
		_, err := t.validateDLQ(ctx, res, rep, q)
		return err
	}
	res.queueURL[q.Name] = url
	attrs, err := t.queueAttributes(ctx, q.Name, url)
	if err != nil {
		return err
	}
	res.queueARN[q.Name] = attrs["QueueArn"]
	res.maxReceives[q.Name] = redriveMaxReceives(attrs["RedrivePolicy"])
	if !q.Owned {
		return nil
	}
	dlqARN, err := t.validateDLQ(ctx, res, rep, q)
	if err != nil {
		return err
	}
	desired := maps.Clone(q.Attributes)
	desired["RedrivePolicy"] = redrivePolicy(dlqARN, q.MaxReceiveCount)
	reportAttrDiff(rep, q.Name, desired, attrs)
	return nil
}

func (t *Topology) validateDLQ(ctx context.Context, res *resolved, rep *DriftReport, q QueueSpec) (string, error) {
	url, found, err := t.queueURL(ctx, q.DLQ)
	if err != nil || !found {
		if found = err == nil; found {
			rep.add("queue", q.DLQ, "missing (dead-letter queue of %s)", q.Name)
		}
		return "", err
	}
	attrs, err := t.queueAttributes(ctx, q.DLQ, url)
	if err != nil {
		return "", err
	}
	res.queueURL[q.DLQ], res.queueARN[q.DLQ] = url, attrs["QueueArn"]
	reportAttrDiff(rep, q.DLQ, q.DLQAttributes, attrs)
	return attrs["QueueArn"], nil
}

func reportAttrDiff(rep *DriftReport, name string, desired, actual map[string]string) {
	diff := queueDiff(desired, actual)
	for _, k := range keys(diff) {
		if k == "RedrivePolicy" {
			rep.add("queue", name, "RedrivePolicy is %s, want %s", orNone(actual[k]), desired[k])
			continue
		}
		rep.add("queue", name, "%s is %s, want %s", k, orNone(actual[k]), desired[k])
	}
}

func orNone(s string) string {
	if s == "" {
		return "unset"
	}
	return s
}

// resolveTopics checks that every topic exists, building the ARNs from
// the account of a resolved queue (no write call, unlike CreateTopic).
func (t *Topology) resolveTopics(ctx context.Context, res *resolved, rep *DriftReport, p Plan) error {
	for _, tp := range p.Topics {
		arn, err := t.topicARNFor(tp.Name, res.anyQueueARN())
		if err != nil {
			return err
		}
		ok, err := t.topicExists(ctx, arn)
		if err != nil {
			return err
		}
		if !ok {
			rep.add("topic", tp.Name, "missing")
			continue
		}
		res.topicARN[tp.Name] = arn
	}
	return nil
}

func (t *Topology) validatePolicy(ctx context.Context, res *resolved, rep *DriftReport, q QueueSpec) error {
	url, ok := res.queueURL[q.Name]
	if len(q.Topics) == 0 || !ok {
		return nil
	}
	attrs, err := t.queueAttributes(ctx, q.Name, url)
	if err != nil {
		return err
	}
	var arns []string
	for _, n := range q.Topics {
		if a, ok := res.topicARN[n]; ok {
			arns = append(arns, a)
		}
	}
	_, added, err := MergeQueuePolicy(attrs["Policy"], res.queueARN[q.Name], arns)
	if err != nil {
		return err
	}
	for _, a := range added {
		rep.add("policy", q.Name, "no statement lets topic %s send", a)
	}
	return nil
}

func (t *Topology) validateSubscription(ctx context.Context, res *resolved, rep *DriftReport, s SubscriptionSpec) error {
	topicARN, okT := res.topicARN[s.Topic]
	queueARN, okQ := res.queueARN[s.Queue]
	name := s.Topic + " -> " + s.Queue
	if !okT || !okQ {
		rep.add("subscription", name, "missing (topic or queue missing)")
		return nil
	}
	subARN, found, err := t.findSubscription(ctx, topicARN, queueARN)
	if err != nil {
		return err
	}
	if !found {
		rep.add("subscription", name, "missing")
		return nil
	}
	diff, err := t.subscriptionDiff(ctx, subARN, filterPolicy(s.FilterTypes))
	if err != nil {
		return err
	}
	for _, k := range keys(diff) {
		rep.add("subscription", name, "%s differs, want %s", k, diff[k])
	}
	return nil
}
