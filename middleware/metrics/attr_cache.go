package metrics

import (
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// attrKey identifies the attribute sets of one type on one destination,
// consumed through one subscription (none on the publish side).
type attrKey struct{ typ, dest, sub string }

// attrSets are the prebuilt measurement options of one attrKey.
type attrSets struct {
	base      options     // type, destination, subscription when there is one
	success   options     // + outcome success
	duplicate options     // + outcome duplicate
	filtered  options     // + outcome filtered
	permanent options     // + outcome error, error.type permanent
	transient options     // + outcome error, error.type transient
	other     bool        // the sets of OtherType
	trial     atomic.Bool // the type is on trial (see typeBudget)
	dest      string      // the destination, for the filtered sets
	// filtered counts on NameEventsFiltered, by destination and the
	// consumer group of the last event filtered (filteredBy).
	filteredGroup atomic.Pointer[groupOptions]
}

// groupOptions are the options of NameEventsFiltered for one consumer
// group on a destination.
type groupOptions struct {
	group string
	add   []metric.AddOption
}

// filteredBy returns the options of NameEventsFiltered for an event of s's
// destination that group's event type filter dropped. A consumer has one
// group, so they are built on its first filtered event and reused after.
func (s *attrSets) filteredBy(group string) []metric.AddOption {
	if g := s.filteredGroup.Load(); g != nil && g.group == group {
		return g.add
	}
	set := attribute.NewSet(AttrDestination.String(s.dest), AttrConsumerGroup.String(group))
	g := &groupOptions{group: group, add: []metric.AddOption{metric.WithAttributeSet(set)}}
	s.filteredGroup.Store(g)
	return g.add
}

// options are one attribute set as the options of Add and of Record,
// prebuilt so that recording a measurement allocates nothing.
type options struct {
	add    []metric.AddOption
	record []metric.RecordOption
}

func newAttrSets(k attrKey) *attrSets {
	common := []attribute.KeyValue{AttrType.String(k.typ), AttrDestination.String(k.dest)}
	if k.sub != "" {
		common = append(common, AttrSubscription.String(k.sub))
	}
	set := func(kv ...attribute.KeyValue) options {
		o := metric.WithAttributeSet(attribute.NewSet(append(common[:len(common):len(common)], kv...)...))
		return options{add: []metric.AddOption{o}, record: []metric.RecordOption{o}}
	}
	errOutcome := AttrOutcome.String(OutcomeError)
	return &attrSets{
		other:     k.typ == OtherType,
		dest:      k.dest,
		base:      set(),
		success:   set(AttrOutcome.String(OutcomeSuccess)),
		duplicate: set(AttrOutcome.String(OutcomeDuplicate)),
		filtered:  set(AttrOutcome.String(OutcomeFiltered)),
		permanent: set(errOutcome, AttrErrorType.String("permanent")),
		transient: set(errOutcome, AttrErrorType.String("transient")),
	}
}

// attrCache holds attrSets per attrKey, within the bounds of typeBudget,
// and OtherType beyond. A plain map under a read lock: a lookup allocates
// nothing (sync.Map would box the key).
type attrCache struct {
	mu     sync.RWMutex
	sets   map[attrKey]*attrSets
	budget typeBudget
}

// get returns the attribute sets of typ on dest for a publisher, admitting
// typ for good if it has none yet and the bounds allow: the type is the
// service's own.
func (c *attrCache) get(typ, dest string) *attrSets {
	return c.find(typ, dest, "", false)
}

// lookup returns the attribute sets of typ on dest, consumed through the
// subscription sub ("" for none), for a consumer, admitting typ on trial if it has none yet and the trial bounds allow:
// the type is the sender's. Call succeeded after one of its messages
// succeeded.
func (c *attrCache) lookup(typ, dest, sub string) *attrSets {
	return c.find(typ, dest, sub, true)
}

// find returns the attribute sets of typ on dest, admitting typ on trial
// or for good. A type past the bounds finds its destination's OtherType
// sets under the read lock, as a type with series of its own does, so a
// flood of junk types builds nothing per message and does not serialise
// the recording goroutines.
func (c *attrCache) find(typ, dest, sub string, trial bool) *attrSets {
	k := attrKey{typ: ownType(typ), dest: dest, sub: sub}
	c.mu.RLock()
	s, ok := c.sets[k]
	if !ok && k.typ != OtherType && !c.budget.room(dest, trial) {
		s, ok = c.sets[attrKey{typ: OtherType, dest: dest, sub: sub}]
	}
	c.mu.RUnlock()
	if ok {
		return s
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.add(k, trial)
}

// ownType is typ, or OtherType for a type longer than maxTypeLength or not
// valid UTF-8.
func ownType(typ string) string {
	if len(typ) > maxTypeLength || !utf8.ValidString(typ) {
		return OtherType
	}
	return typ
}

// add returns the attribute sets of k, building them if k is admitted, on
// trial or for good, or else those of OtherType on k's destination. c.mu
// is held.
func (c *attrCache) add(k attrKey, trial bool) *attrSets {
	if s, ok := c.sets[k]; ok {
		return s
	}
	if c.sets == nil {
		c.sets = map[attrKey]*attrSets{}
	}
	if k.typ != OtherType && !c.budget.take(k.dest, trial) {
		k.typ = OtherType // one per destination, beyond the bounds
		if s, ok := c.sets[k]; ok {
			return s
		}
	}
	s := newAttrSets(k)
	s.trial.Store(trial && k.typ != OtherType)
	c.sets[k] = s
	return s
}

// succeeded notes that a message of typ on dest, recorded with s (what
// lookup returned), succeeded: a type on trial is admitted for good, and
// one recorded as OtherType is admitted for good if the bounds allow, so
// that its next messages get series of their own. A type with series of
// its own for good, or past the bounds, costs a read lock at most.
func (c *attrCache) succeeded(typ, dest, sub string, s *attrSets) {
	switch {
	case s.trial.Load():
		c.mu.RLock()
		full := c.budget.kept[dest] >= maxTypesPerDestination
		c.mu.RUnlock()
		if full {
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if s.trial.Load() && c.budget.keep(dest) {
			s.trial.Store(false)
		}
	case s.other:
		k := attrKey{typ: ownType(typ), dest: dest, sub: sub}
		if k.typ == OtherType {
			return
		}
		c.mu.RLock()
		_, ok := c.sets[k]
		room := c.budget.room(dest, false)
		c.mu.RUnlock()
		if ok || !room {
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		c.add(k, false)
	}
}
