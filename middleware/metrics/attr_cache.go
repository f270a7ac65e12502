package metrics

import (
	"sync"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Bounds on the sourceflow.type values that get series of their own. The
// type comes from message metadata, which a foreign producer controls:
// without bounds, junk types would grow the series (and the memory holding
// them) without limit, and past the SDK's cardinality limit (2000 attribute
// sets per instrument by default) push real types into its overflow series.
// A type past a bound is recorded as OtherType instead, keeping its
// destination. Each admitted type costs up to four series per consume
// instrument (one per outcome), so maxTypedKeys keeps every instrument well
// under the SDK's default limit; maxTypesPerDestination keeps junk on one
// destination from taking the whole budget.
const (
	maxTypesPerDestination = 128
	maxTypedKeys           = 400
	// maxTypeLength is the longest type, in bytes, recorded as itself; a
	// longer one, or one that is not valid UTF-8, is recorded as OtherType.
	maxTypeLength = 256
)

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

// attrCache holds attrSets per attrKey, within the bounds above, and
// OtherType beyond. A plain map under a read lock: a lookup allocates
// nothing (sync.Map would box the key).
type attrCache struct {
	mu    sync.RWMutex
	sets  map[attrKey]*attrSets
	types map[string]int // distinct types with series of their own, per destination
	typed int            // distinct types with series of their own, on all destinations
}

// get returns the attribute sets of typ on dest. A type past the bounds
// finds its destination's OtherType sets under the read lock, as a type
// with series of its own does, so a flood of junk types builds nothing
// per message and does not serialise the recording goroutines.
func (c *attrCache) get(typ, dest string) *attrSets {
	if len(typ) > maxTypeLength || !utf8.ValidString(typ) {
		typ = OtherType
	}
	k := attrKey{typ: typ, dest: dest}
	c.mu.RLock()
	s, ok := c.sets[k]
	if !ok && typ != OtherType && c.full(dest) {
		s, ok = c.sets[attrKey{typ: OtherType, dest: dest}]
	}
	c.mu.RUnlock()
	if ok {
		return s
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.add(k)
}

// add returns the attribute sets of k, building them if k is admitted, or
// else those of OtherType on k's destination. c.mu is held.
func (c *attrCache) add(k attrKey) *attrSets {
	if s, ok := c.sets[k]; ok {
		return s
	}
	if c.sets == nil {
		c.sets, c.types = map[attrKey]*attrSets{}, map[string]int{}
	}
	if k.typ != OtherType && !c.admit(k.dest) {
		k.typ = OtherType // one per destination, beyond the bounds
		if s, ok := c.sets[k]; ok {
			return s
		}
	}
	s := newAttrSets(k)
	c.sets[k] = s
	return s
}

// full reports whether a new type on dest would cross a bound. c.mu is
// held, for reading at least.
func (c *attrCache) full(dest string) bool {
	return c.types[dest] >= maxTypesPerDestination || c.typed >= maxTypedKeys
}

// admit counts one more type with series of its own on dest, unless that
// would cross a bound. c.mu is held.
func (c *attrCache) admit(dest string) bool {
	if c.full(dest) {
		return false
	}
	c.types[dest]++
	c.typed++
	return true
}
