package metrics

import (
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// maxTypesPerDestination bounds the distinct types that get series of their
// own on one destination. Types are few in a service, but the type comes
// from message metadata, which a foreign producer controls: past the bound,
// a new type on that destination is recorded as OtherType, so that junk
// types cannot grow the series without bound (nor push real types into the
// SDK's overflow series), and junk on one destination leaves the others'
// types alone.
const maxTypesPerDestination = 1024

// attrKey identifies the attribute sets of one type on one destination.
type attrKey struct{ typ, dest string }

// attrSets are the prebuilt measurement options of one attrKey.
type attrSets struct {
	base      options // type, destination
	success   options // + outcome success
	duplicate options // + outcome duplicate
	permanent options // + outcome error, error.type permanent
	transient options // + outcome error, error.type transient
}

// options are one attribute set as the options of Add and of Record,
// prebuilt so that recording a measurement allocates nothing.
type options struct {
	add    []metric.AddOption
	record []metric.RecordOption
}

func newAttrSets(k attrKey) *attrSets {
	typ, dest := AttrType.String(k.typ), AttrDestination.String(k.dest)
	set := func(kv ...attribute.KeyValue) options {
		o := metric.WithAttributeSet(attribute.NewSet(append([]attribute.KeyValue{typ, dest}, kv...)...))
		return options{add: []metric.AddOption{o}, record: []metric.RecordOption{o}}
	}
	errOutcome := AttrOutcome.String(OutcomeError)
	return &attrSets{
		base:      set(),
		success:   set(AttrOutcome.String(OutcomeSuccess)),
		duplicate: set(AttrOutcome.String(OutcomeDuplicate)),
		permanent: set(errOutcome, AttrErrorType.String("permanent")),
		transient: set(errOutcome, AttrErrorType.String("transient")),
	}
}

// attrCache holds attrSets per attrKey, up to maxTypesPerDestination types
// per destination and OtherType beyond. A plain
// map under a read lock: a lookup allocates nothing (sync.Map would box
// the key).
type attrCache struct {
	mu    sync.RWMutex
	sets  map[attrKey]*attrSets
	types map[string]int // distinct types with series of their own, per destination
}

func (c *attrCache) get(typ, dest string) *attrSets {
	k := attrKey{typ: typ, dest: dest}
	c.mu.RLock()
	s, ok := c.sets[k]
	c.mu.RUnlock()
	if ok {
		return s
	}
	s = newAttrSets(k)
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.sets[k]; ok {
		return prev
	}
	if c.sets == nil {
		c.sets, c.types = map[attrKey]*attrSets{}, map[string]int{}
	}
	if c.types[dest] >= maxTypesPerDestination {
		k.typ = OtherType
		if prev, ok := c.sets[k]; ok {
			return prev
		}
		s = newAttrSets(k) // one per destination, beyond the bound
	} else {
		c.types[dest]++
	}
	c.sets[k] = s
	return s
}
