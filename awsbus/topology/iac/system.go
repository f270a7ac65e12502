package iac

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// ErrConflict reports plans that want one resource with different settings.
var ErrConflict = errors.New("iac: plans disagree")

// system is the union of the plans of several services: every resource
// once, in a deterministic order.
type system struct {
	services      []string // the plans' services, sorted
	queues        []topology.Queue
	topics        []topology.Topic
	subscriptions []topology.Subscription
	policies      []topology.Policy
	keys          []string // aliases of the keys to create ("alias/orders")
}

// newSystem merges plans. A queue that one plan owns (consumes) takes that
// plan's settings; two owners must agree. Subscriptions and topics must
// agree too; policies are merged per queue.
func newSystem(plans []topology.Plan) (system, error) {
	if len(plans) == 0 {
		return system{}, errors.New("iac: no plan to render")
	}
	plans = slices.Clone(plans)
	slices.SortStableFunc(plans, func(a, b topology.Plan) int { return cmp.Compare(a.Service, b.Service) })
	m := merger{queues: map[string]owned{}, topics: map[string]topology.Topic{},
		subs: map[string]topology.Subscription{}, policies: map[string][]string{}, keys: map[string]bool{}}
	var errs []error
	for i, p := range plans {
		if i > 0 && p.Service == plans[i-1].Service {
			errs = append(errs, fmt.Errorf("service %q: two plans; pass each service once", p.Service))
			continue
		}
		errs = append(errs, m.add(p)...)
	}
	if err := errors.Join(errs...); err != nil {
		return system{}, err
	}
	s := m.system()
	for _, p := range plans {
		s.services = append(s.services, p.Service)
	}
	return s, nil
}

// owned is a queue with the service whose settings it has.
type owned struct {
	q       topology.Queue
	service string
}

type merger struct {
	queues   map[string]owned
	topics   map[string]topology.Topic
	subs     map[string]topology.Subscription
	policies map[string][]string
	keys     map[string]bool
}

func (m *merger) add(p topology.Plan) []error {
	var errs []error
	for _, q := range p.Queues {
		if err := m.addQueue(p.Service, q); err != nil {
			errs = append(errs, err)
		}
	}
	for _, t := range p.Topics {
		if prev, ok := m.topics[t.Name]; ok && !maps.Equal(prev.Attributes, t.Attributes) {
			errs = append(errs, fmt.Errorf("%w: topic %q: attributes %v and %v", ErrConflict, t.Name, prev.Attributes, t.Attributes))
			continue
		}
		m.topics[t.Name] = t
	}
	for _, s := range p.Subscriptions {
		key := s.Topic + "\x00" + s.Queue
		if prev, ok := m.subs[key]; ok && !slices.Equal(prev.FilterTypes, s.FilterTypes) {
			errs = append(errs, fmt.Errorf("%w: subscription of queue %q to topic %q: filter types %v and %v",
				ErrConflict, s.Queue, s.Topic, prev.FilterTypes, s.FilterTypes))
			continue
		}
		m.subs[key] = s
	}
	for _, pol := range p.Policies {
		m.policies[pol.Queue] = append(m.policies[pol.Queue], pol.Topics...)
	}
	if alias, ok := creatableAlias(p.KMSKeyID); ok {
		m.keys[alias] = true
	}
	return errs
}

func (m *merger) addQueue(service string, q topology.Queue) error {
	prev, ok := m.queues[q.Name]
	switch {
	case !ok, q.Owned && !prev.q.Owned:
		m.queues[q.Name] = owned{q: q, service: service}
	case q.Owned && prev.q.Owned && !sameQueue(prev.q, q):
		return fmt.Errorf("%w: queue %q: services %q and %q both consume it with different settings "+
			"(%v, max receives %d; %v, max receives %d); give them the same queue options",
			ErrConflict, q.Name, prev.service, service, prev.q.Attributes, prev.q.MaxReceiveCount, q.Attributes, q.MaxReceiveCount)
	}
	return nil
}

func sameQueue(a, b topology.Queue) bool {
	return maps.Equal(a.Attributes, b.Attributes) && maps.Equal(a.DLQAttributes, b.DLQAttributes) &&
		a.MaxReceiveCount == b.MaxReceiveCount && a.DLQ == b.DLQ
}

func (m *merger) system() system {
	var s system
	for _, name := range slices.Sorted(maps.Keys(m.queues)) {
		s.queues = append(s.queues, m.queues[name].q)
	}
	for _, name := range slices.Sorted(maps.Keys(m.topics)) {
		s.topics = append(s.topics, m.topics[name])
	}
	for _, key := range slices.Sorted(maps.Keys(m.subs)) {
		s.subscriptions = append(s.subscriptions, m.subs[key])
	}
	for _, q := range slices.Sorted(maps.Keys(m.policies)) {
		topics := slices.Compact(slices.Sorted(slices.Values(m.policies[q])))
		s.policies = append(s.policies, topology.Policy{Queue: q, Topics: topics})
	}
	s.keys = slices.Sorted(maps.Keys(m.keys))
	return s
}

// creatableAlias returns the alias name ("alias/orders") of a key given by
// alias or alias ARN; false for a key id or key ARN (an existing key), for
// AWS-managed aliases ("alias/aws/…") and for no key.
func creatableAlias(keyID string) (string, bool) {
	alias := keyID
	if strings.HasPrefix(keyID, "arn:") {
		_, res, ok := strings.Cut(keyID, ":alias/")
		if !ok {
			return "", false
		}
		alias = "alias/" + res
	}
	if !strings.HasPrefix(alias, "alias/") || strings.HasPrefix(alias, "alias/aws/") {
		return "", false
	}
	return alias, true
}
