package topology

import (
	"context"
	"errors"
	"maps"
)

// Validate compares AWS with p and makes no write call. It returns every
// drift, and the endpoints of what exists. err is only for failed API calls;
// a Foreign queue or topic that is missing, or that its owner does not let
// the service read, is a drift naming its ARN.
func (t *Provisioner) Validate(ctx context.Context, p Plan) (DriftReport, Endpoints, error) {
	var rep DriftReport
	if err := t.canTable(p); err != nil {
		return rep, nil, err
	}
	if err := checkSubscriptions(p, t.cfg.Region); err != nil {
		return rep, nil, err
	}
	res := newResolved()
	for _, q := range p.Queues {
		if err := t.validateQueue(ctx, res, &rep, q, p.Tags); err != nil {
			return rep, nil, err
		}
	}
	if err := t.resolveTopics(ctx, res, &rep, p); err != nil {
		return rep, nil, err
	}
	if err := t.resolveForeign(ctx, res, p, &rep); err != nil {
		return rep, nil, err
	}
	for _, pol := range p.Policies {
		if err := t.validatePolicy(ctx, res, &rep, pol); err != nil {
			return rep, nil, err
		}
	}
	for _, s := range p.Subscriptions {
		if err := t.validateSubscription(ctx, res, &rep, s); err != nil {
			if f, ok := p.foreign(s.Topic); ok {
				err = foreignError(f, err)
			}
			return rep, nil, err
		}
	}
	for _, tbl := range p.Tables {
		if err := validateTable(ctx, t.cfg.DynamoDB, tbl, p.Tags, &rep); err != nil {
			return rep, nil, err
		}
	}
	if err := t.validateKey(ctx, res, &rep, p); err != nil {
		return rep, nil, err
	}
	return rep, res.endpoints(p), nil
}

func (t *Provisioner) validateQueue(ctx context.Context, res *resolved, rep *DriftReport, q Queue, tags map[string]string) error {
	url, found, err := t.queueURL(ctx, q.Name)
	if err != nil {
		return err
	}
	if !found {
		// Create would make the dead-letter queue too, so it is checked
		// and a missing one is its own drift.
		rep.add("queue", q.Name, "missing")
		_, _, err := t.validateDLQ(ctx, res, rep, q, tags)
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
	dlqARN, dlqFound, err := t.validateDLQ(ctx, res, rep, q, tags)
	if err != nil {
		return err
	}
	desired := maps.Clone(q.Attributes)
	if dlqFound {
		desired["RedrivePolicy"] = redrivePolicy(dlqARN, q.MaxReceiveCount)
	}
	// Without its dead-letter queue the redrive policy has no target to
	// compare with: the missing dead-letter queue is the drift, and Create
	// sets the redrive policy once it made the queue.
	reportAttrDiff(rep, q.Name, desired, attrs)
	return t.validateOwnedQueue(ctx, rep, q.Name, url, attrs, tags)
}

// validateOwnedQueue reports a policy that does not refuse requests without
// TLS and, when tags are wanted, tags that differ.
func (t *Provisioner) validateOwnedQueue(ctx context.Context, rep *DriftReport, name, url string, attrs, tags map[string]string) error {
	if !RefusesInsecureTransport(attrs["Policy"], attrs["QueueArn"]) {
		rep.add("queue", name, "Policy does not refuse requests without TLS (statement %s: Deny sqs:* when aws:SecureTransport is false)", SecureTransportSid)
	}
	if len(tags) == 0 {
		return nil
	}
	have, err := t.queueTags(ctx, name, url)
	if err != nil {
		return err
	}
	reportTagDiff(rep, "queue", name, tags, have, false)
	return nil
}

// validateDLQ checks the dead-letter queue of q and returns its ARN; found
// is false, and a drift reported, when it is missing. The dead-letter queue
// of a queue the service only sends to is its consumer's: only whether it
// exists is checked, as Create only makes it when missing.
func (t *Provisioner) validateDLQ(ctx context.Context, res *resolved, rep *DriftReport, q Queue, tags map[string]string) (arn string, found bool, err error) {
	url, found, err := t.queueURL(ctx, q.DLQ)
	if err != nil {
		return "", false, err
	}
	if !found {
		rep.add("queue", q.DLQ, "missing (dead-letter queue of %s)", q.Name)
		return "", false, nil
	}
	if !q.Owned {
		return "", true, nil
	}
	attrs, err := t.queueAttributes(ctx, q.DLQ, url)
	if err != nil {
		return "", false, err
	}
	res.queueURL[q.DLQ], res.queueARN[q.DLQ] = url, attrs["QueueArn"]
	reportAttrDiff(rep, q.DLQ, q.DLQAttributes, attrs)
	if err := t.validateOwnedQueue(ctx, rep, q.DLQ, url, attrs, tags); err != nil {
		return "", false, err
	}
	return attrs["QueueArn"], true, nil
}

func reportAttrDiff(rep *DriftReport, name string, desired, actual map[string]string) {
	diff := queueDiff(desired, actual)
	for _, k := range keys(diff) {
		if k == "RedrivePolicy" {
			rep.add("queue", name, "RedrivePolicy is %s, want %s", orNone(actual[k]), desired[k])
			continue
		}
		rep.add("queue", name, "%s is %s, want %s", k, orNone(actual[k]), orNone(diff[k]))
	}
}

func orNone(s string) string {
	if s == "" {
		return "unset"
	}
	return s
}

// resolveTopics checks that every topic exists, building the ARNs from
// the account of a resolved queue (no write call, unlike CreateTopic). A
// topic whose ARN the configuration gives no means to build (no queue ARN,
// no account, no STS client) is reported as not checked; a failed
// sts:GetCallerIdentity is the call's error, as any failed call is, so
// that Apply retries it when throttled instead of reporting drift.
func (t *Provisioner) resolveTopics(ctx context.Context, res *resolved, rep *DriftReport, p Plan) error {
	for _, tp := range p.Topics {
		arn, err := t.topicARNFor(ctx, tp.Name, res)
		if unknown := unknownScopeError(""); errors.As(err, &unknown) {
			rep.add("topic", tp.Name, "not checked: %v", err)
			continue
		}
		if err != nil {
			return err
		}
		ok, err := t.validateTopic(ctx, rep, tp, arn, p.Tags, p.Publishes(tp.Name))
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

// validatePolicy reports each topic of pol that the queue's policy does not
// let send: no Allow statement covers it, or a Deny statement blocks it.
func (t *Provisioner) validatePolicy(ctx context.Context, res *resolved, rep *DriftReport, pol Policy) error {
	url, ok := res.queueURL[pol.Queue]
	if !ok {
		return nil
	}
	attrs, err := t.queueAttributes(ctx, pol.Queue, url)
	if err != nil {
		return err
	}
	queueARN := res.queueARN[pol.Queue]
	doc, err := parsePolicy(attrs["Policy"], "queue", queueARN)
	if err != nil {
		return err
	}
	stmts := statements(doc["Statement"])
	for _, n := range pol.Topics {
		arn, found := res.topicARN[n]
		if !found {
			continue
		}
		switch ok, deny := queueLetsTopic(stmts, queueARN, arn); {
		case deny != "":
			rep.add("policy", pol.Queue, "Deny statement %s blocks topic %s from sending (%s), so SNS cannot deliver its "+
				"messages: remove or narrow the statement (Create does not change it)", deny, arn, sendAction)
		case !ok:
			rep.add("policy", pol.Queue, "no statement lets topic %s send: an Allow statement for %s "+
				"must cover %s on the queue under conditions the topic meets", arn,
				snsCallerOf(arn, queueARN), sendAction)
		}
	}
	return nil
}

func (t *Provisioner) validateSubscription(ctx context.Context, res *resolved, rep *DriftReport, s Subscription) error {
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
	diff, err := t.subscriptionDiff(ctx, subARN, wantedSubscription(s, res))
	if overflow := (*filterOverflowError)(nil); errors.As(err, &overflow) {
		rep.add("subscription", name, "%s", overflow)
		return nil
	}
	if IsARN(s.Topic) && unreadableSubscription(err) {
		return nil // found, but its attributes are the topic owner's to read: Create subscribes again with the plan's
	}
	if err != nil {
		return err
	}
	for _, k := range keys(diff) {
		rep.add("subscription", name, "%s differs, want %s", k, diff[k])
	}
	return nil
}
