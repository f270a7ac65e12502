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
	services []string // the plans' services, sorted
	queues   []topology.Queue
	topics   []topology.Topic
	// published are the topics a plan publishes to (Plan.Publishes), by
	// name: those whose policy is rendered.
	published     map[string]bool
	subscriptions []topology.Subscription
	policies      []topology.Policy
	keys          []string // aliases of the keys to create ("alias/orders")
	// keyForeign are, by alias, the topics of another account, named by
	// ARN, that queues encrypted under the key are subscribed to, sorted.
	keyForeign map[string][]string
	// foreign are the topics of another account or region the plans name
	// by ARN, by ARN.
	foreign map[string]topology.Foreign
	tables  []topology.Table
	// tags are the tags of each queue (its dead-letter queue's too), topic
	// and table, by resource type and name.
	tags map[resourceType]map[string]map[string]string
}

// newSystem merges plans. A queue that one plan owns (consumes) takes that
// plan's settings; two owners must agree. Subscriptions, topics and tables
// must agree too; policies are merged per queue.
func newSystem(plans []topology.Plan) (system, error) {
	if len(plans) == 0 {
		return system{}, errors.New("iac: no plan to render")
	}
	plans = slices.Clone(plans)
	slices.SortStableFunc(plans, func(a, b topology.Plan) int { return cmp.Compare(a.Service, b.Service) })
	m := merger{queues: map[string]owned{}, topics: map[string]topology.Topic{}, published: map[string]bool{},
		subs: map[string]topology.Subscription{}, policies: map[string][]string{}, keys: map[string][]string{},
		tables: map[string]declared{}, topicTags: map[string]tagSet{}, tableTags: map[string]tagSet{},
		foreign: map[string]topology.Foreign{}}
	var errs []error
	for i, p := range plans {
		if i > 0 && p.Service == plans[i-1].Service {
			errs = append(errs, fmt.Errorf("service %q: two plans; pass each service once", p.Service))
			continue
		}
		errs = append(errs, m.add(p)...)
	}
	errs = append(errs, m.checkDLQNames()...)
	errs = append(errs, m.checkTagLimits()...)
	if err := errors.Join(errs...); err != nil {
		return system{}, err
	}
	s := m.system()
	for _, p := range plans {
		s.services = append(s.services, p.Service)
	}
	return s, nil
}

// owned is a queue with the service whose settings and tags it has.
type owned struct {
	q       topology.Queue
	service string
	tags    map[string]string
}

// merger gathers the resources of the plans, one entry per name.
type merger struct {
	queues map[string]owned
	topics map[string]topology.Topic
	// published are the topics a plan publishes to.
	published map[string]bool
	subs      map[string]topology.Subscription
	policies  map[string][]string
	keys      map[string][]string // alias → the foreign topics of its queues
	foreign   map[string]topology.Foreign
	tables    map[string]declared
	// topicTags and tableTags merge the tags of the services that share a
	// topic or table.
	topicTags, tableTags map[string]tagSet
}

// add merges the resources of p, returning every conflict.
func (m *merger) add(p topology.Plan) []error {
	var errs []error
	for _, q := range p.Queues {
		if err := m.addQueue(p.Service, q, p.Tags); err != nil {
			errs = append(errs, err)
		}
	}
	for _, t := range p.Topics {
		if err := m.addTopic(t); err != nil {
			errs = append(errs, err)
			continue
		}
		m.published[t.Name] = m.published[t.Name] || p.Publishes(t.Name)
		if err := tagsOf(m.topicTags, t.Name).add("topic", t.Name, p.Service, p.Tags); err != nil {
			errs = append(errs, err)
		}
	}
	for _, s := range p.Subscriptions {
		key := s.Topic + "\x00" + s.Queue
		if prev, ok := m.subs[key]; ok {
			if err := subscriptionConflict(prev, s); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		m.subs[key] = s
	}
	for _, pol := range p.Policies {
		m.policies[pol.Queue] = append(m.policies[pol.Queue], pol.Topics...)
	}
	errs = append(errs, m.addForeign(p)...)
	if alias, ok := creatableAlias(p.KMSKeyID); ok {
		m.keys[alias] = append(m.keys[alias], p.SubscribedForeignTopics()...)
	}
	for _, t := range p.Tables {
		if err := m.addTable(p.Service, t); err != nil {
			errs = append(errs, err)
		}
		if err := tagsOf(m.tableTags, t.Name).add("table", t.Name, p.Service, p.Tags); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// tagsOf returns the tag set of name in sets, made when missing.
func tagsOf(sets map[string]tagSet, name string) tagSet {
	if sets[name] == nil {
		sets[name] = tagSet{}
	}
	return sets[name]
}

// addTopic records t. Plans that share a topic may each set attributes the
// other leaves unset (one encrypts, the other does not say); an attribute
// set to two values is a conflict, as each service would write its own.
func (m *merger) addTopic(t topology.Topic) error {
	prev, ok := m.topics[t.Name]
	if !ok {
		t.Attributes = maps.Clone(t.Attributes)
		m.topics[t.Name] = t
		return nil
	}
	for _, k := range slices.Sorted(maps.Keys(t.Attributes)) {
		if v, ok := prev.Attributes[k]; ok && v != t.Attributes[k] {
			return fmt.Errorf("%w: topic %q: attributes %v and %v", ErrConflict, t.Name, prev.Attributes, t.Attributes)
		}
	}
	maps.Copy(prev.Attributes, t.Attributes)
	return nil
}

// addQueue records q of service. The consumer's settings win over a
// sender's; two consuming services are a conflict, as they would take each
// other's messages.
func (m *merger) addQueue(service string, q topology.Queue, tags map[string]string) error {
	prev, ok := m.queues[q.Name]
	switch {
	case !ok, q.Owned && !prev.q.Owned:
		m.queues[q.Name] = owned{q: q, service: service, tags: tags}
	case q.Owned && prev.q.Owned:
		return fmt.Errorf("%w: queue %q: services %q and %q both consume it, and would take each other's messages; "+
			"give each service its own queue", ErrConflict, q.Name, prev.service, service)
	}
	return nil
}

// checkDLQNames fails when a queue is named like another queue's
// dead-letter queue: the two would be one queue.
func (m *merger) checkDLQNames() []error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(m.queues)) {
		q := m.queues[name]
		if other, ok := m.queues[q.q.DLQ]; ok {
			errs = append(errs, fmt.Errorf("%w: queue %q of service %q is named like the dead-letter queue of queue %q of service %q",
				ErrConflict, q.q.DLQ, other.service, name, q.service))
		}
	}
	return errs
}

// checkTagLimits fails for each shared topic and table whose services set
// more tags together than AWS allows on one resource.
func (m *merger) checkTagLimits() []error {
	var errs []error
	for _, kind := range []struct {
		what string
		sets map[string]tagSet
	}{{"topic", m.topicTags}, {"table", m.tableTags}} {
		for _, name := range slices.Sorted(maps.Keys(kind.sets)) {
			if err := kind.sets[name].checkLimit(kind.what, name); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}

func (m *merger) system() system {
	s := system{tags: map[resourceType]map[string]map[string]string{sqsQueue: {}, snsTopic: {}, dynamoTable: {}},
		foreign: m.foreign}
	for _, name := range slices.Sorted(maps.Keys(m.queues)) {
		q := m.queues[name]
		s.queues = append(s.queues, q.q)
		s.tags[sqsQueue][name], s.tags[sqsQueue][q.q.DLQ] = q.tags, q.tags
	}
	for name, set := range m.topicTags {
		s.tags[snsTopic][name] = set.values()
	}
	for name, set := range m.tableTags {
		s.tags[dynamoTable][name] = set.values()
	}
	for _, name := range slices.Sorted(maps.Keys(m.topics)) {
		s.topics = append(s.topics, m.topics[name])
	}
	s.published = m.published
	for _, key := range slices.Sorted(maps.Keys(m.subs)) {
		s.subscriptions = append(s.subscriptions, m.subs[key])
	}
	for _, q := range slices.Sorted(maps.Keys(m.policies)) {
		topics := slices.Compact(slices.Sorted(slices.Values(m.policies[q])))
		s.policies = append(s.policies, topology.Policy{Queue: q, Topics: topics})
	}
	s.keys, s.keyForeign = slices.Sorted(maps.Keys(m.keys)), map[string][]string{}
	for alias, topics := range m.keys {
		s.keyForeign[alias] = slices.Compact(slices.Sorted(slices.Values(topics)))
	}
	for _, name := range slices.Sorted(maps.Keys(m.tables)) {
		s.tables = append(s.tables, m.tables[name].t)
	}
	return s
}

// creatableAlias returns the alias of a key named by alias ("alias/orders"),
// which the output creates with its key. A key id or key ARN names an
// existing key, an alias ARN a key of a given account and region (often a
// central one), and "alias/aws/…" an AWS-managed key: none is created.
func creatableAlias(keyID string) (string, bool) {
	if !strings.HasPrefix(keyID, "alias/") || strings.HasPrefix(keyID, "alias/aws/") {
		return "", false
	}
	return keyID, true
}

// Unconsumed returns the queues of plans that none of them consumes, by
// name: rendered with a sender's settings, they would be declared again by
// the stack of the service that consumes them. Export that service with
// the others.
func Unconsumed(plans ...topology.Plan) []string {
	owned, all := map[string]bool{}, map[string]bool{}
	for _, p := range plans {
		for _, q := range p.Queues {
			all[q.Name] = true
			owned[q.Name] = owned[q.Name] || q.Owned
		}
	}
	var out []string
	for _, name := range slices.Sorted(maps.Keys(all)) {
		if !owned[name] {
			out = append(out, name)
		}
	}
	return out
}

// subscriptionConflict reports two plans that want one subscription with
// different filter types or dead-letter queues.
func subscriptionConflict(a, b topology.Subscription) error {
	switch {
	case !slices.Equal(a.FilterTypes, b.FilterTypes):
		return fmt.Errorf("%w: subscription of queue %q to topic %q: filter types %v and %v",
			ErrConflict, b.Queue, b.Topic, a.FilterTypes, b.FilterTypes)
	case a.DLQ != b.DLQ:
		return fmt.Errorf("%w: subscription of queue %q to topic %q: dead-letter queues %q and %q",
			ErrConflict, b.Queue, b.Topic, a.DLQ, b.DLQ)
	}
	return nil
}
