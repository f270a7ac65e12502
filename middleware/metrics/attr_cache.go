package metrics

import (
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// maxCachedAttrSets bounds attrCache. Types and destinations are few in a
// service, but the type comes from message metadata, which a foreign
// producer controls; past the bound, sets are built per message.
const maxCachedAttrSets = 1024

// attrKey identifies the attribute sets of one type on one destination.
type attrKey struct{ typ, dest string }

// attrSets are the prebuilt measurement options of one attrKey.
type attrSets struct {
	base      metric.MeasurementOption // type, destination
	success   metric.MeasurementOption // + outcome success
	duplicate metric.MeasurementOption // + outcome duplicate
	permanent metric.MeasurementOption // + outcome error, error.type permanent
	transient metric.MeasurementOption // + outcome error, error.type transient
}

func newAttrSets(k attrKey) *attrSets {
	typ, dest := AttrType.String(k.typ), AttrDestination.String(k.dest)
	set := func(kv ...attribute.KeyValue) metric.MeasurementOption {
		return metric.WithAttributeSet(attribute.NewSet(append([]attribute.KeyValue{typ, dest}, kv...)...))
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

// attrCache memoises attrSets, so recording a message hashes no attributes.
type attrCache struct {
	sets sync.Map // attrKey → *attrSets
	size atomic.Int64
}

func (c *attrCache) get(typ, dest string) *attrSets {
	k := attrKey{typ: typ, dest: dest}
	if s, ok := c.sets.Load(k); ok {
		return s.(*attrSets)
	}
	s := newAttrSets(k)
	if c.size.Load() >= maxCachedAttrSets {
		return s
	}
	if actual, loaded := c.sets.LoadOrStore(k, s); loaded {
		return actual.(*attrSets)
	}
	c.size.Add(1)
	return s
}
